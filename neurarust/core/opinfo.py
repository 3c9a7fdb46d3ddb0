"""Test metadata for primitives (PyTorch's OpInfo idea), declared beside each primitive.

An :class:`OpInfo` names a public function, the primitives it exercises, a NumPy reference, the
dtypes it supports and a generator of sample inputs. The test suite runs every OpInfo against
its reference (values and dtypes), checks derivatives of the differentiable ones with
``check_grads`` (order 1 and 2, both modes), and fails when a registered primitive is covered by
no OpInfo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import dtypes

OPINFOS: list[OpInfo] = []


@dataclass(frozen=True)
class Sample:
    """One call: positional ``args`` (NumPy arrays become nr arrays) and keyword ``kwargs``."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OpInfo:
    """How to test one public function.

    Parameters
    ----------
    name: the public function's name (for test ids).
    fn: the neurarust function.
    ref: the reference, called with NumPy arrays in place of nr arrays.
    primitives: names of the primitives this function exercises.
    samples: ``samples(rng, dtype) -> list[Sample]``; ``rng`` is a seeded NumPy Generator.
    dtypes: dtypes the forward test runs in.
    grad: whether derivatives are checked (float32 and float64 samples).
    grad_argnums: positions of the arguments to differentiate (default: every float array).
    grad_samples: samples for derivative checks when they must avoid kinks or ties.
    rtol, atol: forward tolerances for float32 (float64 uses 1e-10 scaled; 16-bit uses 1e-2).
    check_dtype: whether the result dtype must equal the reference's (after the float32 rule).
    """

    name: str
    fn: Callable[..., Any]
    ref: Callable[..., Any]
    primitives: tuple[str, ...]
    samples: Callable[[np.random.Generator, np.dtype], Sequence[Sample]]
    dtypes: tuple[np.dtype, ...] = (dtypes.float32, dtypes.float64)
    grad: bool = True
    grad_argnums: tuple[int, ...] | None = None
    grad_samples: Callable[[np.random.Generator, np.dtype], Sequence[Sample]] | None = None
    rtol: float = 1e-5
    atol: float = 1e-6
    check_dtype: bool = True
    second_order: bool = True


def register(*infos: OpInfo) -> None:
    """Add OpInfos to the registry the test suite reads."""
    OPINFOS.extend(infos)


# ----------------------------------------------------------------- sample helpers


def rand_shape(
    rng: np.random.Generator, min_ndim: int = 0, max_ndim: int = 3, max_size: int = 4
) -> tuple[int, ...]:
    """A random shape with ``min_ndim..max_ndim`` dimensions of size ``1..max_size``."""
    ndim = int(rng.integers(min_ndim, max_ndim + 1))
    return tuple(int(d) for d in rng.integers(1, max_size + 1, size=ndim))


def rand(
    rng: np.random.Generator,
    shape: Sequence[int],
    dtype: np.dtype,
    low: float = -2.0,
    high: float = 2.0,
) -> np.ndarray:
    """Random values of ``dtype`` in ``[low, high)`` (integers: that range rounded; bool: coin)."""
    dtype = np.dtype(dtype)
    if dtype == dtypes.bool_:
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.kind in "iu":
        lo = 0 if dtype.kind == "u" else int(np.floor(low))
        hi = max(int(np.ceil(high)), lo + 1)
        return rng.integers(lo, hi, size=shape).astype(dtype)
    if dtype.kind == "c":
        re = rng.uniform(low, high, size=shape)
        im = rng.uniform(low, high, size=shape)
        return (re + 1j * im).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


def broadcastable_shapes(
    rng: np.random.Generator, n: int = 2, max_ndim: int = 3
) -> list[tuple[int, ...]]:
    """``n`` shapes that broadcast together (some dims dropped or set to 1)."""
    full = rand_shape(rng, 0, max_ndim)
    shapes = []
    for _ in range(n):
        drop = int(rng.integers(0, len(full) + 1))
        s = [d if rng.random() < 0.7 else 1 for d in full[drop:]]
        shapes.append(tuple(s))
    return shapes


def unary_samples(low: float = -2.0, high: float = 2.0) -> Callable[..., list[Sample]]:
    """Samples of one random array with values in ``[low, high)``."""

    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        return [Sample((rand(rng, rand_shape(rng), dtype, low, high),)) for _ in range(2)]

    return samples


def binary_samples(
    low: float = -2.0, high: float = 2.0, low2: float | None = None, high2: float | None = None
) -> Callable[..., list[Sample]]:
    """Samples of two broadcast-compatible random arrays (and one array with a scalar)."""
    low2 = low if low2 is None else low2
    high2 = high if high2 is None else high2

    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        s1, s2 = broadcastable_shapes(rng)
        same = rand_shape(rng)
        return [
            Sample((rand(rng, s1, dtype, low, high), rand(rng, s2, dtype, low2, high2))),
            Sample((rand(rng, same, dtype, low, high), rand(rng, same, dtype, low2, high2))),
        ]

    return samples
