"""Array creation: zeros, ones, full, empty, the ``*_like`` forms, ranges and grids.

Created arrays are constants to every transform, so these need no primitives.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend, dtypes
from ..array import Array, wrap
from .arguments import to_array

__all__ = [
    "zeros",
    "ones",
    "empty",
    "full",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
]


def _xp_for(device: Any) -> Any:
    dev = backend.device(device)
    if dev.platform == "cpu":
        return np
    import cupy

    cupy.cuda.Device(dev.id).use()
    return cupy


def _shape(op: str, shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        out = tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(f"{op}: argument 'shape' expected ints, got {shape!r}") from None
    if any(d < 0 for d in out):
        raise ValueError(f"{op}: argument 'shape' expected non-negative sizes, got {out}")
    return out


def _dtype(op: str, dtype: Any, default: np.dtype = dtypes.default_float) -> np.dtype:
    return default if dtype is None else dtypes.canonicalize(dtype, op)


def zeros(shape: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An array of zeros (default dtype float32)."""
    return wrap(_xp_for(device).zeros(_shape("zeros", shape), dtype=_dtype("zeros", dtype)))


def ones(shape: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An array of ones (default dtype float32)."""
    return wrap(_xp_for(device).ones(_shape("ones", shape), dtype=_dtype("ones", dtype)))


def empty(shape: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An array of the given shape (its values are zeros: arrays cannot be filled later)."""
    return zeros(shape, dtype=dtype, device=device)


def full(shape: Any, fill_value: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An array filled with ``fill_value`` (dtype from the value's kind when not given)."""
    if dtype is None:
        dtype = (
            fill_value.dtype if isinstance(fill_value, Array) else dtypes.scalar_dtype(fill_value)
        )
    if isinstance(fill_value, Array):
        fill_value = fill_value.item()
    dt = _dtype("full", dtype)
    return wrap(_xp_for(device).full(_shape("full", shape), fill_value, dtype=dt))


def _like(op: str, x: Any, dtype: Any, device: Any) -> tuple[tuple[int, ...], np.dtype, Any]:
    x = to_array(op, "x", x)
    return tuple(x.shape), _dtype(op, dtype, x.dtype), device if device is not None else x.device


def zeros_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Array:
    """Zeros with the shape, dtype and device of ``x`` (unless given)."""
    shape, dt, dev = _like("zeros_like", x, dtype, device)
    return zeros(shape, dtype=dt, device=dev)


def ones_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Array:
    """Ones with the shape, dtype and device of ``x`` (unless given)."""
    shape, dt, dev = _like("ones_like", x, dtype, device)
    return ones(shape, dtype=dt, device=dev)


def empty_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Array:
    """An array with the shape, dtype and device of ``x`` (zeros, see :func:`empty`)."""
    return zeros_like(x, dtype=dtype, device=device)


def full_like(x: Any, /, fill_value: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """``fill_value`` with the shape, dtype and device of ``x`` (unless given)."""
    shape, dt, dev = _like("full_like", x, dtype, device)
    return full(shape, fill_value, dtype=dt, device=dev)
