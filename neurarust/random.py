"""Random numbers from explicit keys: ``nr.random.key(seed)``, ``split``, ``fold_in`` and the
distributions.

The same key, shape and dtype give bit-identical numbers on every run. There is no global
random state: split a key for each use.

>>> import neurarust as nr
>>> k_init, k_data = nr.random.split(nr.random.key(0))
>>> w = nr.random.normal(k_init, (3, 4))
"""

from .core.random import (
    bernoulli,
    bits,
    categorical,
    choice,
    exponential,
    fold_in,
    gumbel,
    key,
    normal,
    permutation,
    rand,
    randint,
    randn,
    split,
    truncated_normal,
    uniform,
)

__all__ = [
    "key",
    "split",
    "fold_in",
    "bits",
    "uniform",
    "normal",
    "truncated_normal",
    "randint",
    "bernoulli",
    "categorical",
    "permutation",
    "choice",
    "gumbel",
    "exponential",
    "rand",
    "randn",
]
