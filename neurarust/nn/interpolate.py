"""``interpolate``: resizing ``(N, C, *spatial)`` arrays by nearest or (bi/tri)linear sampling,
with PyTorch's source-index rules (``align_corners``, ``scale_factor``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import neurarust as nr

from ..core.array import Array
from ..core.errors import ShapeError
from ..core.ops.arguments import device_of

__all__ = ["interpolate"]

_LINEAR_RANK = {"linear": 3, "bilinear": 4, "trilinear": 5}


def _per_axis(op: str, name: str, value: Any, n: int) -> tuple[Any, ...]:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if len(values) != n:
        raise ShapeError(
            f"{op}: argument '{name}' expected {n} values (one per spatial dimension), got "
            f"{len(values)}"
        )
    return values


def _source_index(
    mode: str, in_size: int, out_size: int, scale: float | None, align_corners: bool
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The source indices of each output position: ``(i0, i1, weight of i1)`` (linear) or
    ``(i0, None, None)`` (nearest)."""
    dst = np.arange(out_size)
    if mode.startswith("nearest"):
        step = np.float32(1.0 / scale if scale else in_size / out_size)
        offset = np.float32(0.5 if mode == "nearest-exact" else 0.0)
        src = np.floor((dst.astype(np.float32) + offset) * step).astype(np.int64)
        return np.minimum(src, in_size - 1), None, None
    if align_corners:
        src = dst * ((in_size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    else:
        step = 1.0 / scale if scale else in_size / out_size
        src = np.maximum(step * (dst + 0.5) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    return i0, np.minimum(i0 + 1, in_size - 1), src - i0


def interpolate(
    input: Any,  # noqa: A002
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
) -> Array:
    """Resize the spatial dimensions of ``input`` (``(N, C, *spatial)``) to ``size`` or by
    ``scale_factor``; ``mode`` is ``"nearest"``, ``"nearest-exact"``, ``"linear"`` (3-D
    input), ``"bilinear"`` (4-D) or ``"trilinear"`` (5-D).

    Examples
    --------
    >>> x = nr.asarray([[[1.0, 2.0]]])
    >>> nr.nn.functional.interpolate(x, scale_factor=2, mode="linear")
    Array([[[1.  , 1.25, 1.75, 2.  ]]], dtype=float32)
    """
    x = nr.asarray(input)
    op = "interpolate"
    if mode not in ("nearest", "nearest-exact", *_LINEAR_RANK):
        raise ValueError(
            f"{op}: argument 'mode' expected 'nearest', 'nearest-exact', 'linear', 'bilinear' "
            f"or 'trilinear', got {mode!r}"
        )
    if x.ndim < 3 or x.ndim != _LINEAR_RANK.get(mode, x.ndim):
        expected = f"{_LINEAR_RANK[mode]}-D" if mode in _LINEAR_RANK else "(N, C, *spatial)"
        raise ShapeError(f"{op}: mode {mode!r} expects a {expected} input, got {tuple(x.shape)}")
    if mode.startswith("nearest") and align_corners is not None:
        raise ValueError(f"{op}: align_corners can only be set with the linear modes")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of 'size' and 'scale_factor'")
    spatial = x.ndim - 2
    in_sizes = tuple(x.shape[2:])
    if size is not None:
        out_sizes = tuple(int(s) for s in _per_axis(op, "size", size, spatial))
        scales: tuple[float | None, ...] = (None,) * spatial
    else:
        scales = tuple(float(s) for s in _per_axis(op, "scale_factor", scale_factor, spatial))
        out_sizes = tuple(math.floor(n * s) for n, s in zip(in_sizes, scales, strict=True))
        if recompute_scale_factor:
            scales = (None,) * spatial
    for axis, (n, m, s) in enumerate(zip(in_sizes, out_sizes, scales, strict=True), start=2):
        i0, i1, w = _source_index(mode, n, m, s, bool(align_corners))
        a = nr.take(x, nr.asarray(i0, device=device_of(x)), axis=axis)
        if i1 is None:
            x = a
            continue
        b = nr.take(x, nr.asarray(i1, device=device_of(x)), axis=axis)
        w = w.reshape((-1,) + (1,) * (x.ndim - 1 - axis))
        w = nr.asarray(w, dtype=x.dtype, device=device_of(x))
        x = a + (b - a) * w
    return x
