"""Reduction primitives (sum, ...) and their public functions."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import namespace
from ..opinfo import OpInfo, Sample, rand, rand_shape, register
from ..primitive import Primitive, ShapedArray
from .arguments import astype, normalize_axes, to_array
from .rules import linear

__all__ = [
    "sum",
]


def _reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def expand_reduced(g: Any, shape: tuple[int, ...], axes: tuple[int, ...]) -> Any:
    """Broadcast a reduced ``g`` (axes removed) back to ``shape``."""
    from .shape import broadcast_to, reshape

    return broadcast_to(reshape(g, _keepdims_shape(shape, axes)), shape)


reduce_sum_p = linear(
    Primitive(
        "reduce_sum",
        lambda x, *, axes: namespace(x).sum(x, axis=axes),
        lambda x, *, axes: ShapedArray(_reduced_shape(tuple(x.shape), axes), x.dtype),
    ),
    lambda g, out, x, *, axes: expand_reduced(g, tuple(x.shape), axes),
)


def reduce_sum(x: Array, axes: tuple[int, ...]) -> Array:
    """The sum of ``x`` over ``axes`` (non-negative, sorted), keeping its dtype."""
    if x.__class__ is Array:
        return wrap(namespace(x._v).sum(x._v, axis=axes))
    return reduce_sum_p.bind(x, axes=axes)


def _finish(
    op: str, out: Array, shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool
) -> Array:
    if keepdims:
        from .shape import reshape

        return reshape(out, _keepdims_shape(shape, axes))
    return out


def sum(  # noqa: A001 - the array API name
    x: Any, /, *, axis: Any = None, dtype: Any = None, keepdims: bool = False
) -> Array:
    """The sum over ``axis`` (all axes when None). Bool and integer inputs sum as int64
    (uint64 stays uint64)."""
    x = to_array("sum", "x", x)
    axes = normalize_axes("sum", axis, x.ndim)
    if dtype is not None:
        x = astype(x, dtype)
    elif x.dtype.kind in "bi" and x.dtype is not dtypes.int64:
        x = astype(x, dtypes.int64)
    elif x.dtype.kind == "u" and x.dtype is not dtypes.uint64:
        x = astype(x, dtypes.uint64)
    return _finish("sum", reduce_sum(x, axes), tuple(x.shape), axes, keepdims)


def _axis_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    x = rand(rng, shape, dtype)
    axis = int(rng.integers(-len(shape), len(shape)))
    return [
        Sample((x,)),
        Sample((x,), {"axis": axis}),
        Sample((x,), {"axis": axis, "keepdims": True}),
    ]


register(
    OpInfo(
        "sum",
        sum,
        np.sum,
        ("reduce_sum",),
        _axis_samples,
        dtypes=(dtypes.float32, dtypes.float64, dtypes.int32),
        check_dtype=False,
    ),
)
