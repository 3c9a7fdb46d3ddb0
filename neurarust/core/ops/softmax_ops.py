"""``softmax`` and ``log_softmax`` as fused primitives.

One kernel each (maximum subtracted first, so nothing overflows) and one reverse-mode node
each, instead of the three or four a composition of ``logsumexp``, ``subtract`` and ``exp``
records. Rules use only the output: ``d softmax = s * (t - sum(t * s))`` and
``d log_softmax = t - sum(t * exp(out))``. Under vmap, ``axis`` is renumbered around the batch
axis, which stays where it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import namespace
from ..opinfo import OpInfo, Sample, rand, rand_shape, register
from ..primitive import Primitive, ShapedArray
from .arguments import astype, normalize_axis, to_array
from .reduction import axis_batch_rule

__all__ = ["log_softmax", "softmax"]


def _softmax_kernel(x: Any, *, axis: int) -> Any:
    e = namespace(x).exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax_kernel(x: Any, *, axis: int) -> Any:
    xp = namespace(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def _same(x: ShapedArray, *, axis: int) -> ShapedArray:
    return ShapedArray(tuple(x.shape), x.dtype)


def _sum(v: Any, axis: int) -> Any:
    from .reduction import sum as sum_

    return sum_(v, axis=axis, keepdims=True)


softmax_p = axis_batch_rule(Primitive("softmax", _softmax_kernel, _same))
softmax_p.defjvp(lambda t, out, x, *, axis: out * (t - _sum(t * out, axis)))
softmax_p.defvjp(lambda g, out, x, *, axis: out * (g - _sum(g * out, axis)))

log_softmax_p = axis_batch_rule(Primitive("log_softmax", _log_softmax_kernel, _same))


def _exp(v: Any) -> Any:
    from .elementwise import exp

    return exp(v)


log_softmax_p.defjvp(lambda t, out, x, *, axis: t - _sum(t * _exp(out), axis))
log_softmax_p.defvjp(lambda g, out, x, *, axis: g - _exp(out) * _sum(g, axis))


def _apply(prim: Primitive, op: str, x: Any, axis: int) -> Array:
    x = to_array(op, "x", x)
    if not dtypes.is_inexact(x.dtype):
        x = astype(x, dtypes.default_float)
    axis = normalize_axis(op, axis, x.ndim)
    if x.__class__ is Array:
        return wrap(prim.impl(x._v, axis=axis))
    return prim.bind(x, axis=axis)


def softmax(x: Any, /, axis: int = -1) -> Array:
    """``exp(x) / sum(exp(x))`` along ``axis``, computed stably; integers give float32.

    Examples
    --------
    >>> nr.softmax(nr.asarray([0.0, 0.0]))
    Array([0.5, 0.5], dtype=float32)
    """
    return _apply(softmax_p, "softmax", x, axis)


def log_softmax(x: Any, /, axis: int = -1) -> Array:
    """``x - logsumexp(x)`` along ``axis``, computed stably; integers give float32."""
    return _apply(log_softmax_p, "log_softmax", x, axis)


def _np_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.log(_np_softmax(x, axis))


def _samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    axis = int(rng.integers(-len(shape), len(shape)))
    x = rand(rng, shape, dtype, -3.0, 3.0)
    return [Sample((x,)), Sample((x,), {"axis": axis})]


register(
    OpInfo("softmax", softmax, _np_softmax, ("softmax",), _samples),
    OpInfo("log_softmax", log_softmax, _np_log_softmax, ("log_softmax",), _samples),
)
