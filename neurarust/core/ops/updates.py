"""Functional updates: ``x.at[idx].set(v)`` and the rest of the shim, plus PyTorch's in-place
indexing ops as functions (``fill``, ``masked_fill``, ``index_put``, ``scatter``,
``scatter_add``, ``index_add``). Every update returns a new array; no input is ever written.

Primitives (``key`` is a canonical key from :func:`.indexing.normalize_key`; ``u`` has the
indexed shape and ``x``'s dtype):

- ``scatter``: ``x`` with ``x[key]`` replaced by ``u``. For a repeated index the backend's
  last write wins, and only that element of ``u`` receives a derivative.
- ``scatter_add``: ``u`` added at ``key``; repeated indices accumulate (``np.add.at``). It is
  the transpose of ``strided_slice``/``gather`` and they are its transpose.
- ``scatter_max``/``scatter_min``: the elementwise extremum with ``u`` at ``key``. The
  derivative goes to the elements equal to the result at each position (of ``x`` and ``u``),
  split evenly between tied ones (the JAX and PyTorch convention).

``multiply``, ``divide`` and ``power`` have no primitive. Eagerly they run NumPy's
``ufunc.at``; under a transform they run as one gather-op-scatter round per level of index
repetition, which applies repeated indices in order (exactly ``ufunc.at``) and differentiates
through the elementwise op, zeros included.

Index arrays whose values are not known (they differ per example under ``vmap``, or are
abstract under ``jit``; see :func:`.indexing.is_unknown`) are operands of the ``dynamic_*``
primitives, after ``x`` and ``u``, with a template key (:func:`.indexing.dynamic_key`):
``dynamic_scatter``, ``dynamic_scatter_add``, ``dynamic_scatter_max``/``_min`` (the same
semantics and rules as above) and ``dynamic_scatter_mul`` (``np.multiply.at``: the product of
every value landing on a position; its derivative uses the product of the *other* values,
from segmented prefix and suffix products, exact with zeros). ``divide`` multiplies by the
reciprocals and ``power`` raises to the product of the exponents there, so repeated indices
give ``x * (1/v1) * (1/v2)`` and ``x ** (v1 * v2)``: equal to NumPy's in-order result up to
rounding, for positive ``x`` or integer exponents. Out-of-bounds values raise
IndexBoundsError when the kernel runs; negative ones count from the end.

Every primitive here is batched by :func:`.indexing.scatter_batch_rule`: one call on the whole
batch, the batch axis taken whole by the key (or joining the advanced indices when the index
arrays are batched).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import namespace
from ..errors import DTypeError, ShapeError, message
from ..opinfo import OpInfo, Sample, rand, rand_shape, register
from ..primitive import SHAPES, Primitive, ShapedArray
from .arguments import asarray, astype, broadcast_shapes, normalize_axis, to_array
from .creation import arange, full, zeros
from .elementwise import where
from .indexing import (
    along_axis_key,
    checked_kernel,
    checked_shape,
    dynamic_index,
    dynamic_key,
    dynamic_shape,
    fill_slots,
    getitem,
    index_array,
    index_with_key,
    indexed_shape,
    invalid_key,
    is_basic,
    key_namespace,
    normalize_key,
    operand_key_sample,
    random_key,
    scatter_batch_rule,
    spec_key,
    unknown_positions,
    value_device,
)
from .shape import broadcast_to, reshape

__all__ = [
    "AtIndexer",
    "fill",
    "masked_fill",
    "index_put",
    "scatter",
    "scatter_add",
    "index_add",
]

_SCALARS = frozenset({bool, int, float, complex})
_UFUNCS = {
    "add": "add",
    "subtract": "subtract",
    "multiply": "multiply",
    "divide": "divide",
    "power": "power",
    "min": "minimum",
    "max": "maximum",
}

# ------------------------------------------------------------------ primitives


def _view(out: Any, key: tuple[Any, ...]) -> Any:
    """The writable view ``out[key]`` of a basic key (0-d rather than a scalar copy)."""
    return out[key] if Ellipsis in key else out[(*key, Ellipsis)]


def _set_kernel(x: Any, u: Any, *, key: tuple[Any, ...]) -> Any:
    out = namespace(x).array(x, copy=True)
    out[key] = u
    return out


def _ufunc_kernel(name: str) -> Callable[..., Any]:
    def kernel(x: Any, u: Any, *, key: tuple[Any, ...]) -> Any:
        xp = namespace(x)
        out = xp.array(x, copy=True)
        f = getattr(xp, name)
        if is_basic(key):
            view = _view(out, key)
            f(view, u, out=view)
        else:
            f.at(out, key, u)
        return out

    kernel.__name__ = f"{name}_at"
    return kernel


def _dynamic_kernel(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """``kernel(x, u, key=...)`` for a template key filled with the index operands, whose
    values are checked (out-of-bounds indices raise IndexBoundsError)."""

    def run(x: Any, u: Any, *idx: Any, key: tuple[Any, ...]) -> Any:
        full = fill_slots(key, idx)
        return checked_kernel("at[]", lambda: kernel(x, u, key=full), x.shape, full)

    run.__name__ = f"dynamic_{kernel.__name__}"
    return run


def _same_as_x(x: ShapedArray, u: ShapedArray, *idx: ShapedArray, key: Any) -> ShapedArray:
    return ShapedArray(tuple(x.shape), x.dtype)


def _apply(prim: Primitive, x: Array, u: Array, key: tuple[Any, ...]) -> Array:
    if x.__class__ is Array and u.__class__ is Array:
        return wrap(prim.impl(x._v, u._v, key=key))
    return prim.bind(x, u, key=key)


def zeros_as(shape: tuple[int, ...], like: Array) -> Array:
    """Zeros of ``shape`` with the dtype and device of ``like`` (rules see only shapes)."""
    return zeros(tuple(shape), dtype=like.dtype, device=value_device(like))


def scatter_at(x: Array, u: Array, key: tuple[Any, ...]) -> Array:
    """``x`` with ``x[key]`` set to ``u`` (canonical key; ``u`` of the indexed shape and
    ``x``'s dtype)."""
    return _apply(scatter_p, x, u, key)


def scatter_add_at(x: Array, u: Array, key: tuple[Any, ...]) -> Array:
    """``x`` with ``u`` added at ``key``, repeated indices accumulating (canonical key; ``u`` of
    the indexed shape and ``x``'s dtype)."""
    return _apply(scatter_add_p, x, u, key)


def dynamic_update(kind: str, x: Any, u: Any, idx: Any, key: tuple[Any, ...]) -> Array:
    """``x`` updated at a template ``key`` (see :func:`.indexing.dynamic_key`) with index
    operands ``idx``: ``kind`` is 'set', 'add', 'min' or 'max'."""
    return _DYNAMIC[kind].bind(x, u, *idx, key=key)


def _get(x: Any, key: tuple[Any, ...], idx: Any) -> Array:
    """``x[key]``: a canonical key, or a template with index operands ``idx``."""
    return dynamic_index(x, idx, key) if idx else index_with_key(x, key)


def _set(x: Any, u: Any, key: tuple[Any, ...], idx: Any) -> Array:
    return dynamic_update("set", x, u, idx, key) if idx else scatter_at(x, u, key)


def _add(x: Any, u: Any, key: tuple[Any, ...], idx: Any) -> Array:
    return dynamic_update("add", x, u, idx, key) if idx else scatter_add_at(x, u, key)


def _winners(key: tuple[Any, ...], shape: tuple[int, ...], ushape: tuple[int, ...]) -> Any:
    """A bool mask of the elements of ``u`` that ``scatter`` keeps (the last write to each
    position), or None when no index repeats."""
    if is_basic(key):
        return None
    xp = key_namespace(key)
    ids = xp.arange(math.prod(ushape)).reshape(ushape)
    slots = xp.full(shape, -1, dtype=ids.dtype)
    slots[key] = ids
    won = slots[key] == ids
    return None if bool(won.all()) else wrap(won)


def _dynamic_winners(x: Any, u: Any, idx: Any, key: tuple[Any, ...], like: Any) -> Array:
    """:func:`_winners` for index operands, computed with the dynamic primitives."""
    device = value_device(like)
    ids = reshape(arange(math.prod(u.shape), device=device), tuple(u.shape))
    slots = dynamic_update(
        "set", full(tuple(x.shape), -1, dtype=ids.dtype, device=device), ids, idx, key
    )
    return dynamic_index(slots, idx, key) == ids


def _set_values_cotangent(g: Any, out: Any, x: Any, u: Any, *idx: Any, key: Any) -> Any:
    gu = _get(g, key, idx)
    if idx:
        won = _dynamic_winners(x, u, idx, key, g)
    else:
        won = _winners(key, tuple(x.shape), tuple(u.shape))
    return gu if won is None else where(won, gu, zeros_as(gu.shape, gu))


def _set_rules(prim: Primitive) -> Primitive:
    prim.defjvp(
        lambda t, out, x, u, *idx, key: _set(t, zeros_as(u.shape, t), key, idx),
        lambda t, out, x, u, *idx, key: _set(zeros_as(x.shape, t), t, key, idx),
    )
    prim.defvjp(
        lambda g, out, x, u, *idx, key: _set(g, zeros_as(u.shape, g), key, idx),
        _set_values_cotangent,
    )
    prim.defbatch(scatter_batch_rule(prim))
    return prim


def _add_rules(prim: Primitive) -> Primitive:
    prim.defjvp(
        lambda t, out, x, u, *idx, key: t,
        lambda t, out, x, u, *idx, key: _add(zeros_as(x.shape, t), t, key, idx),
    )
    prim.defvjp(
        lambda g, out, x, u, *idx, key: g,
        lambda g, out, x, u, *idx, key: _get(g, key, idx),
    )
    prim.defbatch(scatter_batch_rule(prim))
    return prim


def _shares(out: Any, x: Any, u: Any, key: tuple[Any, ...], idx: Any) -> tuple[Array, Array]:
    """The derivative share of each element of ``x`` and ``u`` in a scatter extremum: the
    elements equal to the result at their position split it evenly; NaN results give none."""
    hit_x = astype(x == out, out.dtype)
    hit_u = astype(u == _get(out, key, idx), out.dtype)
    count = hit_x + _add(zeros_as(x.shape, hit_x), hit_u, key, idx)
    count = where(count > 0, count, 1)
    return hit_x / count, hit_u / _get(count, key, idx)


def _extremum_rules(prim: Primitive) -> Primitive:
    prim.defjvp(
        lambda t, out, x, u, *idx, key: t * _shares(out, x, u, key, idx)[0],
        lambda t, out, x, u, *idx, key: _add(
            zeros_as(x.shape, t), t * _shares(out, x, u, key, idx)[1], key, idx
        ),
    )
    prim.defvjp(
        lambda g, out, x, u, *idx, key: g * _shares(out, x, u, key, idx)[0],
        lambda g, out, x, u, *idx, key: _get(g, key, idx) * _shares(out, x, u, key, idx)[1],
    )
    prim.defbatch(scatter_batch_rule(prim))
    return prim


# Static keys: only shapes are read by the rules of scatter and scatter_add. The dynamic
# primitives take their index arrays as operands after ``x`` and ``u``; their rules read them.
scatter_p = _set_rules(Primitive("scatter", _set_kernel, _same_as_x))
scatter_p.residuals = SHAPES
scatter_add_p = _add_rules(Primitive("scatter_add", _ufunc_kernel("add"), _same_as_x))
scatter_add_p.residuals = SHAPES
scatter_max_p = _extremum_rules(Primitive("scatter_max", _ufunc_kernel("maximum"), _same_as_x))
scatter_min_p = _extremum_rules(Primitive("scatter_min", _ufunc_kernel("minimum"), _same_as_x))

dynamic_scatter_p = _set_rules(
    Primitive("dynamic_scatter", _dynamic_kernel(_set_kernel), _same_as_x)
)
dynamic_scatter_add_p = _add_rules(
    Primitive("dynamic_scatter_add", _dynamic_kernel(_ufunc_kernel("add")), _same_as_x)
)
dynamic_scatter_max_p = _extremum_rules(
    Primitive("dynamic_scatter_max", _dynamic_kernel(_ufunc_kernel("maximum")), _same_as_x)
)
dynamic_scatter_min_p = _extremum_rules(
    Primitive("dynamic_scatter_min", _dynamic_kernel(_ufunc_kernel("minimum")), _same_as_x)
)


def _products(u: Any, shape: tuple[int, ...], idx: Any, key: tuple[Any, ...]) -> Array:
    """The product of the elements of ``u`` that land on each position of an array of
    ``shape`` (one where none does)."""
    ones = full(tuple(shape), 1, dtype=u.dtype, device=value_device(u))
    return dynamic_update("multiply", ones, u, idx, key)


def _segmented_exclusive_products(v: Any, seg: Any) -> Array:
    """For each element of the 1-D ``v``, the product of the elements before it with the same
    ``seg`` (segments are contiguous runs): a shift by one, then ``log2(len)`` rounds of
    doubling (Hillis-Steele), all products and selections, so exact to every derivative order."""
    from .shape import concat

    n = int(v.shape[0])
    if n == 0:
        return v
    one = full((1,), 1, dtype=v.dtype, device=value_device(v))
    e = concat([one, where(seg[1:] == seg[:-1], v[:-1], 1)])
    s = 1
    while s < n:
        e = concat([e[:s], where(seg[s:] == seg[:-s], e[:-s] * e[s:], e[s:])])
        s *= 2
    return e


def _others_product(u: Any, shape: tuple[int, ...], idx: Any, key: tuple[Any, ...]) -> Array:
    """For each element of ``u``, the product of the other elements landing on its position
    (exact with zeros, to every order): the elements sorted by position, the products of the
    elements before and after each one within its run."""
    from .indexing import take
    from .shape import flip
    from .sorting import argsort

    m = math.prod(u.shape)
    ids = reshape(arange(math.prod(shape), device=value_device(u)), tuple(shape))
    pos = reshape(dynamic_index(ids, idx, key), (m,))
    order = argsort(pos, stable=True)
    seg, vals = take(pos, order), take(reshape(u, (m,)), order)
    before = _segmented_exclusive_products(vals, seg)
    after = flip(_segmented_exclusive_products(flip(vals), flip(seg)))
    return reshape(take(before * after, argsort(order)), tuple(u.shape))


# The product of every value landing on a position (np.multiply.at), for index arrays of
# unknown value; with static keys, multiply runs as rounds of gathers and scatters instead.
dynamic_scatter_mul_p = Primitive(
    "dynamic_scatter_mul", _dynamic_kernel(_ufunc_kernel("multiply")), _same_as_x
)
dynamic_scatter_mul_p.defjvp(
    lambda t, out, x, u, *idx, key: t * _products(u, x.shape, idx, key),
    lambda t, out, x, u, *idx, key: _add(
        zeros_as(x.shape, t),
        _get(x, key, idx) * _others_product(u, x.shape, idx, key) * t,
        key,
        idx,
    ),
)
dynamic_scatter_mul_p.defvjp(
    lambda g, out, x, u, *idx, key: g * _products(u, x.shape, idx, key),
    lambda g, out, x, u, *idx, key: _get(g * x, key, idx) * _others_product(u, x.shape, idx, key),
)
dynamic_scatter_mul_p.defbatch(scatter_batch_rule(dynamic_scatter_mul_p))
_DYNAMIC = {
    "set": dynamic_scatter_p,
    "add": dynamic_scatter_add_p,
    "multiply": dynamic_scatter_mul_p,
    "min": dynamic_scatter_min_p,
    "max": dynamic_scatter_max_p,
}


def _repetition_layers(key: tuple[Any, ...], shape: tuple[int, ...]) -> tuple[Any, Any]:
    """The flat position each indexed element hits, and how many earlier elements (in C
    order) hit the same position."""
    xp = key_namespace(key)
    pos = xp.arange(math.prod(shape)).reshape(shape)[key].reshape(-1)
    order = xp.argsort(pos, kind="stable")
    ranked = pos[order]
    rank = xp.empty_like(order)
    rank[order] = xp.arange(pos.size) - xp.searchsorted(ranked, ranked, side="left")
    return pos, rank


def _sequential(fn: Callable[[Any, Any], Any], x: Array, u: Array, key: tuple[Any, ...]) -> Any:
    """``x.at[key]`` combined with ``u`` by ``fn``, repeated indices applied in order, from
    differentiable gathers, elementwise ops and unique-index scatters."""

    def combine(a: Any, b: Any) -> Any:
        r = fn(a, b)
        return r if r.dtype is x.dtype else astype(r, x.dtype)

    if not is_basic(key):
        pos, rank = _repetition_layers(key, tuple(x.shape))
        depth = int(rank.max()) + 1 if rank.size else 1
        if depth > 1:
            xp = key_namespace(key)
            flat, flat_u = reshape(x, (-1,)), reshape(u, (-1,))
            for level in range(depth):
                sel = xp.nonzero(rank == level)[0]
                k = (pos[sel],)
                u_level = index_with_key(flat_u, (sel,), False)
                flat = scatter_at(flat, combine(index_with_key(flat, k, False), u_level), k)
            return reshape(flat, tuple(x.shape))
    return scatter_at(x, combine(index_with_key(x, key), u), key)


_TRACED: dict[str, Callable[[Array, Array, tuple[Any, ...]], Array]] = {
    "set": scatter_at,
    "add": scatter_add_at,
    "subtract": lambda x, u, key: scatter_add_at(x, -u, key),
    "multiply": lambda x, u, key: _sequential(operator.mul, x, u, key),
    "divide": lambda x, u, key: _sequential(operator.truediv, x, u, key),
    "power": lambda x, u, key: _sequential(operator.pow, x, u, key),
    "min": lambda x, u, key: _apply(scatter_min_p, x, u, key),
    "max": lambda x, u, key: _apply(scatter_max_p, x, u, key),
}

# ------------------------------------------------------------------ the update shim


def _fit_shape(op: str, ushape: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """``ushape`` without leading ones beyond ``shape``'s rank, after checking that values of
    ``ushape`` broadcast to ``shape`` (NumPy's assignment rule)."""
    extra = max(len(ushape) - len(shape), 0)
    core = ushape[extra:]
    fits = all(d == 1 for d in ushape[:extra]) and all(
        a in (1, b) for a, b in zip(core[::-1], shape[::-1], strict=False)
    )
    if not fits:
        raise ShapeError(
            f"{op}: argument 'values' of shape {ushape} does not broadcast to the indexed "
            f"shape {shape}"
        )
    return core


_SCALAR_FITS = {bool: "biufcV", int: "iufcV", float: "fcV", complex: "c"}


def _scalar_values(value: Any, dtype: np.dtype) -> Any:
    """A Python scalar cast to ``dtype`` as ``astype`` casts (truncating floats to ints)."""
    if dtype.kind in _SCALAR_FITS[value.__class__]:
        return value
    return astype(asarray(value), dtype).item()


def _eager(op: str, kind: str, x: Array, idx: Any, values: Any) -> Array:
    v = x._v
    xp = namespace(v)
    key, basic = normalize_key(op, v.shape, idx, xp, check_arrays=xp is not np)
    if values.__class__ is Array:
        u = values._v if values.dtype is v.dtype else astype(values, v.dtype)._v
    else:
        u = _scalar_values(values, v.dtype)
    out = xp.array(v, copy=True)
    try:
        _write(op, kind, xp, out, key, basic, u)
    except IndexError as e:
        normalize_key(op, v.shape, idx, xp)
        raise invalid_key(op, v.shape, e) from None
    return wrap(out)


def _write(op: str, kind: str, xp: Any, out: Any, key: Any, basic: bool, u: Any) -> None:
    """Update the fresh buffer ``out`` in place at ``key`` with ``u`` (NumPy raises
    IndexError for out-of-bounds index arrays)."""
    if kind == "set":
        try:
            out[key] = u
        except ValueError:
            if getattr(u, "ndim", 0):
                _fit_shape(op, tuple(u.shape), indexed_shape(out.shape, key))
            raise
        return
    target = _view(out, key) if basic else None
    if getattr(u, "ndim", 0):
        shape = target.shape if basic else indexed_shape(out.shape, key)
        u = u.reshape(_fit_shape(op, tuple(u.shape), tuple(shape)))
    f = getattr(xp, _UFUNCS[kind])
    if basic:
        f(target, u, out=target)
    else:
        f.at(out, key, u)


def _update(op: str, kind: str, x: Any, idx: Any, values: Any, traced: Any = None) -> Array:
    """``x`` updated at ``idx`` with ``values`` by ``kind`` ('set', 'add', ... as in ``at``).

    The entries of ``idx`` at the positions ``traced`` (by default those whose values are not
    known, see :func:`.indexing.is_unknown`) become index operands of the ``dynamic_*``
    primitives.
    """
    x = to_array(op, "x", x)
    if values.__class__ not in _SCALARS:
        values = to_array(op, "values", values)
    if kind == "divide" and not dtypes.is_inexact(x.dtype):
        raise DTypeError(message(op, "x", "a floating or complex array", f"dtype {x.dtype}"))
    if kind == "subtract" and x.dtype is dtypes.bool_:
        raise DTypeError(message(op, "x", "a numeric array", "dtype bool"))
    if traced is None:
        traced = () if idx.__class__ is int else unknown_positions(idx)
    eager = values.__class__ is Array or values.__class__ in _SCALARS
    if not traced and x.__class__ is Array and eager:
        return _eager(op, kind, x, idx, values)
    if values.__class__ in _SCALARS:
        u = asarray(_scalar_values(values, x.dtype), dtype=x.dtype)
    else:
        u = values if values.dtype is x.dtype else astype(values, x.dtype)
    if traced:
        return _dynamic(op, kind, x, idx, traced, u)
    key, _ = normalize_key(op, tuple(x.shape), idx, x._namespace())
    shape = checked_shape(op, tuple(x.shape), key)
    u = reshape(u, _fit_shape(op, tuple(u.shape), shape))
    return _TRACED[kind](x, broadcast_to(u, shape), key)


def _dynamic(op: str, kind: str, x: Array, idx: Any, traced: list[int], u: Array) -> Array:
    """:func:`_update` with the index entries at ``traced`` as operands (``u`` has ``x``'s
    dtype). Repeated indices: ``divide`` multiplies by the reciprocals and ``power`` raises to
    the product of the exponents, ``x ** (v1 * v2)`` for ``(x ** v1) ** v2`` (equal for
    positive ``x`` and for integer exponents)."""
    key, operands = dynamic_key(op, tuple(x.shape), idx, traced, x._namespace())
    shape = dynamic_shape(tuple(x.shape), key, [tuple(o.shape) for o in operands])
    u = broadcast_to(reshape(u, _fit_shape(op, tuple(u.shape), shape)), shape)
    if kind == "power":
        device = value_device(x)
        counts = zeros(tuple(x.shape), dtype=dtypes.int64, device=device)
        hits = full(shape, 1, dtype=dtypes.int64, device=device)
        hit = dynamic_update("add", counts, hits, operands, key) > 0
        return where(hit, x ** _products(u, tuple(x.shape), operands, key), x)
    if kind == "subtract":
        kind, u = "add", -u
    elif kind == "divide":
        kind, u = "multiply", 1 / u
    return dynamic_update(kind, x, u, operands, key)


class IndexUpdate:
    """``x.at[idx]``: the updates of ``x`` at ``idx``, each returning a new array.

    ``idx`` is anything ``x[idx]`` accepts; ``values`` broadcast to the shape of ``x[idx]``
    and are cast to ``x``'s dtype (as JAX does). Repeated indices apply every update in order
    (``np.add.at`` semantics) except for ``set``, where the last one wins. All updates are
    differentiable in ``x`` and ``values``. Under ``vmap`` the index arrays may differ per
    example; ``divide`` and ``power`` then combine repeated indices' values first (see the
    module docstring).
    """

    __slots__ = ("_idx", "_x")

    def __init__(self, x: Array, idx: Any) -> None:
        self._x = x
        self._idx = idx

    def get(self) -> Array:
        """``x[idx]``."""
        return getitem(self._x, self._idx)

    def set(self, values: Any) -> Array:
        """``x`` with ``x[idx]`` replaced by ``values``."""
        return _update("at[].set", "set", self._x, self._idx, values)

    def add(self, values: Any) -> Array:
        """``x`` with ``values`` added at ``idx`` (repeated indices accumulate)."""
        return _update("at[].add", "add", self._x, self._idx, values)

    def subtract(self, values: Any) -> Array:
        """``x`` with ``values`` subtracted at ``idx``."""
        return _update("at[].subtract", "subtract", self._x, self._idx, values)

    def multiply(self, values: Any) -> Array:
        """``x`` with ``x[idx]`` multiplied by ``values``."""
        return _update("at[].multiply", "multiply", self._x, self._idx, values)

    def divide(self, values: Any) -> Array:
        """``x`` with ``x[idx]`` divided by ``values`` (floating and complex ``x`` only)."""
        return _update("at[].divide", "divide", self._x, self._idx, values)

    def power(self, values: Any) -> Array:
        """``x`` with ``x[idx]`` raised to ``values``."""
        return _update("at[].power", "power", self._x, self._idx, values)

    def min(self, values: Any) -> Array:
        """``x`` with ``x[idx]`` replaced by ``minimum(x[idx], values)``."""
        return _update("at[].min", "min", self._x, self._idx, values)

    def max(self, values: Any) -> Array:
        """``x`` with ``x[idx]`` replaced by ``maximum(x[idx], values)``."""
        return _update("at[].max", "max", self._x, self._idx, values)

    def __repr__(self) -> str:
        return f"IndexUpdate(shape={tuple(self._x.shape)}, index={self._idx!r})"


class AtIndexer:
    """What ``x.at`` returns: ``x.at[idx]`` is an :class:`IndexUpdate`.

    Examples
    --------
    >>> x = nr.zeros(3)
    >>> x.at[1].set(5.0)
    Array([0., 5., 0.], dtype=float32)
    >>> x.at[nr.asarray([0, 0, 2])].add(1.0)
    Array([2., 0., 1.], dtype=float32)
    """

    __slots__ = ("_x",)

    def __init__(self, x: Array) -> None:
        self._x = x

    def __getitem__(self, idx: Any) -> IndexUpdate:
        return IndexUpdate(self._x, idx)

    def __repr__(self) -> str:
        return f"AtIndexer(shape={tuple(self._x.shape)}, dtype={self._x.dtype})"


# --------------------------------------------------------- PyTorch's in-place ops


def fill(x: Any, value: Any) -> Array:
    """An array of ``x``'s shape and dtype filled with ``value`` (PyTorch's ``fill_``).

    ``value`` is a scalar or a 0-d array; the result is differentiable in a 0-d array value.
    """
    x = to_array("fill", "x", x)
    if isinstance(value, (np.ndarray, np.generic)) and value.ndim == 0:
        value = value.item()
    if type(value) in _SCALARS:
        return full(
            tuple(x.shape), _scalar_values(value, x.dtype), dtype=x.dtype, device=value_device(x)
        )
    value = to_array("fill", "value", value)
    if value.ndim:
        raise ShapeError(message("fill", "value", "a scalar or a 0-d array", tuple(value.shape)))
    return broadcast_to(value if value.dtype is x.dtype else astype(value, x.dtype), x.shape)


def masked_fill(x: Any, mask: Any, value: Any) -> Array:
    """``x`` with ``value`` where the boolean ``mask`` (broadcast to ``x``'s shape) is true.

    ``value`` (a scalar or an array broadcasting to ``x``) is cast to ``x``'s dtype.

    Examples
    --------
    >>> nr.masked_fill(nr.asarray([[1.0, 2.0]]), nr.asarray([False, True]), 0.0)
    Array([[1., 0.]], dtype=float32)
    """
    x = to_array("masked_fill", "x", x)
    mask = to_array("masked_fill", "mask", mask)
    if mask.dtype is not dtypes.bool_:
        raise DTypeError(message("masked_fill", "mask", "a bool array", f"dtype {mask.dtype}"))
    shape = tuple(x.shape)
    for name, arg in (("mask", mask), ("value", value)):
        ashape = tuple(np.shape(arg))
        if len(ashape) > len(shape) or broadcast_shapes("masked_fill", ashape, shape) != shape:
            raise ShapeError(
                f"masked_fill: argument '{name}' of shape {ashape} does not broadcast to the "
                f"shape of 'x' {shape}"
            )
    if type(value) in _SCALARS:
        value = asarray(_scalar_values(value, x.dtype), dtype=x.dtype)
    else:
        value = to_array("masked_fill", "value", value)
        value = value if value.dtype is x.dtype else astype(value, x.dtype)
    return where(mask, value, x)


def index_put(x: Any, indices: Any, values: Any, accumulate: bool = False) -> Array:
    """PyTorch's ``index_put``: ``x`` with ``x[indices]`` set to (or, with ``accumulate``,
    increased by) ``values``; ``indices`` is a tuple of integer or boolean index arrays.

    Examples
    --------
    >>> x = nr.zeros((2, 2))
    >>> nr.index_put(x, (nr.asarray([0, 0]), nr.asarray([1, 1])), 1.0, accumulate=True)
    Array([[0., 2.],
           [0., 0.]], dtype=float32)
    """
    if not isinstance(indices, (tuple, list)):
        raise TypeError(
            message("index_put", "indices", "a tuple of index arrays", type(indices).__name__)
        )
    kind = "add" if accumulate else "set"
    return _update("index_put", kind, x, tuple(indices), values)


_REDUCTIONS = {
    None: "set",
    "add": "add",
    "sum": "add",
    "multiply": "multiply",
    "prod": "multiply",
    "amax": "max",
    "amin": "min",
}


def scatter(x: Any, dim: int, index: Any, src: Any, reduce: str | None = None) -> Array:
    """PyTorch's ``scatter``: for ``dim=0``, ``out[index[i][j]][j] = src[i][j]``.

    ``index`` has ``x``'s number of dimensions and is no larger than ``x`` outside ``dim``
    (nor than ``src`` anywhere); ``src`` is an array (cut to ``index``'s shape) or a scalar.
    ``reduce`` combines instead of setting: ``"add"`` (alias ``"sum"``), ``"multiply"``
    (``"prod"``), ``"amax"`` or ``"amin"``, each including ``x``'s own value. Repeated
    indices: without ``reduce`` the last one (in C order) wins and alone gets a derivative;
    with ``"amax"``/``"amin"`` tied winners share the derivative evenly; ``"multiply"``
    differentiates exactly, zeros included.

    Examples
    --------
    >>> nr.scatter(nr.zeros((2, 2)), 1, nr.asarray([[1], [0]]), nr.asarray([[5.0], [7.0]]))
    Array([[0., 5.],
           [7., 0.]], dtype=float32)
    """
    if reduce not in _REDUCTIONS:
        raise ValueError(message("scatter", "reduce", f"one of {list(_REDUCTIONS)}", repr(reduce)))
    return _scatter_along("scatter", _REDUCTIONS[reduce], x, dim, index, src)


def scatter_add(x: Any, dim: int, index: Any, src: Any) -> Array:
    """PyTorch's ``scatter_add``: ``scatter(x, dim, index, src, reduce="add")``.

    Examples
    --------
    >>> nr.scatter_add(nr.zeros(3), 0, nr.asarray([0, 0, 2]), nr.asarray([1.0, 2.0, 3.0]))
    Array([3., 0., 3.], dtype=float32)
    """
    return _scatter_along("scatter_add", "add", x, dim, index, src)


def _scatter_along(op: str, kind: str, x: Any, dim: int, index: Any, src: Any) -> Array:
    x = to_array(op, "x", x)
    dim = normalize_axis(op, dim, x.ndim, "dim")
    idx = index_array(op, "index", index, x._namespace())
    key = along_axis_key(op, tuple(x.shape), idx, dim, True, x._namespace())
    if type(src) not in _SCALARS:
        src = to_array(op, "src", src)
        ishape = tuple(idx.shape)
        if src.ndim != idx.ndim or any(s < i for s, i in zip(src.shape, ishape, strict=True)):
            raise ShapeError(
                f"{op}: argument 'src' expected {idx.ndim} dimensions, each at least as large "
                f"as in 'index' {ishape}, got shape {tuple(src.shape)}"
            )
        if tuple(src.shape) != ishape:
            src = getitem(src, tuple(slice(0, n) for n in ishape))
    return _update(op, kind, x, key, src)


def index_add(x: Any, dim: int, index: Any, source: Any, alpha: Any = 1) -> Array:
    """PyTorch's ``index_add``: ``x`` with ``alpha * source[..., i, ...]`` added at
    ``x[..., index[i], ...]`` along ``dim`` (repeated indices accumulate).

    Examples
    --------
    >>> nr.index_add(nr.zeros((3, 1)), 0, nr.asarray([2, 2]), nr.asarray([[1.0], [2.0]]))
    Array([[0.],
           [0.],
           [3.]], dtype=float32)
    """
    x = to_array("index_add", "x", x)
    dim = normalize_axis("index_add", dim, x.ndim, "dim")
    idx = index_array("index_add", "index", index, x._namespace())
    idx = reshape(idx, (-1,)) if isinstance(idx, Array) else idx.reshape(-1)
    source = to_array("index_add", "source", source)
    want = (*x.shape[:dim], idx.shape[0], *x.shape[dim + 1 :])
    if tuple(source.shape) != want:
        raise ShapeError(
            f"index_add: argument 'source' expected shape {want} (the shape of 'x' with "
            f"dimension {dim} of the length of 'index'), got {tuple(source.shape)}"
        )
    if not (type(alpha) in _SCALARS and alpha == 1):
        source = source * alpha
    return _update("index_add", "add", x, (slice(None),) * dim + (idx,), source)


# ------------------------------------------------------------------ OpInfos


def _at_ref(kind: str) -> Callable[..., np.ndarray]:
    def ref(x: np.ndarray, key: Any, v: np.ndarray) -> np.ndarray:
        out = np.array(x, copy=True)
        v = np.asarray(v).astype(out.dtype)
        if kind == "set":
            out[key] = v
        else:
            getattr(np, _UFUNCS[kind]).at(out, key, np.broadcast_to(v, out[key].shape))
        return out

    return ref


def _at_samples(low: float = -2.0, high: float = 2.0, vlow: float = -2.0, vhigh: float = 2.0):
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        out = []
        for advanced in (False, True, True):
            shape = rand_shape(rng, 1, 3)
            key = random_key(rng, shape, advanced)
            target = np.empty(shape)[key].shape
            vshape = target[int(rng.integers(0, len(target) + 1)) :]
            x = rand(rng, shape, dtype, low, high)
            out.append(Sample((x, key, rand(rng, vshape, dtype, vlow, vhigh))))
        return out

    return samples


def _at_fn(kind: str) -> Callable[..., Array]:
    def fn(x: Any, key: Any, v: Any) -> Array:
        return getattr(x.at[key], kind)(v)

    fn.__name__ = f"at_{kind}"
    return fn


def _operand_fn(kind: str) -> Callable[..., Array]:
    def fn(x: Any, spec: tuple[Any, ...], v: Any, *arrays: Any) -> Array:
        key, positions = spec_key(spec, arrays)
        return _update(f"at[].{kind}", kind, x, key, v, traced=positions)

    fn.__name__ = f"at_{kind}_operands"
    return fn


def _operand_ref(kind: str) -> Callable[..., np.ndarray]:
    def ref(x: np.ndarray, spec: tuple[Any, ...], v: np.ndarray, *arrays: Any) -> np.ndarray:
        return _at_ref(kind)(x, spec_key(spec, arrays)[0], v)

    return ref


def _operand_samples(
    low: float = -2.0, high: float = 2.0, vlow: float = -2.0, vhigh: float = 2.0
) -> Callable[..., list[Sample]]:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        out = []
        for _ in range(2):
            shape = rand_shape(rng, 1, 3)
            spec, arrays = operand_key_sample(rng, shape)
            target = np.empty(shape)[spec_key(spec, arrays)[0]].shape
            vshape = target[int(rng.integers(0, len(target) + 1)) :]
            x = rand(rng, shape, dtype, low, high)
            out.append(Sample((x, spec, rand(rng, vshape, dtype, vlow, vhigh), *arrays)))
        return out

    return samples


def _torch_scatter(reduce: str | None) -> Callable[..., np.ndarray]:
    def ref(x: np.ndarray, dim: int, index: np.ndarray, src: Any, reduce: Any = reduce) -> Any:
        out = np.array(x, copy=True)
        for pos in np.ndindex(*index.shape):
            dst = list(pos)
            dst[dim] = index[pos]
            dst = tuple(dst)
            s = src[pos] if isinstance(src, np.ndarray) else src
            if reduce is None:
                out[dst] = s
            elif reduce == "add":
                out[dst] += s
            elif reduce == "multiply":
                out[dst] *= s
            else:
                out[dst] = (np.maximum if reduce == "amax" else np.minimum)(out[dst], s)
        return out

    return ref


def _scatter_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    dim = int(rng.integers(0, len(shape)))
    ishape = [int(rng.integers(1, d + 1)) for d in shape]
    ishape[dim] = int(rng.integers(1, 5))
    idx = rng.integers(0, shape[dim], size=ishape)
    src = rand(rng, [d + int(rng.integers(0, 2)) for d in ishape], dtype)
    return [Sample((rand(rng, shape, dtype), dim, idx, src))]


def _index_add_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    dim = int(rng.integers(0, len(shape)))
    idx = rng.integers(-shape[dim], shape[dim], size=int(rng.integers(1, 5)))
    sshape = (*shape[:dim], idx.shape[0], *shape[dim + 1 :])
    return [Sample((rand(rng, shape, dtype), dim, idx, rand(rng, sshape, dtype)), {"alpha": 2.0})]


def _np_index_add(x: np.ndarray, dim: int, idx: np.ndarray, src: np.ndarray, alpha: float = 1):
    out = np.array(x, copy=True)
    np.add.at(out, (slice(None),) * dim + (idx,), alpha * src)
    return out


def _index_put_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    n = int(rng.integers(1, len(shape) + 1))
    idx = tuple(rng.integers(0, shape[d], size=3) for d in range(n))
    v = rand(rng, (3, *shape[n:]), dtype)
    x = rand(rng, shape, dtype)
    return [Sample((x, idx, v)), Sample((x, idx, v), {"accumulate": True})]


def _np_index_put(x: np.ndarray, idx: Any, v: np.ndarray, accumulate: bool = False):
    out = np.array(x, copy=True)
    if accumulate:
        np.add.at(out, tuple(idx), v)
    else:
        out[tuple(idx)] = v
    return out


def _masked_fill_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    mask = rng.random(shape[int(rng.integers(0, len(shape) + 1)) :]) < 0.5
    x = rand(rng, shape, dtype)
    return [Sample((x, mask, 3.0)), Sample((x, mask, rand(rng, (), dtype)))]


def _fill_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    x = rand(rng, rand_shape(rng), dtype)
    return [Sample((x, 1.5)), Sample((x, rand(rng, (), dtype)))]


_AT_DTYPES = (dtypes.float32, dtypes.float64, dtypes.int32)
_TORCH_REDUCES = {None: ("scatter",), "add": ("scatter_add",), "multiply": ("scatter",)}
_TORCH_REDUCES.update({"amax": ("scatter_max",), "amin": ("scatter_min",)})

register(
    OpInfo("at_set", _at_fn("set"), _at_ref("set"), ("scatter",), _at_samples(), _AT_DTYPES),
    OpInfo("at_add", _at_fn("add"), _at_ref("add"), ("scatter_add",), _at_samples(), _AT_DTYPES),
    OpInfo(
        "at_subtract",
        _at_fn("subtract"),
        _at_ref("subtract"),
        ("scatter_add",),
        _at_samples(),
        _AT_DTYPES,
    ),
    OpInfo(
        "at_multiply",
        _at_fn("multiply"),
        _at_ref("multiply"),
        ("scatter",),
        _at_samples(),
        _AT_DTYPES,
    ),
    OpInfo(
        "at_divide",
        _at_fn("divide"),
        _at_ref("divide"),
        ("scatter",),
        _at_samples(vlow=0.5, vhigh=2.0),
    ),
    OpInfo(
        "at_power",
        _at_fn("power"),
        _at_ref("power"),
        ("scatter",),
        _at_samples(low=0.5, high=2.0, vlow=-1.0, vhigh=2.0),
    ),
    OpInfo("at_min", _at_fn("min"), _at_ref("min"), ("scatter_min",), _at_samples(), _AT_DTYPES),
    OpInfo("at_max", _at_fn("max"), _at_ref("max"), ("scatter_max",), _at_samples(), _AT_DTYPES),
    *(
        OpInfo(
            f"at_{kind}_traced",
            _operand_fn(kind),
            _operand_ref(kind),
            (prim,),
            _operand_samples(),
            _AT_DTYPES,
        )
        for kind, prim in (
            ("set", "dynamic_scatter"),
            ("add", "dynamic_scatter_add"),
            ("multiply", "dynamic_scatter_mul"),
            ("min", "dynamic_scatter_min"),
            ("max", "dynamic_scatter_max"),
        )
    ),
    OpInfo(
        "at_divide_traced",
        _operand_fn("divide"),
        _operand_ref("divide"),
        ("dynamic_scatter_mul",),
        _operand_samples(vlow=0.5, vhigh=2.0),
    ),
    OpInfo(
        "at_power_traced",
        _operand_fn("power"),
        _operand_ref("power"),
        ("dynamic_scatter_mul", "dynamic_scatter_add"),
        _operand_samples(low=0.5, high=2.0, vlow=-1.0, vhigh=2.0),
    ),
    *(
        OpInfo(
            f"scatter_{reduce}",
            lambda x, d, i, s, reduce=reduce: scatter(x, d, i, s, reduce=reduce),
            _torch_scatter(reduce),
            prims,
            _scatter_samples,
            _AT_DTYPES,
        )
        for reduce, prims in _TORCH_REDUCES.items()
    ),
    OpInfo("scatter_add", scatter_add, _torch_scatter("add"), ("scatter_add",), _scatter_samples),
    OpInfo("index_add", index_add, _np_index_add, ("scatter_add",), _index_add_samples),
    OpInfo("index_put", index_put, _np_index_put, ("scatter",), _index_put_samples),
    OpInfo(
        "masked_fill",
        masked_fill,
        lambda x, m, v: np.where(m, np.asarray(v, x.dtype), x),
        ("select",),
        _masked_fill_samples,
    ),
    OpInfo(
        "fill",
        fill,
        lambda x, v: np.full_like(x, v),
        ("broadcast_to",),
        _fill_samples,
        grad_argnums=(1,),
        grad_samples=lambda rng, dtype: _fill_samples(rng, dtype)[1:],
    ),
)
