"""Datasets that need no download: data shipped with installed packages, synthetic
generators, and readers for MNIST and CIFAR-10 files in a local folder.

Everything returns ``nr.Array`` s, ready for :class:`~neurarust.data.ArrayDataset`.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import numpy as np

from .. import random
from ..core.array import Array, wrap
from .checks import as_key, int_arg
from .errors import DataError
from .formats import ImageSet, read_cifar10, read_idx, read_mnist

__all__ = [
    "ImageSet",
    "Regression",
    "digits",
    "text_corpus",
    "make_regression",
    "make_spirals",
    "read_mnist",
    "read_cifar10",
    "read_idx",
]


class Regression(NamedTuple):
    """Inputs ``x`` and targets ``y`` of a synthetic regression or classification set."""

    x: Array
    y: Array


@functools.cache
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError(
            "digits: needs scikit-learn, which ships the digits data; install it with "
            "`pip install scikit-learn` (or the 'examples' extra of neurarust)"
        ) from None
    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    return images, bunch.target.astype(np.int64)


def digits() -> ImageSet:
    """The 1,797 handwritten digits bundled with scikit-learn (the UCI optical digits).

    Returns ``ImageSet(images, labels)``: images ``float32`` of shape ``(1797, 1, 8, 8)``
    scaled to ``[0, 1]`` (the raw pixels are 0 to 16), labels ``int64`` in ``0..9``.
    Needs scikit-learn (an optional dependency); nothing is downloaded.

    Examples
    --------
    >>> images, labels = nr.data.datasets.digits()
    >>> images.shape, labels.shape
    ((1797, 1, 8, 8), (1797,))
    """
    images, labels = _digits_arrays()
    return ImageSet(wrap(images), wrap(labels))


def text_corpus() -> str:
    """About 465,000 characters of English: the help topics of the Python documentation that
    ship with CPython (``pydoc_data.topics``), joined in topic order.

    Examples
    --------
    >>> text = nr.data.datasets.text_corpus()
    >>> text[:22]
    'The "assert" statement'
    """
    try:
        from pydoc_data.topics import topics
    except ImportError:
        raise ImportError(
            "text_corpus: this Python installation lacks the standard module pydoc_data "
            "(some Linux distributions ship it in a separate python3-doc package)"
        ) from None
    return "\n\n".join(topics[name] for name in sorted(topics))


def _noise_arg(op: str, noise: Any) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0:
        raise DataError(f"{op}: argument 'noise' expected a number >= 0, got {noise!r}")
    return float(noise)


def make_regression(
    key: Any,
    n: int,
    n_features: int = 10,
    n_targets: int = 1,
    noise: float = 0.0,
    bias: float = 0.0,
) -> Regression:
    """A linear regression problem: ``y = x @ w + bias + noise * e``.

    ``x`` and the hidden weights ``w`` are standard normal, ``e`` standard normal noise. Returns
    ``x`` of shape ``(n, n_features)`` and ``y`` of shape ``(n,)`` (or ``(n, n_targets)``),
    both ``float32``.

    Examples
    --------
    >>> x, y = nr.data.datasets.make_regression(nr.random.key(0), 100, n_features=3)
    >>> x.shape, y.shape
    ((100, 3), (100,))
    """
    op = "make_regression"
    kx, kw, ke = random.split(as_key(op, key), 3)
    n = int_arg(op, "n", n, 0)
    n_features = int_arg(op, "n_features", n_features)
    n_targets = int_arg(op, "n_targets", n_targets)
    noise = _noise_arg(op, noise)
    x = random.normal(kx, (n, n_features), dtype=np.float64).numpy()
    w = random.normal(kw, (n_features, n_targets), dtype=np.float64).numpy()
    e = random.normal(ke, (n, n_targets), dtype=np.float64).numpy()
    y = x @ w + float(bias) + noise * e
    y = y[:, 0] if n_targets == 1 else y
    return Regression(wrap(x.astype(np.float32)), wrap(y.astype(np.float32)))


def make_spirals(
    key: Any, n: int, n_classes: int = 2, noise: float = 0.0, turns: float = 1.0
) -> Regression:
    """Interleaved 2-d spirals, one per class: a classic non-linear classification set.

    Point ``i`` belongs to class ``c = i * n_classes // n`` and sits at radius ``t`` and angle
    ``2*pi*(turns*t + c/n_classes)`` with ``t`` uniform in ``[0, 1)``, plus Gaussian noise of
    standard deviation ``noise``. Returns ``x`` ``float32`` ``(n, 2)`` and ``y`` ``int64``
    ``(n,)``.

    Examples
    --------
    >>> x, y = nr.data.datasets.make_spirals(nr.random.key(0), 300, n_classes=3, noise=0.02)
    >>> x.shape, sorted(set(y.tolist()))
    ((300, 2), [0, 1, 2])
    """
    op = "make_spirals"
    kt, ke = random.split(as_key(op, key))
    n = int_arg(op, "n", n, 0)
    n_classes = int_arg(op, "n_classes", n_classes)
    noise = _noise_arg(op, noise)
    if isinstance(turns, bool) or not isinstance(turns, (int, float)) or not turns > 0:
        raise DataError(f"{op}: argument 'turns' expected a number > 0, got {turns!r}")
    labels = np.arange(n) * n_classes // max(n, 1)
    t = random.uniform(kt, (n,), dtype=np.float64).numpy()
    angle = 2 * math.pi * (turns * t + labels / n_classes)
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
    x = x + noise * random.normal(ke, (n, 2), dtype=np.float64).numpy()
    return Regression(wrap(x.astype(np.float32)), wrap(labels.astype(np.int64)))
