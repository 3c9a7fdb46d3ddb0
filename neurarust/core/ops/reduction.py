"""Reductions, cumulative sums and products, and ``diff``.

Reduction primitives take ``axes``, a sorted tuple of distinct non-negative axes, and drop
them. The public functions validate ``axis`` (int, tuple or None; negative allowed), apply the
dtype rules and add ``keepdims`` by a reshape; with a plain Array they run the kernel at once,
with the backend's own ``keepdims``. Kernels call the buffer's methods (``x.sum``, ``x.max``,
...), which NumPy and CuPy arrays share.

Derivative rules that have to treat ties or zeros specially (``max``/``min``, ``prod``,
``cumprod``) build their masks with comparisons of the primal values: the masks are constants
to every transform, and the rest of each rule is written in neurarust ops, so higher
derivatives follow.

Batching rules never move the batch axis: the axis parameters are renumbered around it
(``axes``/``axis`` past it shift by one) and the result says where the batch axis ended up.
Only ``argmax``/``argmin`` over the flattened array (``axis=None``) move it to the front, to
flatten each example.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import namespace
from ..batching import Dims, move_axis
from ..errors import AxisError, DTypeError, ShapeError
from ..opinfo import OpInfo, Sample, rand, rand_shape, register
from ..primitive import Primitive, ShapedArray
from .arguments import astype, normalize_axes, normalize_axis, promote_args, to_array
from .rules import linear, same_shape

__all__ = [
    "sum",
    "prod",
    "mean",
    "var",
    "std",
    "max",
    "min",
    "argmax",
    "argmin",
    "all",
    "any",
    "count_nonzero",
    "logsumexp",
    "cumulative_sum",
    "cumulative_prod",
    "cumsum",
    "cumprod",
    "diff",
]


# ----------------------------------------------------------------------- helpers


def _reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def expand_reduced(g: Any, shape: tuple[int, ...], axes: tuple[int, ...]) -> Any:
    """Broadcast a reduced ``g`` (axes removed) back to ``shape``."""
    from .shape import broadcast_to, reshape

    return broadcast_to(reshape(g, _keepdims_shape(shape, axes)), shape)


def _reduction_rule(dtype: np.dtype | None = None) -> Callable[..., ShapedArray]:
    """Shape rule of a reduction over ``axes`` (output ``dtype``, or the input's)."""

    def rule(x: ShapedArray, *, axes: tuple[int, ...]) -> ShapedArray:
        return ShapedArray(_reduced_shape(tuple(x.shape), axes), dtype or x.dtype)

    return rule


def _finish_keepdims(out: Array, shape: tuple[int, ...], axes: tuple[int, ...], keep: bool) -> Any:
    """``out`` (reduced over ``axes`` of ``shape``) with size-one axes put back if ``keep``."""
    if not keep:
        return out
    from .shape import reshape

    return reshape(out, _keepdims_shape(shape, axes))


def _reduce(prim: Primitive, x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
    """``prim`` over ``axes``: the kernel at once for a plain Array, else through ``bind``."""
    if x.__class__ is Array:
        return wrap(prim.impl(x._v, axes=axes, keepdims=keepdims))
    return _finish_keepdims(prim.bind(x, axes=axes), tuple(x.shape), axes, keepdims)


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    return math.prod(shape[a] for a in axes)


def _accumulator(op: str, x: Array, dtype: Any) -> Array:
    """``x`` in the dtype a sum or product accumulates in: ``dtype`` if given, else bool and
    signed integers as int64, unsigned integers as uint64, others unchanged."""
    if dtype is not None:
        return astype(x, dtypes.canonicalize(dtype, op))
    kind = x.dtype.kind
    if kind in "bi" and x.dtype is not dtypes.int64:
        return astype(x, dtypes.int64)
    if kind == "u" and x.dtype is not dtypes.uint64:
        return astype(x, dtypes.uint64)
    return x


def _real(op: str, x: Array) -> Array:
    """``x``, or a DTypeError naming ``op`` when it is complex."""
    if x.dtype.kind == "c":
        raise DTypeError(f"{op}: argument 'x' expected a real-valued array, got dtype {x.dtype}")
    return x


def _as_float(op: str, x: Array, complex_ok: bool = False) -> Array:
    """``x`` as a floating array (bool and integers become the default float)."""
    if not complex_ok:
        _real(op, x)
    return x if dtypes.is_inexact(x.dtype) else astype(x, dtypes.default_float)


def _correction(op: str, correction: Any) -> float:
    if not isinstance(correction, (int, float, np.integer, np.floating)) or correction < 0:
        raise ValueError(
            f"{op}: argument 'correction' expected a non-negative number, got {correction!r}"
        )
    return correction


def _nonempty(op: str, x: Array, axes: tuple[int, ...]) -> None:
    shape = tuple(x.shape)
    if 0 in shape and builtins.any(shape[a] == 0 for a in axes):
        raise ShapeError(
            f"{op}: argument 'x' expected a non-empty size along the reduced axes {axes}, "
            f"got shape {shape} ({op} of no elements is undefined: it has no identity)"
        )


def _batched_axis(axis: int, d: int) -> int:
    """A per-example non-negative ``axis`` in the coordinates of a value batched along ``d``."""
    return axis if axis < d else axis + 1


def _reduction_batch(prim: Primitive) -> Primitive:
    """Give the reduction ``prim`` (over ``axes``) its batching rule: the axes are renumbered
    around the batch axis, which moves left by the number of reduced axes before it."""

    def rule(args: Sequence[Any], dims: Dims, *, axes: tuple[int, ...]) -> tuple[Any, int]:
        (x,), (d,) = args, dims
        moved = tuple(_batched_axis(a, d) for a in axes)
        return prim.bind(x, axes=moved), d - builtins.sum(1 for a in moved if a < d)

    return prim.defbatch(rule)


def axis_batch_rule(prim: Primitive) -> Primitive:
    """Give ``prim`` (one operand, an ``axis`` parameter, a result shaped around the same
    axes) the batching rule that renumbers ``axis`` around the batch axis, which stays put."""

    def rule(args: Sequence[Any], dims: Dims, *, axis: int, **params: Any) -> tuple[Any, int]:
        (x,), (d,) = args, dims
        return prim.bind(x, axis=_batched_axis(axis, d), **params), d

    return prim.defbatch(rule)


def _keep_dtype(x: Any) -> np.dtype | None:
    """The ``dtype=`` a kernel passes so that integers keep theirs (NumPy would widen them)."""
    return None if x.dtype.kind in "fc" else x.dtype


# --------------------------------------------------------------------------- sum

reduce_sum_p = linear(
    Primitive(
        "reduce_sum",
        lambda x, *, axes, keepdims=False: x.sum(
            axis=axes, keepdims=keepdims, dtype=_keep_dtype(x)
        ),
        _reduction_rule(),
    ),
    lambda g, out, x, *, axes: expand_reduced(g, tuple(x.shape), axes),
)
_reduction_batch(reduce_sum_p)


def reduce_sum(x: Array, axes: tuple[int, ...]) -> Array:
    """The sum of ``x`` over ``axes`` (non-negative, sorted), keeping its dtype."""
    return _reduce(reduce_sum_p, x, axes, False)


def sum(  # noqa: A001 - the array API name
    x: Any, /, *, axis: Any = None, dtype: Any = None, keepdims: bool = False
) -> Array:
    """The sum over ``axis`` (all axes when None).

    Bool and signed integer inputs sum as int64, unsigned ones as uint64, unless ``dtype``
    says otherwise.

    Examples
    --------
    >>> nr.sum(nr.asarray([[1, 2], [3, 4]]), axis=0)
    Array([4, 6], dtype=int64)
    """
    x = to_array("sum", "x", x)
    axes = normalize_axes("sum", axis, x.ndim)
    return _reduce(reduce_sum_p, _accumulator("sum", x, dtype), axes, keepdims)


# -------------------------------------------------------------------------- prod


def _prod_others(x: Any, out: Any, axes: tuple[int, ...]) -> Any:
    """For each element ``x_i``, the product of the other elements of its reduced slice.

    ``out / x`` where ``x`` is nonzero. At a zero ``x_z``, the product of the nonzero elements
    when ``x_z`` is the slice's only zero, else 0. The zero masks are constants, so with one
    zero per slice the expression equals the true derivative in a neighbourhood and its own
    derivatives are exact too; with several zeros the value is exact (first order).
    """
    from .elementwise import where

    shape = tuple(x.shape)
    zero = x == 0
    single = expand_reduced(reduce_sum(astype(zero, dtypes.int64), axes) == 1, shape, axes)
    x_safe = where(zero, 1, x)
    nonzero_prod = expand_reduced(reduce_prod(x_safe, axes), shape, axes)
    at_zero = where(single, nonzero_prod, 0)
    return where(zero, at_zero, expand_reduced(out, shape, axes) / x_safe)


reduce_prod_p = Primitive(
    "reduce_prod",
    lambda x, *, axes, keepdims=False: x.prod(axis=axes, keepdims=keepdims, dtype=_keep_dtype(x)),
    _reduction_rule(),
)
reduce_prod_p.defjvp(lambda t, out, x, *, axes: reduce_sum(t * _prod_others(x, out, axes), axes))
reduce_prod_p.defvjp(
    lambda g, out, x, *, axes: expand_reduced(g, tuple(x.shape), axes) * _prod_others(x, out, axes)
)
_reduction_batch(reduce_prod_p)


def reduce_prod(x: Array, axes: tuple[int, ...]) -> Array:
    """The product of ``x`` over ``axes`` (non-negative, sorted), keeping its dtype."""
    return _reduce(reduce_prod_p, x, axes, False)


def prod(x: Any, /, *, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Array:
    """The product over ``axis`` (all axes when None); dtypes as :func:`sum`.

    The gradient is exact when the input holds zeros: the derivative for a zero is the
    product of the other elements, with no division by zero.

    Examples
    --------
    >>> nr.prod(nr.asarray([1.0, 2.0, 3.0]))
    Array(6., dtype=float32)
    """
    x = to_array("prod", "x", x)
    axes = normalize_axes("prod", axis, x.ndim)
    return _reduce(reduce_prod_p, _accumulator("prod", x, dtype), axes, keepdims)


# ------------------------------------------------------------- mean, var and std


def mean(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Array:
    """The arithmetic mean over ``axis``; bool and integer inputs give the default float.

    The mean of no elements is NaN.

    Examples
    --------
    >>> nr.mean(nr.asarray([1, 2, 3, 4]))
    Array(2.5, dtype=float32)
    """
    x = _as_float("mean", to_array("mean", "x", x), complex_ok=True)
    shape = tuple(x.shape)
    axes = normalize_axes("mean", axis, len(shape))
    n = _count(shape, axes)
    if x.__class__ is Array and n:
        return wrap(x._v.mean(axis=axes, keepdims=keepdims))
    from .elementwise import divide

    return _finish_keepdims(divide(reduce_sum(x, axes), float(n)), shape, axes, keepdims)


def var(
    x: Any,
    /,
    *,
    axis: Any = None,
    correction: float = 0.0,
    keepdims: bool = False,
) -> Array:
    """The variance over ``axis``: ``sum((x - mean)**2) / (N - correction)``.

    ``correction=1`` gives the unbiased sample variance (PyTorch's default ``unbiased=True``);
    ``N - correction <= 0`` gives inf or NaN. Bool and integer inputs give the default float.

    Examples
    --------
    >>> nr.var(nr.asarray([1.0, 2.0, 3.0, 4.0]), correction=1)
    Array(1.6666666, dtype=float32)
    """
    x = _as_float("var", to_array("var", "x", x))
    correction = _correction("var", correction)
    shape = tuple(x.shape)
    axes = normalize_axes("var", axis, len(shape))
    dof = builtins.max(_count(shape, axes) - correction, 0)
    if x.__class__ is Array and dof > 0:
        return wrap(x._v.var(axis=axes, ddof=correction, keepdims=keepdims))
    from .elementwise import divide

    d = x - mean(x, axis=axes, keepdims=True)
    return _finish_keepdims(divide(reduce_sum(d * d, axes), float(dof)), shape, axes, keepdims)


def std(
    x: Any,
    /,
    *,
    axis: Any = None,
    correction: float = 0.0,
    keepdims: bool = False,
) -> Array:
    """The standard deviation over ``axis``: the square root of :func:`var` (same arguments).

    Its gradient is infinite where the deviation is zero (a constant slice).

    Examples
    --------
    >>> nr.std(nr.asarray([1.0, 3.0]))
    Array(1., dtype=float32)
    """
    x = _as_float("std", to_array("std", "x", x))
    correction = _correction("std", correction)
    shape = tuple(x.shape)
    axes = normalize_axes("std", axis, len(shape))
    if x.__class__ is Array and _count(shape, axes) - correction > 0:
        return wrap(x._v.std(axis=axes, ddof=correction, keepdims=keepdims))
    from .elementwise import sqrt

    return sqrt(var(x, axis=axes, correction=correction, keepdims=keepdims))


# ---------------------------------------------------------------------- max, min


def _tie_weights(x: Any, out: Any, axes: tuple[int, ...]) -> Any:
    """1/k at each of the k elements equal to their slice's extreme, 0 elsewhere."""
    shape = tuple(x.shape)
    hit = astype(x == expand_reduced(out, shape, axes), x.dtype)
    return hit / expand_reduced(reduce_sum(hit, axes), shape, axes)


def _extreme(name: str, method: str) -> Primitive:
    def kernel(x: Any, *, axes: tuple[int, ...], keepdims: bool = False) -> Any:
        return getattr(x, method)(axis=axes, keepdims=keepdims)

    prim = Primitive(name, kernel, _reduction_rule())
    prim.defjvp(lambda t, out, x, *, axes: reduce_sum(t * _tie_weights(x, out, axes), axes))
    prim.defvjp(
        lambda g, out, x, *, axes: (
            expand_reduced(g, tuple(x.shape), axes) * _tie_weights(x, out, axes)
        )
    )
    return _reduction_batch(prim)


reduce_max_p = _extreme("reduce_max", "max")
reduce_min_p = _extreme("reduce_min", "min")


def max(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Array:  # noqa: A001
    """The maximum over ``axis`` (all axes when None); NaN propagates.

    Ties: the gradient is split evenly among the elements equal to the maximum (as JAX's
    ``max`` and PyTorch's ``amax``), so ``grad(max)([1, 3, 3]) == [0, 0.5, 0.5]``.

    Raises
    ------
    ShapeError
        When a reduced axis is empty (a maximum of nothing is undefined).
    DTypeError
        For complex input.

    Examples
    --------
    >>> nr.max(nr.asarray([[1.0, 5.0], [3.0, 2.0]]), axis=1)
    Array([5., 3.], dtype=float32)
    """
    x = _real("max", to_array("max", "x", x))
    axes = normalize_axes("max", axis, x.ndim)
    _nonempty("max", x, axes)
    return _reduce(reduce_max_p, x, axes, keepdims)


def min(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Array:  # noqa: A001
    """The minimum over ``axis`` (all axes when None); NaN propagates.

    Ties: the gradient is split evenly among the elements equal to the minimum (as JAX's
    ``min`` and PyTorch's ``amin``).

    Raises
    ------
    ShapeError
        When a reduced axis is empty (a minimum of nothing is undefined).
    DTypeError
        For complex input.

    Examples
    --------
    >>> nr.min(nr.asarray([[1.0, 5.0], [3.0, 2.0]]), axis=0)
    Array([1., 2.], dtype=float32)
    """
    x = _real("min", to_array("min", "x", x))
    axes = normalize_axes("min", axis, x.ndim)
    _nonempty("min", x, axes)
    return _reduce(reduce_min_p, x, axes, keepdims)


# ---------------------------------------------------------------- argmax, argmin


def _arg_rule(x: ShapedArray, *, axis: int | None, keepdims: bool) -> ShapedArray:
    shape = tuple(x.shape)
    axes = tuple(range(len(shape))) if axis is None else (axis,)
    out = _keepdims_shape(shape, axes) if keepdims else _reduced_shape(shape, axes)
    return ShapedArray(out, dtypes.default_index)


argmax_p = Primitive(
    "argmax",
    lambda x, *, axis, keepdims: x.argmax(axis=axis, keepdims=keepdims),
    _arg_rule,
    differentiable=False,
)
argmin_p = Primitive(
    "argmin",
    lambda x, *, axis, keepdims: x.argmin(axis=axis, keepdims=keepdims),
    _arg_rule,
    differentiable=False,
)


def _arg_batch(prim: Primitive) -> Primitive:
    """Give ``argmax``/``argmin`` their batching rule. Along one axis, the axis is renumbered
    around the batch axis; over the flattened array (``axis=None``) each example is flattened
    into a row of a ``(batch, -1)`` matrix (batch axis moved to the front) and reduced along
    axis 1."""

    def rule(
        args: Sequence[Any], dims: Dims, *, axis: int | None, keepdims: bool
    ) -> tuple[Any, int]:
        (x,), (d,) = args, dims
        if axis is None:
            from .shape import reshape

            x = move_axis(x, d, 0)
            size, rest = x.shape[0], tuple(x.shape[1:])
            out = prim.bind(reshape(x, (size, math.prod(rest))), axis=1, keepdims=False)
            return (reshape(out, (size,) + (1,) * len(rest)) if keepdims else out), 0
        ax = _batched_axis(axis, d)
        return prim.bind(x, axis=ax, keepdims=keepdims), d if keepdims or ax > d else d - 1

    return prim.defbatch(rule)


_arg_batch(argmax_p)
_arg_batch(argmin_p)


def _arg_extreme(op: str, prim: Primitive, x: Any, axis: Any, keepdims: bool) -> Array:
    x = _real(op, to_array(op, "x", x))
    ax = None if axis is None else normalize_axis(op, axis, x.ndim)
    _nonempty(op, x, tuple(range(x.ndim)) if ax is None else (ax,))
    if x.__class__ is Array:
        return wrap(prim.impl(x._v, axis=ax, keepdims=keepdims))
    return prim.bind(x, axis=ax, keepdims=keepdims)


def argmax(x: Any, /, *, axis: int | None = None, keepdims: bool = False) -> Array:
    """The index (int64) of the first maximum along ``axis`` (of the flattened array when
    None). Not differentiable: its gradient is zero.

    Examples
    --------
    >>> nr.argmax(nr.asarray([[1.0, 5.0], [3.0, 2.0]]), axis=1)
    Array([1, 0], dtype=int64)
    """
    return _arg_extreme("argmax", argmax_p, x, axis, keepdims)


def argmin(x: Any, /, *, axis: int | None = None, keepdims: bool = False) -> Array:
    """The index (int64) of the first minimum along ``axis`` (of the flattened array when
    None). Not differentiable: its gradient is zero.

    Examples
    --------
    >>> nr.argmin(nr.asarray([[1.0, 5.0], [3.0, 2.0]]), axis=0)
    Array([0, 1], dtype=int64)
    """
    return _arg_extreme("argmin", argmin_p, x, axis, keepdims)


# ------------------------------------------------------- all, any, count_nonzero

reduce_all_p = Primitive(
    "reduce_all",
    lambda x, *, axes, keepdims=False: x.all(axis=axes, keepdims=keepdims),
    _reduction_rule(dtypes.bool_),
    differentiable=False,
)
reduce_any_p = Primitive(
    "reduce_any",
    lambda x, *, axes, keepdims=False: x.any(axis=axes, keepdims=keepdims),
    _reduction_rule(dtypes.bool_),
    differentiable=False,
)
count_nonzero_p = Primitive(
    "count_nonzero",
    lambda x, *, axes, keepdims=False: (x != 0).sum(
        axis=axes, keepdims=keepdims, dtype=dtypes.int64
    ),
    _reduction_rule(dtypes.int64),
    differentiable=False,
)
_reduction_batch(reduce_all_p)
_reduction_batch(reduce_any_p)
_reduction_batch(count_nonzero_p)


def all(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Array:  # noqa: A001
    """Whether every element along ``axis`` is nonzero (true for an empty reduction).

    Examples
    --------
    >>> nr.all(nr.asarray([[True, False], [True, True]]), axis=1)
    Array([False,  True], dtype=bool)
    """
    x = to_array("all", "x", x)
    return _reduce(reduce_all_p, x, normalize_axes("all", axis, x.ndim), keepdims)


def any(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Array:  # noqa: A001
    """Whether some element along ``axis`` is nonzero (false for an empty reduction).

    Examples
    --------
    >>> nr.any(nr.asarray([[0, 0], [0, 3]]), axis=1)
    Array([False,  True], dtype=bool)
    """
    x = to_array("any", "x", x)
    return _reduce(reduce_any_p, x, normalize_axes("any", axis, x.ndim), keepdims)


def count_nonzero(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Array:
    """The number (int64) of nonzero elements along ``axis``.

    Examples
    --------
    >>> nr.count_nonzero(nr.asarray([[0, 1], [2, 3]]), axis=0)
    Array([1, 2], dtype=int64)
    """
    x = to_array("count_nonzero", "x", x)
    axes = normalize_axes("count_nonzero", axis, x.ndim)
    return _reduce(count_nonzero_p, x, axes, keepdims)


# ---------------------------------------------------------------------- logsumexp


def _logsumexp_kernel(x: Any, *, axes: tuple[int, ...], keepdims: bool = False) -> Any:
    xp = namespace(x)
    shape = tuple(x.shape)
    out_shape = _keepdims_shape(shape, axes) if keepdims else _reduced_shape(shape, axes)
    if 0 in shape and builtins.any(shape[a] == 0 for a in axes):
        return xp.full(out_shape, -np.inf, dtype=x.dtype)
    m = x.max(axis=axes, keepdims=True)
    m = xp.where(xp.isfinite(m), m, xp.zeros((), dtype=x.dtype))
    s = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
    return s.reshape(out_shape)


logsumexp_p = _reduction_batch(Primitive("logsumexp", _logsumexp_kernel, _reduction_rule()))


def _softmax_weights(x: Any, out: Any, axes: tuple[int, ...]) -> Any:
    from .elementwise import exp

    return exp(x - expand_reduced(out, tuple(x.shape), axes))


logsumexp_p.defjvp(lambda t, out, x, *, axes: reduce_sum(t * _softmax_weights(x, out, axes), axes))
logsumexp_p.defvjp(
    lambda g, out, x, *, axes: (
        expand_reduced(g, tuple(x.shape), axes) * _softmax_weights(x, out, axes)
    )
)


def logsumexp(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Array:
    """``log(sum(exp(x)))`` over ``axis``, computed stably (the maximum is subtracted first).

    Its gradient is the softmax of ``x`` along ``axis``, computed as ``exp(x - out)``, which
    never overflows. Bool and integer inputs give the default float; an empty reduction is
    ``-inf``.

    Examples
    --------
    >>> nr.logsumexp(nr.asarray([1000.0, 1000.0]))
    Array(1000.6932, dtype=float32)
    """
    x = _as_float("logsumexp", to_array("logsumexp", "x", x))
    axes = normalize_axes("logsumexp", axis, x.ndim)
    return _reduce(logsumexp_p, x, axes, keepdims)


# --------------------------------------------------------- cumulative sum/product


def _cumsum_kernel(x: Any, *, axis: int, reverse: bool) -> Any:
    if not reverse:
        return x.cumsum(axis=axis, dtype=_keep_dtype(x))
    flip = namespace(x).flip
    return flip(flip(x, axis).cumsum(axis=axis, dtype=_keep_dtype(x)), axis)


cumsum_p = linear(
    Primitive("cumsum", _cumsum_kernel, same_shape),
    lambda g, out, x, *, axis, reverse: scan_sum(g, axis, not reverse),
)
axis_batch_rule(cumsum_p)


def scan_sum(x: Array, axis: int, reverse: bool = False) -> Array:
    """Running sums of ``x`` along non-negative ``axis`` (from the end when ``reverse``),
    keeping its dtype."""
    if x.__class__ is Array:
        return wrap(_cumsum_kernel(x._v, axis=axis, reverse=reverse))
    return cumsum_p.bind(x, axis=axis, reverse=reverse)


cumprod_p = axis_batch_rule(
    Primitive("cumprod", lambda x, *, axis: x.cumprod(axis=axis, dtype=_keep_dtype(x)), same_shape)
)


def scan_prod(x: Array, axis: int) -> Array:
    """Running products of ``x`` along non-negative ``axis``, keeping its dtype."""
    if x.__class__ is Array:
        return wrap(cumprod_p.impl(x._v, axis=axis))
    return cumprod_p.bind(x, axis=axis)


def _cumprod_masks(x: Any, axis: int) -> tuple[Any, Any, Any, Any]:
    """For cumprod's rules: the zero mask, the mask of the first zero along ``axis``, ``x``
    with ones at its zeros, and the running product that skips the first zero."""
    from .elementwise import logical_and, where

    zero = x == 0
    first = logical_and(zero, scan_sum(astype(zero, dtypes.int64), axis) == 1)
    return zero, first, where(zero, 1, x), scan_prod(where(first, 1, x), axis)


def _cumprod_jvp(t: Any, out: Any, x: Any, *, axis: int) -> Any:
    from .elementwise import where

    zero, first, x_safe, skip_first = _cumprod_masks(x, axis)
    return out * scan_sum(where(zero, 0, t / x_safe), axis) + skip_first * scan_sum(
        where(first, t, 0), axis
    )


def _cumprod_vjp(g: Any, out: Any, x: Any, *, axis: int) -> Any:
    from .elementwise import where

    _, first, x_safe, skip_first = _cumprod_masks(x, axis)
    return where(
        first, scan_sum(g * skip_first, axis, True), scan_sum(g * out, axis, True) / x_safe
    )


cumprod_p.defjvp(_cumprod_jvp).defvjp(_cumprod_vjp)


def _scan_axis(op: str, x: Array, axis: Any) -> int:
    if axis is None:
        if x.ndim > 1:
            raise AxisError(
                f"{op}: argument 'axis' expected an int for an array with {x.ndim} dimensions, "
                "got None (None is only allowed for 1-D arrays)"
            )
        axis = 0
    return normalize_axis(op, axis, x.ndim)


def _with_initial(x: Array, out: Array, axis: int, value: int) -> Array:
    from .creation import full
    from .shape import concat

    edge = list(x.shape)
    edge[axis] = 1
    return concat([full(tuple(edge), value, dtype=out.dtype, device=x._device()), out], axis=axis)


def cumulative_sum(
    x: Any, /, *, axis: int | None = None, dtype: Any = None, include_initial: bool = False
) -> Array:
    """Running sums along ``axis`` (array API); ``axis`` may be None only for 1-D input.

    With ``include_initial`` the result starts with the empty sum, 0, and is one longer along
    ``axis``. Dtypes as :func:`sum`.

    Examples
    --------
    >>> nr.cumulative_sum(nr.asarray([1, 2, 3]), include_initial=True)
    Array([0, 1, 3, 6], dtype=int64)
    """
    x = to_array("cumulative_sum", "x", x)
    ax = _scan_axis("cumulative_sum", x, axis)
    out = scan_sum(_accumulator("cumulative_sum", x, dtype), ax)
    return _with_initial(x, out, ax, 0) if include_initial else out


def cumulative_prod(
    x: Any, /, *, axis: int | None = None, dtype: Any = None, include_initial: bool = False
) -> Array:
    """Running products along ``axis`` (array API); ``axis`` may be None only for 1-D input.

    With ``include_initial`` the result starts with the empty product, 1. Dtypes as
    :func:`sum`. The gradient is exact with zeros in the input: it never divides by them (the
    derivative at the first zero of a slice uses the running product that skips it, and later
    positions get the contributions ``out / x`` that are already zero). With at most one zero
    per slice higher derivatives are exact too.

    Examples
    --------
    >>> nr.cumulative_prod(nr.asarray([1.0, 2.0, 3.0]))
    Array([1., 2., 6.], dtype=float32)
    """
    x = to_array("cumulative_prod", "x", x)
    ax = _scan_axis("cumulative_prod", x, axis)
    out = scan_prod(_accumulator("cumulative_prod", x, dtype), ax)
    return _with_initial(x, out, ax, 1) if include_initial else out


def _flat_axis(op: str, x: Array, axis: Any) -> tuple[Array, int]:
    if axis is None:
        from .shape import reshape

        return reshape(x, (-1,)), 0
    return x, normalize_axis(op, axis, x.ndim)


def cumsum(x: Any, /, axis: int | None = None, *, dtype: Any = None) -> Array:
    """Running sums along ``axis`` (NumPy/PyTorch style: None sums the flattened array).

    Examples
    --------
    >>> nr.cumsum(nr.asarray([[1.0, 2.0], [3.0, 4.0]]), axis=1)
    Array([[1., 3.],
           [3., 7.]], dtype=float32)
    """
    x, ax = _flat_axis("cumsum", to_array("cumsum", "x", x), axis)
    return scan_sum(_accumulator("cumsum", x, dtype), ax)


def cumprod(x: Any, /, axis: int | None = None, *, dtype: Any = None) -> Array:
    """Running products along ``axis`` (NumPy/PyTorch style: None uses the flattened array);
    the gradient handles zeros as :func:`cumulative_prod` does.

    Examples
    --------
    >>> nr.cumprod(nr.asarray([1.0, 2.0, 3.0]))
    Array([1., 2., 6.], dtype=float32)
    """
    x, ax = _flat_axis("cumprod", to_array("cumprod", "x", x), axis)
    return scan_prod(_accumulator("cumprod", x, dtype), ax)


# --------------------------------------------------------------------------- diff


def _diff_kernel(x: Any, *, axis: int) -> Any:
    return namespace(x).diff(x, axis=axis)


def _diff_transpose_kernel(g: Any, *, axis: int) -> Any:
    """``out[i] = g[i - 1] - g[i]`` along ``axis`` (with zeros past both ends)."""
    shape = list(g.shape)
    shape[axis] += 1
    out = namespace(g).zeros(shape, dtype=g.dtype)
    head = [slice(None)] * g.ndim
    tail = list(head)
    head[axis] = slice(None, -1)
    tail[axis] = slice(1, None)
    out[tuple(tail)] += g
    out[tuple(head)] -= g
    return out


def _moved_rule(delta: int) -> Callable[..., ShapedArray]:
    def rule(x: ShapedArray, *, axis: int) -> ShapedArray:
        shape = list(x.shape)
        shape[axis] = builtins.max(shape[axis] + delta, 0)
        return ShapedArray(tuple(shape), x.dtype)

    return rule


diff_p = linear(
    Primitive("diff", _diff_kernel, _moved_rule(-1)),
    lambda g, out, x, *, axis: _diff_once(g, axis, transpose=True),
)
diff_transpose_p = linear(
    Primitive("diff_transpose", _diff_transpose_kernel, _moved_rule(1)),
    lambda g, out, x, *, axis: _diff_once(g, axis),
)
axis_batch_rule(diff_p)
axis_batch_rule(diff_transpose_p)


def _diff_once(x: Array, axis: int, transpose: bool = False) -> Array:
    prim = diff_transpose_p if transpose else diff_p
    if x.__class__ is Array:
        return wrap(prim.impl(x._v, axis=axis))
    return prim.bind(x, axis=axis)


def _edge(op: str, name: str, v: Any, x: Array, axis: int) -> Array:
    """``prepend``/``append`` as an array of ``x``'s shape except along ``axis``."""
    from .shape import broadcast_to

    v = to_array(op, name, v)
    if v.ndim == 0:
        edge = list(x.shape)
        edge[axis] = 1
        return broadcast_to(v, tuple(edge))
    same = v.ndim == x.ndim and builtins.all(
        a == b for i, (a, b) in enumerate(zip(v.shape, x.shape, strict=True)) if i != axis
    )
    if not same:
        raise ShapeError(
            f"{op}: argument '{name}' expected a scalar or the shape of x {tuple(x.shape)} "
            f"except along axis {axis}, got shape {tuple(v.shape)}"
        )
    return v


def diff(
    x: Any, /, *, axis: int = -1, n: int = 1, prepend: Any = None, append: Any = None
) -> Array:
    """The ``n``-th forward difference ``out[i] = x[i + 1] - x[i]`` along ``axis``.

    ``prepend`` and ``append`` (scalars, or arrays shaped like ``x`` except along ``axis``)
    are joined to ``x`` first. Each difference shortens ``axis`` by one; ``n=0`` returns ``x``
    (as NumPy).

    Examples
    --------
    >>> nr.diff(nr.asarray([1.0, 4.0, 9.0]), prepend=0.0)
    Array([1., 3., 5.], dtype=float32)
    """
    x = to_array("diff", "x", x)
    if x.dtype is dtypes.bool_:
        raise DTypeError("diff: argument 'x' expected a numeric array, got dtype bool")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"diff: argument 'n' expected a non-negative int, got {n!r}")
    if x.ndim == 0:
        raise ShapeError("diff: argument 'x' expected at least one dimension, got shape ()")
    ax = normalize_axis("diff", axis, x.ndim)
    if n == 0:
        return x
    given = {k: v for k, v in (("prepend", prepend), ("append", append)) if v is not None}
    if given:
        from .shape import concat

        x, *edges = promote_args("diff", x, *given.values())
        edge = {k: _edge("diff", k, e, x, ax) for k, e in zip(given, edges, strict=True)}
        parts = [edge.get("prepend"), x, edge.get("append")]
        x = concat([p for p in parts if p is not None], axis=ax)
    for _ in range(n):
        x = _diff_once(x, ax)
    return x


# ------------------------------------------------------------------------ OpInfos


def _axis_samples(
    low: float = -2.0,
    high: float = 2.0,
    with_zero: bool = False,
    min_side: int = 1,
    distinct: bool = False,
) -> Callable[[np.random.Generator, np.dtype], list[Sample]]:
    """One random array reduced over all axes, one axis, and an axis pair with keepdims.

    ``distinct`` spaces the values 0.25 apart (no ties or near-ties for max and min).
    """

    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        shape = tuple(d + min_side - 1 for d in rand_shape(rng, 1, 3, 5 - min_side))
        x = rand(rng, shape, dtype, low, high)
        if distinct:
            x = (rng.permutation(x.size) * 0.25 + low).reshape(shape).astype(dtype)
        if with_zero:
            x.reshape(-1)[int(rng.integers(0, x.size))] = 0
        nd = len(shape)
        axis = int(rng.integers(-nd, nd))
        pair = tuple(int(a) for a in rng.choice(nd, size=2 if nd > 1 else 1, replace=False))
        return [
            Sample((x,)),
            Sample((x,), {"axis": axis}),
            Sample((x,), {"axis": pair, "keepdims": True}),
        ]

    return samples


def _scan_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    x = rand(rng, shape, dtype)
    axis = int(rng.integers(-len(shape), len(shape)))
    return [Sample((x,), {"axis": axis}), Sample((x.reshape(-1),))]


def _cumulative_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    x = rand(rng, shape, dtype)
    axis = int(rng.integers(-len(shape), len(shape)))
    return [
        Sample((x,), {"axis": axis}),
        Sample((x,), {"axis": axis, "include_initial": True}),
        Sample((x.reshape(-1),)),
    ]


def _scan_zero_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    """Slices with one zero each (at a random position), for exact higher derivatives."""
    x = rand(rng, rand_shape(rng, 2, 2), dtype, 0.5, 2.0)
    cols = rng.integers(0, x.shape[1], size=x.shape[0])
    x[np.arange(x.shape[0]), cols] = 0
    return [Sample((x,), {"axis": 1}), Sample((np.ascontiguousarray(x.T),), {"axis": 0})]


def _diff_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    x = rand(rng, shape, dtype)
    axis = int(rng.integers(-len(shape), len(shape)))
    edge = list(shape)
    edge[axis] = 2
    return [
        Sample((x,), {"axis": axis}),
        Sample((x,), {"axis": axis, "n": 2, "prepend": rand(rng, tuple(edge), dtype)}),
    ]


def _diff_transpose_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    return [Sample((rand(rng, shape, dtype), int(rng.integers(0, len(shape)))))]


def _np_diff_transpose(g: np.ndarray, axis: int) -> np.ndarray:
    edge = list(g.shape)
    edge[axis] = 1
    zeros = np.zeros(edge, dtype=g.dtype)
    return -np.diff(g, axis=axis, prepend=zeros, append=zeros)


def _np_cumulative(fn: Callable[..., Any]) -> Callable[..., Any]:
    def ref(x: np.ndarray, axis: int | None = None, include_initial: bool = False) -> Any:
        return fn(x, axis=axis, include_initial=include_initial)

    return ref


def _np_var(correction: float) -> Callable[..., Any]:
    def ref(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> Any:
        return np.var(x, axis=axis, ddof=correction, keepdims=keepdims)

    return ref


def _np_logsumexp(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> Any:
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


_INT_FLOAT = (dtypes.float32, dtypes.float64, dtypes.int32)
_ANY = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.bool_)

register(
    OpInfo("sum", sum, np.sum, ("reduce_sum",), _axis_samples(), dtypes=_INT_FLOAT),
    OpInfo(
        "prod",
        prod,
        np.prod,
        ("reduce_prod",),
        _axis_samples(),
        dtypes=_INT_FLOAT,
        grad_samples=_axis_samples(with_zero=True),
    ),
    OpInfo("mean", mean, np.mean, ("reduce_sum",), _axis_samples(), dtypes=_INT_FLOAT),
    OpInfo(
        "var",
        lambda x, **k: var(x, correction=1, **k),
        _np_var(1),
        ("reduce_sum",),
        _axis_samples(min_side=2),
        dtypes=_INT_FLOAT,
    ),
    OpInfo("std", std, np.std, ("reduce_sum",), _axis_samples(min_side=2), dtypes=_INT_FLOAT),
    OpInfo(
        "max",
        max,
        np.max,
        ("reduce_max",),
        _axis_samples(),
        dtypes=_INT_FLOAT,
        grad_samples=_axis_samples(distinct=True),
    ),
    OpInfo(
        "min",
        min,
        np.min,
        ("reduce_min",),
        _axis_samples(),
        dtypes=_INT_FLOAT,
        grad_samples=_axis_samples(distinct=True),
    ),
    OpInfo("argmax", argmax, np.argmax, ("argmax",), _scan_samples, dtypes=_INT_FLOAT, grad=False),
    OpInfo("argmin", argmin, np.argmin, ("argmin",), _scan_samples, dtypes=_INT_FLOAT, grad=False),
    OpInfo("all", all, np.all, ("reduce_all",), _axis_samples(-1, 2), dtypes=_ANY, grad=False),
    OpInfo("any", any, np.any, ("reduce_any",), _axis_samples(-1, 2), dtypes=_ANY, grad=False),
    OpInfo(
        "count_nonzero",
        count_nonzero,
        np.count_nonzero,
        ("count_nonzero",),
        _axis_samples(-1, 2),
        dtypes=_ANY,
        grad=False,
    ),
    OpInfo(
        "logsumexp", logsumexp, _np_logsumexp, ("logsumexp",), _axis_samples(), dtypes=_INT_FLOAT
    ),
    OpInfo(
        "cumulative_sum",
        cumulative_sum,
        _np_cumulative(np.cumulative_sum),
        ("cumsum",),
        _cumulative_samples,
        dtypes=_INT_FLOAT,
    ),
    OpInfo(
        "cumulative_prod",
        cumulative_prod,
        _np_cumulative(np.cumulative_prod),
        ("cumprod",),
        _cumulative_samples,
        dtypes=_INT_FLOAT,
    ),
    OpInfo("cumsum", cumsum, np.cumsum, ("cumsum",), _scan_samples, dtypes=_INT_FLOAT),
    OpInfo(
        "cumprod",
        cumprod,
        np.cumprod,
        ("cumprod",),
        _scan_samples,
        dtypes=_INT_FLOAT,
        grad_samples=_scan_zero_samples,
    ),
    OpInfo("diff", diff, np.diff, ("diff",), _diff_samples, dtypes=_INT_FLOAT),
    OpInfo(
        "diff_transpose",
        lambda x, axis: _diff_once(x, axis, transpose=True),
        _np_diff_transpose,
        ("diff_transpose",),
        _diff_transpose_samples,
    ),
)
