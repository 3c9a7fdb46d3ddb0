"""Sorting and set functions: sort, argsort, topk and the array API ``unique_*`` family.

``sort`` and ``topk`` are compositions: an index primitive (``argsort``, ``topk_indices``; not
differentiable) and a gather along the axis (``gather_along_axis``), whose VJP scatters the
cotangent back to the positions the values came from (``scatter_add_along_axis``; the two
are each other's transpose). With a plain Array they run the backend's sort at once.

The ``unique_*`` functions have data-dependent output shapes, so they are not primitives:
they read the concrete values (also under ``grad``/``jvp``, where their results are
constants) and cannot be staged by ``jit`` nor batched by ``vmap`` (each example may have a
different number of distinct values): there they raise a ConcretizationError.

Batching rules keep the batch axis where it is: ``axis`` is renumbered around it, and the
operands of gather and scatter are brought to one batch axis (the first batched operand's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import namespace
from ..batching import Dims, batch_size, move_axis
from ..errors import ConcretizationError, DTypeError, ShapeError
from ..opinfo import OpInfo, Sample, rand, rand_shape, register
from ..primitive import Primitive, ShapedArray
from .arguments import normalize_axis, to_array
from .reduction import axis_batch_rule

__all__ = [
    "sort",
    "argsort",
    "topk",
    "unique_values",
    "unique_counts",
    "unique_inverse",
    "unique_all",
]


class TopKResult(NamedTuple):
    """The result of :func:`topk`."""

    values: Array
    indices: Array


class UniqueAllResult(NamedTuple):
    """The result of :func:`unique_all`."""

    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class UniqueCountsResult(NamedTuple):
    """The result of :func:`unique_counts`."""

    values: Array
    counts: Array


class UniqueInverseResult(NamedTuple):
    """The result of :func:`unique_inverse`."""

    values: Array
    inverse_indices: Array


# ----------------------------------------------------------- gather and scatter


def _gather_kernel(x: Any, idx: Any, *, axis: int) -> Any:
    return namespace(x).take_along_axis(x, idx, axis=axis)


def _scatter_add_kernel(g: Any, idx: Any, *, axis: int, shape: tuple[int, ...]) -> Any:
    """Zeros of ``shape`` with ``g`` added at ``idx`` along ``axis`` (repeats accumulate)."""
    xp = namespace(g)
    out = xp.zeros(shape, dtype=g.dtype)
    nd = idx.ndim
    index = [
        xp.arange(n).reshape((1,) * i + (n,) + (1,) * (nd - i - 1)) for i, n in enumerate(idx.shape)
    ]
    index[axis] = idx
    xp.add.at(out, tuple(index), g)
    return out


gather_along_axis_p = Primitive(
    "gather_along_axis",
    _gather_kernel,
    lambda x, idx, *, axis: ShapedArray(tuple(idx.shape), x.dtype),
)
scatter_add_along_axis_p = Primitive(
    "scatter_add_along_axis",
    _scatter_add_kernel,
    lambda g, idx, *, axis, shape: ShapedArray(shape, g.dtype),
)


def gather_along_axis(x: Array, idx: Array, axis: int) -> Array:
    """``take_along_axis``: ``out[..., i, ...] = x[..., idx[..., i, ...], ...]`` along
    non-negative ``axis`` (``idx`` matches ``x`` in the other dimensions)."""
    if x.__class__ is Array and idx.__class__ is Array:
        return wrap(_gather_kernel(x._v, idx._v, axis=axis))
    return gather_along_axis_p.bind(x, idx, axis=axis)


def scatter_add_along_axis(g: Array, idx: Array, axis: int, shape: tuple[int, ...]) -> Array:
    """The transpose of :func:`gather_along_axis`: zeros of ``shape`` with ``g`` added at
    ``idx`` along ``axis``."""
    if g.__class__ is Array and idx.__class__ is Array:
        return wrap(_scatter_add_kernel(g._v, idx._v, axis=axis, shape=shape))
    return scatter_add_along_axis_p.bind(g, idx, axis=axis, shape=shape)


def _aligned(args: Sequence[Any], dims: Dims) -> tuple[list[Any], int]:
    """Operands of one rank batched along one axis ``d``, the first batched operand's: other
    batched operands move their batch axis there, unbatched ones are broadcast along it."""
    from .shape import broadcast_to, reshape

    size = batch_size(args, dims)
    d = next(a for a in dims if a is not None)
    out = []
    for x, xd in zip(args, dims, strict=True):
        if xd is None:
            shape = tuple(x.shape)
            x = broadcast_to(
                reshape(x, (*shape[:d], 1, *shape[d:])), (*shape[:d], size, *shape[d:])
            )
        else:
            x = move_axis(x, xd, d)
        out.append(x)
    return out, d


def _gather_batch(args: Sequence[Any], dims: Dims, *, axis: int) -> tuple[Any, int]:
    """Batched ``gather_along_axis``: ``x`` and ``idx`` on one batch axis, ``axis`` around it."""
    (x, idx), d = _aligned(args, dims)
    return gather_along_axis_p.bind(x, idx, axis=axis if axis < d else axis + 1), d


def _scatter_batch(
    args: Sequence[Any], dims: Dims, *, axis: int, shape: tuple[int, ...]
) -> tuple[Any, int]:
    """Batched ``scatter_add_along_axis``: ``g`` and ``idx`` on one batch axis ``d``, which is
    also inserted into the output ``shape``; ``axis`` renumbered around it."""
    (g, idx), d = _aligned(args, dims)
    batched_shape = (*shape[:d], g.shape[d], *shape[d:])
    out = scatter_add_along_axis_p.bind(
        g, idx, axis=axis if axis < d else axis + 1, shape=batched_shape
    )
    return out, d


gather_along_axis_p.defbatch(_gather_batch)
scatter_add_along_axis_p.defbatch(_scatter_batch)
gather_along_axis_p.defjvp(lambda t, out, x, idx, *, axis: gather_along_axis(t, idx, axis), None)
gather_along_axis_p.defvjp(
    lambda g, out, x, idx, *, axis: scatter_add_along_axis(g, idx, axis, tuple(x.shape)), None
)
scatter_add_along_axis_p.defjvp(
    lambda t, out, g, idx, *, axis, shape: scatter_add_along_axis(t, idx, axis, shape), None
)
scatter_add_along_axis_p.defvjp(
    lambda c, out, g, idx, *, axis, shape: gather_along_axis(c, idx, axis), None
)


# --------------------------------------------------------------- sort, argsort


def _argsort_kernel(x: Any, *, axis: int, descending: bool, stable: bool) -> Any:
    xp = namespace(x)
    kind = "stable" if stable else None
    if not descending:
        return xp.argsort(x, axis=axis, kind=kind)
    # Ascending order of the reversed array, reversed back: descending, and among equal
    # elements the first comes first (stable).
    idx = xp.argsort(xp.flip(x, axis), axis=axis, kind=kind)
    return (x.shape[axis] - 1) - xp.flip(idx, axis)


def _sort_kernel(x: Any, *, axis: int, descending: bool) -> Any:
    xp = namespace(x)
    out = xp.sort(x, axis=axis)
    return xp.flip(out, axis) if descending else out


argsort_p = axis_batch_rule(
    Primitive(
        "argsort",
        _argsort_kernel,
        lambda x, **params: ShapedArray(tuple(x.shape), dtypes.default_index),
        differentiable=False,
    )
)


def _real_axis(op: str, x: Any, axis: Any) -> tuple[Array, int]:
    x = to_array(op, "x", x)
    if x.dtype.kind == "c":
        raise DTypeError(f"{op}: argument 'x' expected a real-valued array, got dtype {x.dtype}")
    return x, normalize_axis(op, axis, x.ndim)


def argsort(x: Any, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> Array:
    """The indices (int64) that sort ``x`` along ``axis``.

    With ``stable`` (the default) equal elements keep their order, also when ``descending``.
    NaNs sort as the largest values. Not differentiable: its gradient is zero.

    Examples
    --------
    >>> nr.argsort(nr.asarray([3.0, 1.0, 2.0]))
    Array([1, 2, 0], dtype=int64)
    """
    x, ax = _real_axis("argsort", x, axis)
    params = {"axis": ax, "descending": bool(descending), "stable": bool(stable)}
    if x.__class__ is Array:
        return wrap(_argsort_kernel(x._v, **params))
    return argsort_p.bind(x, **params)


def sort(x: Any, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> Array:
    """``x`` sorted along ``axis`` (ascending unless ``descending``; NaNs sort as largest).

    Differentiable: the cotangent of each output goes back to the element it came from.
    ``stable`` only matters for :func:`argsort`; sorted values are the same either way.

    Examples
    --------
    >>> nr.sort(nr.asarray([[3.0, 1.0, 2.0]]), descending=True)
    Array([[3., 2., 1.]], dtype=float32)
    """
    x, ax = _real_axis("sort", x, axis)
    if x.__class__ is Array:
        return wrap(_sort_kernel(x._v, axis=ax, descending=bool(descending)))
    idx = argsort_p.bind(x, axis=ax, descending=bool(descending), stable=bool(stable))
    return gather_along_axis(x, idx, ax)


# ------------------------------------------------------------------------- topk


def _topk_kernel(x: Any, *, k: int, axis: int, largest: bool) -> Any:
    idx = _argsort_kernel(x, axis=axis, descending=largest, stable=True)
    return namespace(x).take(idx, namespace(x).arange(k), axis=axis)


def _topk_rule(x: ShapedArray, *, k: int, axis: int, largest: bool) -> ShapedArray:
    shape = list(x.shape)
    shape[axis] = k
    return ShapedArray(tuple(shape), dtypes.default_index)


topk_indices_p = axis_batch_rule(
    Primitive("topk_indices", _topk_kernel, _topk_rule, differentiable=False)
)


def topk(
    x: Any,
    /,
    k: int,
    axis: int = -1,
    largest: bool = True,
    sorted: bool = True,  # noqa: A002 - PyTorch's name
) -> TopKResult:
    """The ``k`` largest (or smallest) elements along ``axis`` and their indices.

    Returns ``(values, indices)`` (a named tuple), ordered from the most extreme; among equal
    elements the first one wins. ``sorted=False`` allows any order (neurarust always returns
    them sorted). The gradient of ``values`` flows to the selected positions of ``x``.

    Raises
    ------
    ShapeError
        When ``k`` is negative or larger than the size of ``axis``.

    Examples
    --------
    >>> values, indices = nr.topk(nr.asarray([1.0, 4.0, 2.0, 3.0]), 2)
    >>> values, indices
    (Array([4., 3.], dtype=float32), Array([1, 3], dtype=int64))
    """
    x, ax = _real_axis("topk", x, axis)
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"topk: argument 'k' expected an int, got {type(k).__name__}")
    n = x.shape[ax]
    if not 0 <= k <= n:
        raise ShapeError(
            f"topk: argument 'k' expected a value in [0, {n}] (the size of axis {axis} of "
            f"shape {tuple(x.shape)}), got {k}"
        )
    params = {"k": int(k), "axis": ax, "largest": bool(largest)}
    if x.__class__ is Array:
        idx = wrap(_topk_kernel(x._v, **params))
    else:
        idx = topk_indices_p.bind(x, **params)
    return TopKResult(gather_along_axis(x, idx, ax), idx)


# ------------------------------------------------------------------------ unique


def _unique(op: str, x: Any, **returns: bool) -> Any:
    """``unique`` of the flattened concrete values of ``x``; each NaN is its own value.

    Raises a ConcretizationError naming ``op`` where ``x`` has no concrete value (under
    ``vmap`` it holds one value per example, and each may have its own number of distinct
    values, so no single output shape exists).
    """
    arr = to_array(op, "x", x)
    try:
        v = arr._buffer()
    except ConcretizationError as err:
        raise ConcretizationError(
            f"{op}: the number of distinct values depends on the values of 'x', which have no "
            f"single concrete value here (under vmap they differ from one example to the next), "
            f"so the output has no fixed shape. Call {op} outside vmap, or use an op with a "
            "static output size such as nr.sort (equal values end up adjacent)."
        ) from err
    return namespace(v).unique(v.reshape(-1), equal_nan=False, **returns)


def unique_values(x: Any, /) -> Array:
    """The distinct values of ``x`` (flattened), sorted; each NaN counts as distinct.

    The output size depends on the values, so this is not staged by ``jit``; under ``grad``
    the result is a constant.

    Examples
    --------
    >>> nr.unique_values(nr.asarray([3, 1, 3, 2]))
    Array([1, 2, 3], dtype=int64)
    """
    return wrap(_unique("unique_values", x))


def unique_counts(x: Any, /) -> UniqueCountsResult:
    """The distinct values of ``x`` and how often each occurs (int64), as in
    :func:`unique_values`.

    Examples
    --------
    >>> nr.unique_counts(nr.asarray([3, 1, 3])).counts
    Array([1, 2], dtype=int64)
    """
    values, counts = _unique("unique_counts", x, return_counts=True)
    return UniqueCountsResult(wrap(values), wrap(counts))


def unique_inverse(x: Any, /) -> UniqueInverseResult:
    """The distinct values of ``x`` and, shaped like ``x``, the index of each element's value
    in them (so ``values[inverse_indices]`` rebuilds ``x``).

    Examples
    --------
    >>> nr.unique_inverse(nr.asarray([[3, 1], [3, 2]])).inverse_indices
    Array([[2, 0],
           [2, 1]], dtype=int64)
    """
    x = to_array("unique_inverse", "x", x)
    values, inverse = _unique("unique_inverse", x, return_inverse=True)
    return UniqueInverseResult(wrap(values), wrap(inverse.reshape(x.shape)))


def unique_all(x: Any, /) -> UniqueAllResult:
    """The distinct values of ``x``, the flat index of each one's first occurrence, the
    inverse indices (shaped like ``x``) and the counts.

    Examples
    --------
    >>> nr.unique_all(nr.asarray([3, 1, 3])).indices
    Array([1, 0], dtype=int64)
    """
    x = to_array("unique_all", "x", x)
    values, index, inverse, counts = _unique(
        "unique_all", x, return_index=True, return_inverse=True, return_counts=True
    )
    return UniqueAllResult(wrap(values), wrap(index), wrap(inverse.reshape(x.shape)), wrap(counts))


# ------------------------------------------------------------------------ OpInfos


def _distinct(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Distinct integers around zero in random order: no ties, so derivatives exist."""
    size = int(np.prod(shape))
    return (rng.permutation(size) - size // 2).reshape(shape).astype(dtype)


def _sort_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    x = _distinct(rng, shape, dtype)
    axis = int(rng.integers(-len(shape), len(shape)))
    return [
        Sample((x,)),
        Sample((x,), {"axis": axis, "descending": True}),
        Sample((x,), {"axis": axis, "stable": False}),
    ]


def _tie_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    x = rand(rng, shape, dtype, -2, 2)
    axis = int(rng.integers(-len(shape), len(shape)))
    return [Sample((x,), {"axis": axis}), Sample((x,), {"axis": axis, "descending": True})]


def _topk_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    x = _distinct(rng, shape, dtype)
    axis = int(rng.integers(-len(shape), len(shape)))
    k = int(rng.integers(0, shape[axis] + 1))
    return [Sample((x, k), {"axis": axis}), Sample((x, k), {"axis": axis, "largest": False})]


def _scatter_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    axis = int(rng.integers(0, len(shape)))
    out_shape = list(shape)
    out_shape[axis] = int(rng.integers(1, 4))
    idx = rng.integers(0, out_shape[axis], size=shape)
    return [Sample((rand(rng, shape, dtype), idx, axis, tuple(out_shape)))]


def _np_sort(x: np.ndarray, axis: int = -1, descending: bool = False, stable: bool = True) -> Any:
    out = np.sort(x, axis=axis)
    return np.flip(out, axis) if descending else out


def _np_argsort(
    x: np.ndarray, axis: int = -1, descending: bool = False, stable: bool = True
) -> Any:
    return np.argsort(-x if descending else x, axis=axis, kind="stable")


def _np_topk(x: np.ndarray, k: int, axis: int = -1, largest: bool = True) -> Any:
    idx = np.take(_np_argsort(x, axis, descending=largest), np.arange(k), axis=axis)
    return np.take_along_axis(x, idx, axis=axis), idx


def _np_scatter_add(g: np.ndarray, idx: np.ndarray, axis: int, shape: tuple[int, ...]) -> Any:
    out = np.zeros(shape, dtype=g.dtype)
    index = list(np.indices(idx.shape, sparse=True))
    index[axis] = idx
    np.add.at(out, tuple(index), g)
    return out


def _np_unique_all(x: np.ndarray) -> Any:
    values, index, inverse, counts = np.unique(
        x.reshape(-1), return_index=True, return_inverse=True, return_counts=True
    )
    return values, index, inverse.reshape(x.shape), counts


def _unique_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    return [Sample((rand(rng, rand_shape(rng), dtype, -3, 3).round().astype(dtype),))]


_REAL = (dtypes.float32, dtypes.float64, dtypes.int32)

register(
    OpInfo("sort", sort, _np_sort, ("argsort", "gather_along_axis"), _sort_samples, _REAL),
    OpInfo("argsort", argsort, _np_argsort, ("argsort",), _sort_samples, _REAL, grad=False),
    OpInfo(
        "argsort_ties",
        argsort,
        _np_argsort,
        ("argsort",),
        _tie_samples,
        (dtypes.int32, dtypes.int64),
        grad=False,
    ),
    OpInfo("topk", topk, _np_topk, ("topk_indices", "gather_along_axis"), _topk_samples, _REAL),
    OpInfo(
        "scatter_add_along_axis",
        scatter_add_along_axis,
        _np_scatter_add,
        ("scatter_add_along_axis",),
        _scatter_samples,
    ),
    OpInfo(
        "unique_values",
        unique_values,
        lambda x: np.unique(x.reshape(-1)),
        (),
        _unique_samples,
        _REAL,
        grad=False,
    ),
    OpInfo(
        "unique_counts",
        unique_counts,
        lambda x: np.unique(x.reshape(-1), return_counts=True),
        (),
        _unique_samples,
        _REAL,
        grad=False,
    ),
    OpInfo(
        "unique_inverse",
        unique_inverse,
        lambda x: _np_unique_all(x)[::2],
        (),
        _unique_samples,
        _REAL,
        grad=False,
    ),
    OpInfo("unique_all", unique_all, _np_unique_all, (), _unique_samples, _REAL, grad=False),
)
