"""Dtype conversion and gradient blocking: ``convert_element_type`` and ``stop_gradient``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array
from ..batching import defelementwise
from ..opinfo import OpInfo, Sample, rand, rand_shape, register, unary_samples
from ..primitive import Primitive, ShapedArray
from .arguments import astype, to_array

__all__ = [
    "stop_gradient",
]


def _convert(x: Any, *, new_dtype: np.dtype) -> Any:
    if x.dtype.kind == "c" and new_dtype.kind != "c":
        x = x.real
    return x.astype(new_dtype)


convert_element_type_p = Primitive(
    "convert_element_type",
    _convert,
    lambda x, *, new_dtype: ShapedArray(tuple(x.shape), new_dtype),
)


def _convert_tangent(t: Any, out: Any, x: Any, *, new_dtype: np.dtype) -> Any:
    if not dtypes.is_inexact(new_dtype):
        return None
    return convert_element_type(t, new_dtype)


def _convert_cotangent(g: Any, out: Any, x: Any, *, new_dtype: np.dtype) -> Any:
    if not dtypes.is_inexact(x.dtype):
        return None
    return convert_element_type(g, x.dtype)


convert_element_type_p.defjvp(_convert_tangent).defvjp(_convert_cotangent)
defelementwise(convert_element_type_p)


def convert_element_type(x: Array, new_dtype: np.dtype) -> Array:
    """``x`` as ``new_dtype`` (the primitive behind :func:`neurarust.astype`)."""
    if x.__class__ is Array:
        from ..array import wrap

        return wrap(_convert(x._v, new_dtype=new_dtype))
    return convert_element_type_p.bind(x, new_dtype=new_dtype)


stop_gradient_p = Primitive(
    "stop_gradient",
    lambda x: x,
    lambda x: ShapedArray(tuple(x.shape), x.dtype),
    differentiable=False,
)
defelementwise(stop_gradient_p)


def stop_gradient(x: Any) -> Any:
    """``x`` with no derivative flowing through it: a constant for every transform.

    Works on pytrees; ``x.detach()`` is the same for one array.
    """
    from ... import tree

    def leaf(v: Any) -> Any:
        v = to_array("stop_gradient", "x", v)
        return v if v.__class__ is Array else stop_gradient_p.bind(v)

    return tree.map(leaf, x)


def _astype_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    x = rand(rng, rand_shape(rng), dtype)
    other = dtypes.float64 if dtype != dtypes.float64 else dtypes.float32
    return [Sample((x, other)), Sample((x, dtype))]


def _astype_int_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    return [
        Sample((rand(rng, rand_shape(rng), dtype, -5, 5), dtypes.int32)),
        Sample((rand(rng, rand_shape(rng), dtype), dtypes.bool_)),
    ]


def _np_astype(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return np.asarray(x).astype(dtype)


register(
    OpInfo(
        "astype",
        lambda x, d: astype(x, d),
        _np_astype,
        ("convert_element_type",),
        _astype_samples,
        check_dtype=False,
    ),
    OpInfo(
        "astype_to_int",
        lambda x, d: astype(x, d),
        _np_astype,
        ("convert_element_type",),
        _astype_int_samples,
        grad=False,
        check_dtype=False,
    ),
    OpInfo(
        "stop_gradient", stop_gradient, lambda x: x, ("stop_gradient",), unary_samples(), grad=False
    ),
)
