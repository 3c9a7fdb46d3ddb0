"""Indexing and selection: ``x[key]``, take/gather, nonzero, masked_select, bincount,
searchsorted and one_hot.

Index keys are concrete whenever their values are known: integers, slices, ``None``,
``Ellipsis`` and integer or boolean arrays (neurarust, NumPy, CuPy or nested lists; a tracer of
``grad`` or ``jvp`` contributes its value). :func:`normalize_key` checks a key once (dtypes,
bounds, mask shapes) and turns its array entries into backend buffers, so kernels index with the
backend's own NumPy semantics.

A key made of integers, slices, ``None`` and ``Ellipsis`` is *basic*: it goes through the
``strided_slice`` primitive, whose kernel returns a view. Any other key goes through ``gather``.
Both transpose to ``scatter_add`` (see :mod:`.updates`), whose transpose is them again, so
derivatives of every order work. Functions whose result size depends on values (``nonzero``,
``masked_select``, ``bincount``) read those values eagerly, as NumPy does.

An integer index array whose values are *not* known (it differs per example under ``vmap``, or
is abstract under ``jit``) becomes an operand of ``dynamic_gather`` (and of the
``dynamic_scatter*`` primitives of :mod:`.updates`): their ``key`` is a template, the canonical
key with a :class:`Slot` where each operand goes. Such indices follow NumPy: negative values
count from the end, and a value outside its axis raises IndexBoundsError when the kernel runs
(no clamping). Where a value that is not known would decide a result's shape (a boolean mask,
a slice bound, ``nonzero`` without ``size``, the mask of ``masked_select``, the values of
``bincount``, ``one_hot`` with ``num_classes=-1``) the function raises ConcretizationError.

Batching (``vmap``) rules make one call on the whole batch and move no data they need not: a
batched array indexed by a static key takes its batch axis whole (a ``slice(None)`` inserted at
that axis, so ``strided_slice`` stays a view), and a batched index array joins the advanced
indices (with an ``arange`` over the batch for a batched indexed array), placed where NumPy puts
advanced-index dimensions (:class:`KeyLayout`). ``nonzero`` (with its static ``size``),
``bincount`` (with its static length) and ``searchsorted`` (with sorted rows that differ per
example) have batched forms built from sorts and offsets.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from types import EllipsisType, NoneType
from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import device_of, namespace
from ..batching import Dims, batch_size, move_axis, to_front
from ..errors import (
    ConcretizationError,
    DeviceError,
    DTypeError,
    IndexBoundsError,
    ShapeError,
    message,
)
from ..opinfo import OpInfo, Sample, rand, rand_shape, register
from ..primitive import Primitive, ShapedArray
from .arguments import astype, broadcast_args, normalize_axis, promote_args, to_array
from .rules import linear

__all__ = [
    "getitem",
    "take",
    "index_select",
    "take_along_axis",
    "gather",
    "nonzero",
    "masked_select",
    "bincount",
    "searchsorted",
    "one_hot",
]

_SIMPLE = frozenset({int, slice, NoneType, EllipsisType})
_new = object.__new__
_KEY_KINDS = "ints, slices, None, Ellipsis, or integer or boolean arrays"

# ------------------------------------------------------------------ index keys


def _slice(op: str, s: slice) -> slice:
    """``s`` with integer (or None) bounds and a non-zero step."""
    parts = []
    for part in (s.start, s.stop, s.step):
        if part is None or part.__class__ is int:
            parts.append(part)
            continue
        if is_unknown(part):
            raise ConcretizationError(
                f"{op}: a slice bound that differs per example (under vmap) or is abstract "
                "(under jit) would make the result's shape depend on its value; slice bounds "
                "must be concrete. For a window of static length n starting at a traced i, use "
                "nr.take(x, i + nr.arange(n), axis=...)"
            )
        try:
            parts.append(operator.index(part))
        except TypeError:
            raise DTypeError(
                message(op, "key", "slice bounds that are integers or None", repr(part))
            ) from None
    if parts[2] == 0:
        raise ShapeError(message(op, "key", "a slice step other than 0", repr(s)))
    return slice(*parts)


def _index_buffer(op: str, k: Any, xp: Any, name: str = "key") -> Any:
    """An index array (Array, tracer, NumPy/CuPy array, list) as a buffer of ``xp``."""
    if isinstance(k, Array):
        v = k._buffer()
    elif isinstance(k, (list, tuple)):
        try:
            v = np.asarray(k)
        except ValueError:
            raise ShapeError(
                message(op, name, "index lists that are rectangular", repr(k))
            ) from None
        if v.size == 0 and v.dtype.kind == "f":
            v = v.astype(np.intp)
    elif hasattr(k, "dtype") and hasattr(k, "shape"):
        v = k
    else:
        raise TypeError(message(op, name, "an integer or boolean array", type(k).__name__))
    if v.dtype.kind not in "biu":
        raise DTypeError(message(op, name, "index arrays of an integer or bool dtype", v.dtype))
    if namespace(v) is not xp:
        if xp is np:
            raise DeviceError(
                f"{op}: argument '{name}' expected index arrays on the indexed array's device "
                f"(cpu), got an array on {device_of(v)}"
            )
        v = xp.asarray(v)
    return v


def _entry(op: str, k: Any, xp: Any) -> Any:
    """One key entry in canonical form (see :func:`normalize_key`)."""
    kc = k.__class__
    if k is None or k is Ellipsis:
        return k
    if kc is slice:
        return _slice(op, k)
    if kc is bool or kc is np.bool_:
        return xp.asarray(bool(k))
    if isinstance(k, (int, np.integer)):
        return int(k)
    if isinstance(k, (float, complex, np.inexact)):
        raise DTypeError(message(op, "key", _KEY_KINDS, f"{type(k).__name__} {k!r}"))
    if isinstance(k, (Array, list, tuple, np.ndarray)) or hasattr(k, "__cuda_array_interface__"):
        v = _index_buffer(op, k, xp)
        if v.ndim == 0 and v.dtype.kind != "b":
            return int(v)
        return v
    raise TypeError(message(op, "key", _KEY_KINDS, type(k).__name__))


def _consumed(k: Any) -> int:
    """How many dimensions of the indexed array a canonical key entry consumes."""
    if k is None or k is Ellipsis:
        return 0
    if k.__class__ is int or k.__class__ is slice:
        return 1
    return k.ndim if k.dtype.kind == "b" else 1


def _out_of_bounds(op: str, index: int, axis: int, size: int) -> IndexBoundsError:
    return IndexBoundsError(
        f"{op}: index {index} is out of bounds for axis {axis} with size {size} "
        f"(valid indices are {-size}..{size - 1})"
    )


def _check_bounds(
    op: str, shape: tuple[int, ...], key: list[Any], used: int, check_arrays: bool
) -> None:
    """Raise for out-of-bounds integers (and index arrays when ``check_arrays``) and for
    mis-shaped masks; wrap negative integers."""
    axis = 0
    for i, k in enumerate(key):
        if k is None:
            continue
        if k is Ellipsis:
            axis += len(shape) - used
        elif k.__class__ is int:
            n = shape[axis]
            if not -n <= k < n:
                raise _out_of_bounds(op, k, axis, n)
            if k < 0:
                key[i] = k + n
            axis += 1
        elif k.__class__ is slice:
            axis += 1
        elif k.dtype.kind == "b":
            want = shape[axis : axis + k.ndim]
            if tuple(k.shape) != want:
                raise IndexBoundsError(
                    f"{op}: argument 'key' expected a boolean mask of shape {want} for axes "
                    f"{axis}..{axis + k.ndim - 1} of an array of shape {shape}, got a mask of "
                    f"shape {tuple(k.shape)}"
                )
            axis += k.ndim
        else:
            n = shape[axis]
            if check_arrays and k.size:
                lo, hi = int(k.min()), int(k.max())
                if lo < -n or hi >= n:
                    raise _out_of_bounds(op, lo if lo < -n else hi, axis, n)
            axis += 1


def normalize_key(
    op: str, shape: tuple[int, ...], key: Any, xp: Any = np, check_arrays: bool = True
) -> tuple[tuple[Any, ...], bool]:
    """``(canonical key, is_basic)`` for indexing an array of ``shape`` with ``key``.

    The canonical key is a tuple of non-negative in-bounds ints, slices with integer bounds,
    ``None``, ``Ellipsis``, and integer or boolean buffers of the namespace ``xp``; it means
    exactly what NumPy makes of ``key``. Raises DTypeError (float or other non-integer
    indices), IndexBoundsError (out-of-bounds indices, too many indices, two ellipses, mask
    shapes) and TypeError (entries that are not indices). ``check_arrays=False`` skips the
    bounds of index arrays, for callers that let NumPy check them and then call again with
    the check to explain a NumPy IndexError.
    """
    if key.__class__ is int and shape and -shape[0] <= key < shape[0]:
        return (key % shape[0],), True
    entries = key if key.__class__ is tuple else (key,)
    out = [_entry(op, k, xp) for k in entries]
    basic = True
    used = 0
    ellipses = 0
    for k in out:
        if k is Ellipsis:
            ellipses += 1
        elif k is not None and k.__class__ is not int and k.__class__ is not slice:
            basic = False
        used += _consumed(k)
    if ellipses > 1:
        raise IndexBoundsError(message(op, "key", "at most one Ellipsis (...)", ellipses))
    if used > len(shape):
        raise IndexBoundsError(
            f"{op}: argument 'key' indexes {used} dimensions of an array with only "
            f"{len(shape)} (shape {shape})"
        )
    _check_bounds(op, shape, out, used, check_arrays)
    return tuple(out), basic


def is_basic(key: tuple[Any, ...]) -> bool:
    """Whether a canonical key holds no index arrays (its result is a view)."""
    return all(k.__class__ in _SIMPLE for k in key)


def key_namespace(key: tuple[Any, ...]) -> Any:
    """The array namespace of the index buffers in a canonical key (NumPy when none)."""
    for k in key:
        if k.__class__ not in _SIMPLE:
            return namespace(k)
    return np


def indexed_shape(shape: tuple[int, ...], key: tuple[Any, ...]) -> tuple[int, ...]:
    """The shape of ``x[key]`` for ``x`` of ``shape`` and a canonical key (NumPy's rules)."""
    xp = key_namespace(key)
    return tuple(xp.broadcast_to(xp.empty((), dtype=bool), shape)[key].shape)


def invalid_key(op: str, shape: tuple[int, ...], error: IndexError) -> IndexBoundsError:
    """The error for a key that passed :func:`normalize_key` but that the backend rejects
    (index arrays that do not broadcast together)."""
    return IndexBoundsError(
        f"{op}: argument 'key' is not a valid index for an array of shape {shape}: {error}"
    )


def checked_shape(op: str, shape: tuple[int, ...], key: tuple[Any, ...]) -> tuple[int, ...]:
    """:func:`indexed_shape`, raising IndexBoundsError for keys whose arrays do not broadcast."""
    try:
        return indexed_shape(shape, key)
    except IndexError as e:
        raise invalid_key(op, shape, e) from None


# ------------------------------------------------------------ traced index arrays


def is_unknown(k: Any) -> bool:
    """Whether ``k`` is a traced array whose value is not known (it differs per example under
    ``vmap``, or is abstract under ``jit``): such an index becomes a primitive's operand."""
    if k.__class__ is Array or not isinstance(k, Array):
        return False
    try:
        k._buffer()
    except ConcretizationError:
        return True
    return False


def key_entries(key: Any) -> tuple[Any, ...]:
    """The entries of an index key (a non-tuple key is one entry)."""
    return key if key.__class__ is tuple else (key,)


def unknown_positions(key: Any) -> list[int]:
    """The positions of the entries of ``key`` that are index arrays of unknown value."""
    return [i for i, k in enumerate(key_entries(key)) if is_unknown(k)]


@dataclass(frozen=True, slots=True)
class Slot:
    """A key-template entry standing for index operand ``i`` of a ``dynamic_*`` primitive."""

    i: int


def dynamic_key(
    op: str, shape: tuple[int, ...], key: Any, positions: list[int], xp: Any
) -> tuple[tuple[Any, ...], list[Array]]:
    """``(template, operands)`` for indexing an array of ``shape`` with ``key`` whose entries at
    ``positions`` become operands: integer index arrays, usually of unknown value.

    The template is the canonical key (:func:`normalize_key`) with ``Slot(i)`` in place of
    operand ``i``. Everything static is checked here (dtypes, the number of indices, static
    bounds, that the index shapes broadcast); the operands' values are checked by the kernels.
    """
    entries = list(key_entries(key))
    operands = []
    for p in positions:
        k = to_array(op, "key", entries[p])
        if k.dtype.kind == "b":
            raise ConcretizationError(
                f"{op}: a boolean mask index that differs per example (under vmap) or is "
                "abstract (under jit) selects a number of elements that depends on its values, "
                "so the indexed shape is not static. Use nr.where instead (nr.where(mask, x, 0) "
                "for x[mask], nr.where(mask, values, x) for x.at[mask].set(values)), or "
                "nr.nonzero(mask, size=n) for a fixed number of indices."
            )
        if k.dtype.kind not in "iu":
            raise DTypeError(
                message(op, "key", "index arrays of an integer or bool dtype", k.dtype)
            )
        operands.append(k)
        entries[p] = xp.zeros(tuple(k.shape), dtype=np.intp)
    nkey, _ = normalize_key(op, shape, tuple(entries), xp)
    checked_shape(op, shape, nkey)
    template = list(nkey)
    for i, p in enumerate(positions):
        template[p] = Slot(i)
    return tuple(template), operands


def fill_slots(key: tuple[Any, ...], operands: Any) -> tuple[Any, ...]:
    """The key ``key`` with each :class:`Slot` replaced by its operand."""
    return tuple(operands[e.i] if e.__class__ is Slot else e for e in key)


def _template_namespace(key: tuple[Any, ...]) -> Any:
    """The array namespace of a template's static index buffers (NumPy when none)."""
    for k in key:
        if k.__class__ not in _SIMPLE and k.__class__ is not Slot:
            return namespace(k)
    return np


def dynamic_shape(
    shape: tuple[int, ...], key: tuple[Any, ...], shapes: list[tuple[int, ...]]
) -> tuple[int, ...]:
    """The shape of ``x[key]`` for a template ``key`` whose operands have ``shapes``."""
    xp = _template_namespace(key)
    return indexed_shape(shape, fill_slots(key, [xp.zeros(s, dtype=np.intp) for s in shapes]))


def checked_kernel(
    op: str, kernel: Callable[[], Any], shape: tuple[int, ...], key: tuple[Any, ...]
) -> Any:
    """``kernel()``, which indexes an array of ``shape`` with the filled key ``key``, raising
    IndexBoundsError for index values out of bounds (NumPy raises IndexError; other backends
    are checked first)."""
    used = sum(_consumed(k) for k in key)
    if key_namespace(key) is not np:
        _check_bounds(op, shape, list(key), used, True)
    try:
        return kernel()
    except IndexError as e:
        _check_bounds(op, shape, list(key), used, True)
        raise invalid_key(op, shape, e) from None


def value_device(x: Any) -> Any:
    """The device of ``x``, also for a tracer with no concrete value (read one level down)."""
    while x.__class__ is not Array:
        v = getattr(x, "_v", None)
        if not isinstance(v, Array):
            return "cpu" if x._namespace() is np else "cuda"
        x = v
    return x.device


# ------------------------------------------------------------------ batching


def _advanced_entry(k: Any, arrays: bool) -> bool:
    """Whether a key entry is an advanced index (integers are, next to index arrays)."""
    kc = k.__class__
    if kc is int:
        return arrays
    return kc not in _SIMPLE


def _entry_consumed(k: Any) -> int:
    """How many dimensions a key or template entry consumes (a Slot: one)."""
    return 1 if k.__class__ is Slot else _consumed(k)


class KeyLayout:
    """Where indexing an array of ``ndim`` dimensions with a canonical key (or a template, whose
    operands have ``slot_ndims`` dimensions) puts each axis, by NumPy's rules.

    ``entries`` is the key with every ``Ellipsis`` that spans dimensions written out as slices
    and trailing slices added, so each dimension has an entry (an ``Ellipsis`` spanning none is
    kept: between advanced indices it still separates them). ``adv`` lists the advanced entries;
    when they are consecutive (``consec``) their broadcast dimensions (``bcast_ndim`` of them)
    replace them in place, else they come first.
    """

    __slots__ = ("entries", "adv", "consec", "bcast_ndim")

    def __init__(self, key: tuple[Any, ...], ndim: int, slot_ndims: list[int]) -> None:
        arrays = any(k.__class__ not in _SIMPLE for k in key)
        used = sum(_entry_consumed(k) for k in key)
        entries: list[Any] = []
        for k in key:
            if k is Ellipsis and ndim > used:
                entries.extend([slice(None)] * (ndim - used))
            else:
                entries.append(k)
        if not any(k is Ellipsis for k in key):
            entries.extend([slice(None)] * (ndim - used))
        self.entries = entries
        self.adv = [i for i, k in enumerate(entries) if _advanced_entry(k, arrays)]
        self.consec = not self.adv or self.adv[-1] - self.adv[0] + 1 == len(self.adv)
        ndims = [0]
        for k in entries:
            if k.__class__ is Slot:
                ndims.append(slot_ndims[k.i])
            elif k.__class__ not in _SIMPLE:
                ndims.append(1 if k.dtype.kind == "b" else k.ndim)
        self.bcast_ndim = max(ndims)

    def _consumed_before(self, p: int) -> int:
        return sum(_entry_consumed(k) for k in self.entries[:p])

    def _basic_dims_before(self, p: int) -> int:
        return sum(1 for k in self.entries[:p] if k is None or k.__class__ is slice)

    def with_whole_axis(self, axis: int) -> tuple[tuple[Any, ...], int] | None:
        """``(key, out_axis)`` for the array with an extra axis at ``axis`` taken whole, and
        where that axis lands in the result; None when no entry boundary at ``axis`` keeps the
        advanced indices together (a mask spans it, or it falls between them)."""
        adv = self.adv
        for p in range(len(self.entries) + 1):
            consumed = self._consumed_before(p)
            if consumed > axis:
                return None
            if consumed < axis or (adv and self.consec and adv[0] < p <= adv[-1]):
                continue
            out = self._basic_dims_before(p)
            if adv and (not self.consec or p > adv[-1]):
                out += self.bcast_ndim
            return (*self.entries[:p], slice(None), *self.entries[p:]), out
        return None

    def index_axes(self) -> tuple[int, int, int]:
        """``(axis, position, out_axis)`` for a batch index joining the advanced indices: the
        axis of the array it indexes, its position in the key and where its dimension lands."""
        if self.consec:
            first = self.adv[0]
            return self._consumed_before(first), first, self._basic_dims_before(first)
        return 0, 0, 0


def _slot_ndims(idx: list[Any], dims: Dims) -> list[int]:
    """The per-example number of dimensions of each index operand."""
    return [len(a.shape) - (d is not None) for a, d in zip(idx, dims, strict=True)]


def _lift_indices(idx: list[Any], dims: Dims, ndim: int) -> list[Any]:
    """Batched index operands with the batch axis first and ones up to ``ndim`` per-example
    dimensions after it, so that they broadcast with the unbatched ones per example."""
    from .shape import reshape

    out = []
    for a, d in zip(idx, dims, strict=True):
        if d is not None:
            a = move_axis(a, d, 0)
            shape = tuple(a.shape)
            if len(shape) - 1 < ndim:
                a = reshape(a, (shape[0], *(1,) * (ndim - len(shape) + 1), *shape[1:]))
        out.append(a)
    return out


def _batch_index(size: int, ndim: int, like: Any) -> Array:
    """``arange(size)`` shaped ``(size, 1, ..., 1)`` (``ndim`` ones) on the device of ``like``."""
    from .creation import arange
    from .shape import reshape

    return reshape(
        arange(size, dtype=dtypes.int64, device=value_device(like)), (size,) + (1,) * ndim
    )


def _whole_axis(layout: KeyLayout, x: Any, axis: int) -> tuple[Any, int, tuple[Any, ...], int]:
    """``(x, axis, key, out_axis)``: the batch axis of ``x`` taken whole by the key, moved to
    the front first when it cannot stay where it is."""
    found = layout.with_whole_axis(axis)
    if found is None:
        x, axis = move_axis(x, axis, 0), 0
        found = layout.with_whole_axis(0)
    assert found is not None  # the front is always an entry boundary before the indices
    key, out = found
    return x, axis, key, out


def gather_batch_rule(prim: Primitive) -> Any:
    """The batching rule of ``x[key]`` primitives: ``prim(x, *index_operands, key=...)``.

    A batched ``x`` with unbatched indices is indexed with its batch axis taken whole. Batched
    index operands join the advanced indices (with an ``arange`` over the batch when ``x`` is
    batched too, its batch axis moved to where the advanced indices start).
    """

    def rule(args: list[Any], dims: Dims, *, key: tuple[Any, ...]) -> tuple[Any, int]:
        x, *idx = args
        dx, *didx = dims
        ndim = len(x.shape) - (dx is not None)
        layout = KeyLayout(key, ndim, _slot_ndims(idx, didx))
        if all(d is None for d in didx):
            x, _, k, out = _whole_axis(layout, x, dx)
            return prim.bind(x, *idx, key=k), out
        idx = _lift_indices(idx, didx, layout.bcast_ndim)
        axis, pos, out = layout.index_axes()
        if dx is None:
            return prim.bind(x, *idx, key=key), out
        x = move_axis(x, dx, axis)
        idx.append(_batch_index(batch_size(args, dims), layout.bcast_ndim, x))
        k = (*layout.entries[:pos], Slot(len(idx) - 1), *layout.entries[pos:])
        return prim.bind(x, *idx, key=k), out

    return rule


def scatter_batch_rule(prim: Primitive) -> Any:
    """The batching rule of the updates ``prim(x, u, *index_operands, key=...)`` (``u`` has the
    shape of ``x[key]``): ``x`` batched (broadcast when it is not) as for
    :func:`gather_batch_rule`, and ``u``'s batch axis moved to where the indexed batch axis is."""

    def rule(args: list[Any], dims: Dims, *, key: tuple[Any, ...]) -> tuple[Any, int]:
        x, u, *idx = args
        dx, du, *didx = dims
        size = batch_size(args, dims)
        ndim = len(x.shape) - (dx is not None)
        layout = KeyLayout(key, ndim, _slot_ndims(idx, didx))
        if dx is None:
            x, dx = to_front(x, None, size), 0
        if all(d is None for d in didx):
            x, dx, k, out = _whole_axis(layout, x, dx)
        else:
            idx = _lift_indices(idx, didx, layout.bcast_ndim)
            axis, pos, out = layout.index_axes()
            x, dx = move_axis(x, dx, axis), axis
            idx.append(_batch_index(size, layout.bcast_ndim, x))
            k = (*layout.entries[:pos], Slot(len(idx) - 1), *layout.entries[pos:])
        u = move_axis(to_front(u, du, size), 0, out) if du is None else move_axis(u, du, out)
        return prim.bind(x, u, *idx, key=k), dx

    return rule


# ------------------------------------------------------------------ primitives


def _index_kernel(x: Any, *, key: tuple[Any, ...]) -> Any:
    return x[key]


def _indexed_aval(x: ShapedArray, *, key: tuple[Any, ...]) -> ShapedArray:
    return ShapedArray(indexed_shape(tuple(x.shape), key), x.dtype)


def _index_transpose(g: Any, out: Any, x: Any, *, key: tuple[Any, ...]) -> Any:
    from .updates import scatter_add_at, zeros_as

    return scatter_add_at(zeros_as(x.shape, g), g, key)


strided_slice_p = linear(Primitive("strided_slice", _index_kernel, _indexed_aval), _index_transpose)
gather_p = linear(Primitive("gather", _index_kernel, _indexed_aval), _index_transpose)
strided_slice_p.defbatch(gather_batch_rule(strided_slice_p))
gather_p.defbatch(gather_batch_rule(gather_p))


def _dynamic_index_kernel(x: Any, *idx: Any, key: tuple[Any, ...]) -> Any:
    full = fill_slots(key, idx)
    return checked_kernel("getitem", lambda: x[full], x.shape, full)


def _dynamic_aval(x: ShapedArray, *idx: ShapedArray, key: tuple[Any, ...]) -> ShapedArray:
    shape = dynamic_shape(tuple(x.shape), key, [tuple(i.shape) for i in idx])
    return ShapedArray(shape, x.dtype)


def dynamic_index(x: Array, operands: list[Any], key: tuple[Any, ...]) -> Array:
    """``x[key]`` for a template key (see :func:`dynamic_key`) and its index operands."""
    return dynamic_gather_p.bind(x, *operands, key=key)


def _dynamic_index_transpose(g: Any, out: Any, x: Any, *idx: Any, key: tuple[Any, ...]) -> Any:
    from .updates import dynamic_update, zeros_as

    return dynamic_update("add", zeros_as(x.shape, g), g, idx, key)


dynamic_gather_p = Primitive("dynamic_gather", _dynamic_index_kernel, _dynamic_aval)
dynamic_gather_p.defjvp(lambda t, out, x, *idx, key: dynamic_index(t, idx, key))
dynamic_gather_p.defvjp(_dynamic_index_transpose)
dynamic_gather_p.defbatch(gather_batch_rule(dynamic_gather_p))


def index_with_key(x: Array, key: tuple[Any, ...], basic: bool | None = None) -> Array:
    """``x[key]`` for a canonical key (see :func:`normalize_key`)."""
    if x.__class__ is Array:
        return wrap(x._v[key])
    if basic is None:
        basic = is_basic(key)
    return (strided_slice_p if basic else gather_p).bind(x, key=key)


def index_raw(op: str, x: Array, key: Any, check_shape: bool = False) -> Array:
    """``x[key]`` for any key, also one holding index arrays of unknown value (which go
    through ``dynamic_gather``); ``check_shape`` checks that index arrays broadcast."""
    traced = unknown_positions(key)
    if traced:
        template, operands = dynamic_key(op, tuple(x.shape), key, traced, x._namespace())
        return dynamic_index(x, operands, template)
    nkey, basic = normalize_key(op, tuple(x.shape), key, x._namespace())
    if check_shape and not basic:
        checked_shape(op, tuple(x.shape), nkey)
    return index_with_key(x, nkey, basic)


def eager_index(op: str, v: Any, key: Any) -> Any:
    """The buffer ``v[key]`` for any key, with neurarust's errors."""
    xp = namespace(v)
    nkey, _ = normalize_key(op, v.shape, key, xp, check_arrays=xp is not np)
    try:
        return v[nkey]
    except IndexError as e:
        normalize_key(op, v.shape, key, xp)
        raise invalid_key(op, v.shape, e) from None


def getitem(x: Any, key: Any) -> Array:
    """``x[key]`` with NumPy's semantics: what ``Array.__getitem__`` calls.

    ``key`` may hold integers, slices (any step), ``None``, ``...``, integer arrays and
    boolean masks, in any combination. Basic keys (no arrays) give views; negative indices
    count from the end. Under ``vmap`` the index arrays may differ per example (an embedding
    lookup ``table[i]``, a traced scalar ``x[i]``); their values are checked when the kernel
    runs, as NumPy does.

    Raises
    ------
    IndexBoundsError
        An index outside its axis, too many indices, or a mask of the wrong shape.
    DTypeError
        A float (or other non-integer, non-bool) index.
    ConcretizationError
        A boolean mask or a slice bound whose value is not known (under ``vmap``/``jit``):
        the result's shape would depend on it.

    Examples
    --------
    >>> x = nr.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> x[1, ::-1]
    Array([6., 5., 4.], dtype=float32)
    >>> x[x > 2.5]
    Array([3., 4., 5., 6.], dtype=float32)
    """
    if x.__class__ is Array:
        v = x._v
        kc = key.__class__
        simple = kc is int or kc is slice
        if kc is tuple:
            simple = True
            for k in key:
                if k.__class__ not in _SIMPLE:
                    simple = False
                    break
        elif kc is Array and v.__class__ is np.ndarray:
            k = key._v
            simple = k.__class__ is np.ndarray and k.ndim and k.dtype.kind in "biu"
        if simple:
            try:
                r = v[key._v if kc is Array else key]
            except (IndexError, TypeError, ValueError):
                pass
            else:
                out = _new(Array)
                out._v = r
                return out
        if not unknown_positions(key):
            return wrap(eager_index("getitem", v, key))
    x = to_array("getitem", "x", x)
    return index_raw("getitem", x, key, check_shape=True)


# ------------------------------------------------------------------ take / gather


def index_array(op: str, name: str, index: Any, xp: Any) -> Any:
    """An integer index argument (Array, NumPy array, list or int) as a buffer of ``xp``; an
    array of unknown value (see :func:`is_unknown`) is returned as it is."""
    if is_unknown(index):
        if index.dtype.kind not in "iu":
            raise DTypeError(message(op, name, "an integer array", f"dtype {index.dtype}"))
        return index
    if isinstance(index, (bool, np.bool_)):
        raise DTypeError(message(op, name, "an integer array", "a bool"))
    if isinstance(index, (int, np.integer)):
        return xp.asarray(int(index))
    v = _index_buffer(op, index, xp, name)
    if v.dtype.kind == "b":
        raise DTypeError(message(op, name, "an integer array", f"dtype {v.dtype}"))
    return v


def take(x: Any, indices: Any, /, *, axis: int | None = None) -> Array:
    """Elements of ``x`` at ``indices`` along ``axis`` (of the flattened ``x`` when None).

    The result has ``x``'s shape with ``axis`` replaced by the shape of ``indices``, as in
    ``numpy.take``. Negative indices count from the end.

    Examples
    --------
    >>> nr.take(nr.asarray([[1, 2], [3, 4]]), nr.asarray([1, 1, 0]), axis=1)
    Array([[2, 2, 1],
           [4, 4, 3]], dtype=int64)
    """
    from .shape import reshape

    x = to_array("take", "x", x)
    if axis is None:
        x = reshape(x, (-1,))
        axis = 0
    else:
        axis = normalize_axis("take", axis, x.ndim)
    key = (slice(None),) * axis + (index_array("take", "indices", indices, x._namespace()),)
    return index_raw("take", x, key)


def index_select(x: Any, dim: int, index: Any) -> Array:
    """PyTorch's ``index_select``: the entries of ``x`` at the 1-D ``index`` along ``dim``.

    Examples
    --------
    >>> nr.index_select(nr.asarray([[1, 2], [3, 4]]), 0, nr.asarray([1, 0]))
    Array([[3, 4],
           [1, 2]], dtype=int64)
    """
    from .shape import reshape

    x = to_array("index_select", "x", x)
    dim = normalize_axis("index_select", dim, max(x.ndim, 1), "dim")
    idx = index_array("index_select", "index", index, x._namespace())
    if idx.ndim > 1:
        raise ShapeError(
            message("index_select", "index", "a 1-D array", f"shape {tuple(idx.shape)}")
        )
    if x.ndim == 0:
        x = reshape(x, (1,))
    idx = reshape(idx, (-1,)) if isinstance(idx, Array) else idx.reshape(-1)
    return index_raw("index_select", x, (slice(None),) * dim + (idx,))


def along_axis_key(
    op: str, shape: tuple[int, ...], index: Any, axis: int, torch_sizes: bool, xp: Any
) -> tuple[Any, ...]:
    """The advanced key (not yet normalized) that picks ``index[..., i, ...]`` along ``axis``
    of each 1-D lane; ``index`` is a buffer of ``xp`` or an array of unknown value.

    Other dimensions use ``arange`` grids: of ``shape``'s sizes (NumPy's ``take_along_axis``,
    which broadcasts ``index``) or of ``index``'s sizes (PyTorch's ``gather``/``scatter``).
    """
    if index.ndim != len(shape):
        raise ShapeError(
            f"{op}: argument 'index' expected {len(shape)} dimensions (as the input, shape "
            f"{shape}), got shape {tuple(index.shape)}"
        )
    key = []
    for d in range(len(shape)):
        if d == axis:
            key.append(index)
            continue
        n = index.shape[d] if torch_sizes else shape[d]
        if torch_sizes and n > shape[d]:
            raise ShapeError(
                f"{op}: argument 'index' expected size at most {shape[d]} in dimension {d} "
                f"(the input's), got shape {tuple(index.shape)}"
            )
        grid = [1] * len(shape)
        grid[d] = n
        key.append(xp.arange(n).reshape(grid))
    return tuple(key)


def take_along_axis(x: Any, indices: Any, /, *, axis: int | None = -1) -> Array:
    """NumPy's ``take_along_axis``: ``out[..., i, ...] = x[..., indices[..., i, ...], ...]``.

    ``indices`` has as many dimensions as ``x`` and broadcasts against it outside ``axis``
    (``axis=None`` works on the flattened ``x`` with 1-D ``indices``).

    Examples
    --------
    >>> x = nr.asarray([[10, 30, 20]])
    >>> nr.take_along_axis(x, nr.argsort(x, axis=1), axis=1)
    Array([[10, 20, 30]], dtype=int64)
    """
    from .shape import reshape

    x = to_array("take_along_axis", "x", x)
    if axis is None:
        x = reshape(x, (-1,))
        axis = 0
    axis = normalize_axis("take_along_axis", axis, x.ndim)
    xp = x._namespace()
    idx = index_array("take_along_axis", "indices", indices, xp)
    key = along_axis_key("take_along_axis", tuple(x.shape), idx, axis, False, xp)
    return index_raw("take_along_axis", x, key)


def gather(x: Any, dim: int, index: Any) -> Array:
    """PyTorch's ``gather``: ``out[i][j][k] = x[index[i][j][k]][j][k]`` for ``dim=0``.

    ``index`` has as many dimensions as ``x`` and is no larger outside ``dim``; the result has
    ``index``'s shape.

    Examples
    --------
    >>> nr.gather(nr.asarray([[1, 2], [3, 4]]), 1, nr.asarray([[0, 0], [1, 0]]))
    Array([[1, 1],
           [4, 3]], dtype=int64)
    """
    x = to_array("gather", "x", x)
    dim = normalize_axis("gather", dim, x.ndim, "dim")
    xp = x._namespace()
    idx = index_array("gather", "index", index, xp)
    key = along_axis_key("gather", tuple(x.shape), idx, dim, True, xp)
    return index_raw("gather", x, key)


# ---------------------------------------------------------------- selection


def _nonzero_kernel(x: Any, *, size: int, fill_value: int) -> tuple[Any, ...]:
    xp = namespace(x)
    found = xp.nonzero(x)
    out = []
    for idx in found:
        idx = idx.astype(np.int64)
        n = idx.shape[0]
        if n > size:
            idx = idx[:size]
        elif n < size:
            idx = xp.concatenate([idx, xp.full(size - n, fill_value, dtype=np.int64)])
        out.append(idx)
    return tuple(out)


def _nonzero_batch(
    args: list[Any], dims: Dims, *, size: int, fill_value: int
) -> tuple[tuple[Any, ...], tuple[int, ...]]:
    """Each example's first ``size`` non-zeros: a stable argsort of the flattened "is zero"
    puts the non-zero positions first, in order; positions past an example's count become
    ``fill_value``, and flat positions are unravelled per dimension."""
    from .creation import arange, full
    from .elementwise import logical_not, where
    from .reduction import sum as sum_
    from .shape import concat, reshape
    from .sorting import argsort

    x = move_axis(args[0], dims[0], 0)
    b, shape = int(x.shape[0]), tuple(x.shape[1:])
    n = math.prod(shape)
    device = value_device(x)
    if n == 0:
        fills = full((b, size), fill_value, dtype=dtypes.int64, device=device)
        return (fills,) * len(shape), (0,) * len(shape)
    nonzero_mask = reshape(x != 0, (b, n))
    flat = argsort(logical_not(nonzero_mask), axis=1, stable=True)
    if size <= n:
        flat = flat[:, :size]
    else:
        pad = full((b, size - n), 0, dtype=flat.dtype, device=device)
        flat = concat([flat, pad], axis=1)
    count = sum_(astype(nonzero_mask, dtypes.int64), axis=1, keepdims=True)
    valid = arange(size, device=device) < count
    out, stride = [], n
    for dim in shape:
        stride //= dim
        coord = astype((flat // stride) % dim, dtypes.int64)
        out.append(where(valid, coord, fill_value))
    return tuple(out), (0,) * len(shape)


nonzero_p = Primitive(
    "nonzero",
    _nonzero_kernel,
    lambda x, *, size, fill_value: tuple(ShapedArray((size,), dtypes.int64) for _ in x.shape),
    multiple_results=True,
    differentiable=False,
)
nonzero_p.defbatch(_nonzero_batch)


def nonzero(x: Any, /, *, size: int | None = None, fill_value: int = 0) -> tuple[Array, ...]:
    """The indices of the non-zero (true) elements of ``x``: one int64 array per dimension.

    ``size`` (JAX's option) fixes the length of the result: extra indices are dropped and
    missing ones are ``fill_value``. Without it the length is the number of non-zeros, so
    under ``vmap`` (where it could differ per example) ``size`` is required.

    Examples
    --------
    >>> nr.nonzero(nr.asarray([[0, 3], [4, 0]]))
    (Array([0, 1], dtype=int64), Array([1, 0], dtype=int64))
    """
    x = to_array("nonzero", "x", x)
    if x.ndim == 0:
        raise ShapeError(message("nonzero", "x", "an array with at least one dimension", "0-d"))
    if size is None:
        if is_unknown(x):
            raise ConcretizationError(
                "nonzero: the number of non-zeros of a value that differs per example (under "
                "vmap) or is abstract (under jit) is not known, so the result has no static "
                "length. Pass size=n (missing indices become fill_value)."
            )
        v = x._buffer()
        if x.__class__ is Array:
            return tuple(wrap(i.astype(np.int64)) for i in namespace(v).nonzero(v))
        size = int(namespace(v).count_nonzero(v))
    elif not isinstance(size, (int, np.integer)) or size < 0:
        raise ShapeError(message("nonzero", "size", "a non-negative int", repr(size)))
    if x.__class__ is Array:
        return tuple(wrap(i) for i in _nonzero_kernel(x._v, size=int(size), fill_value=fill_value))
    return nonzero_p.bind(x, size=int(size), fill_value=int(fill_value))


def masked_select(x: Any, mask: Any) -> Array:
    """The elements of ``x`` where the boolean ``mask`` is true, as a 1-D array (PyTorch).

    ``x`` and ``mask`` broadcast together. The result's length is the number of true elements,
    so ``mask`` must be concrete (not differ per example under ``vmap``).

    Examples
    --------
    >>> nr.masked_select(nr.asarray([[1, 2], [3, 4]]), nr.asarray([True, False]))
    Array([1, 3], dtype=int64)
    """
    x = to_array("masked_select", "x", x)
    mask = to_array("masked_select", "mask", mask)
    if mask.dtype is not dtypes.bool_:
        raise DTypeError(message("masked_select", "mask", "a bool array", f"dtype {mask.dtype}"))
    if is_unknown(mask):
        raise ConcretizationError(
            "masked_select: the result's length is the number of true elements of 'mask', "
            "which differs per example (under vmap) or is abstract (under jit). Use "
            "nr.where(mask, x, 0) to keep x's shape instead."
        )
    x, mask = broadcast_args("masked_select", x, mask)
    m = mask._buffer()
    if x.ndim == 0:
        from .shape import reshape

        x, m = reshape(x, (1,)), m.reshape(1)
    return index_with_key(x, (m,), False)


def _bincount_batch(args: list[Any], dims: Dims, *, length: int) -> tuple[Any, int]:
    """One bincount over the whole batch: example ``b``'s values move to bins
    ``b * length ..``, so each example counts into its own ``length`` bins (values lie in
    ``0..length-1``, which the public function guarantees)."""
    from .creation import arange
    from .shape import reshape

    x = move_axis(args[0], dims[0], 0)
    b = int(x.shape[0])
    offsets = reshape(arange(b, dtype=dtypes.int64, device=value_device(x)) * length, (b, 1))
    flat = reshape(astype(x, dtypes.int64) + offsets, (-1,))
    return reshape(bincount_p.bind(flat, length=b * length), (b, length)), 0


bincount_p = Primitive(
    "bincount",
    lambda x, *, length: namespace(x).bincount(x, minlength=length).astype(np.int64),
    lambda x, *, length: ShapedArray((length,), dtypes.int64),
    differentiable=False,
)
bincount_p.defbatch(_bincount_batch)


def bincount(x: Any, /, weights: Any = None, minlength: int = 0) -> Array:
    """How many times each value ``0..max(x)`` occurs in the 1-D non-negative integer ``x``.

    With ``weights`` (an array of ``x``'s shape) each occurrence adds its weight instead of
    one; the result is differentiable in ``weights`` and has their dtype (integer or bool
    weights give the default float dtype, as PyTorch gives a float dtype). Without weights the
    result is int64. The length is ``max(max(x) + 1, minlength)``, so ``x`` must be concrete
    (under ``vmap`` only ``weights`` may differ per example).

    Examples
    --------
    >>> nr.bincount(nr.asarray([0, 2, 2]))
    Array([1, 0, 2], dtype=int64)
    """
    x = to_array("bincount", "x", x)
    if x.dtype.kind not in "iu":
        raise DTypeError(message("bincount", "x", "an integer array", f"dtype {x.dtype}"))
    if x.ndim != 1:
        raise ShapeError(message("bincount", "x", "a 1-D array", f"shape {tuple(x.shape)}"))
    if not isinstance(minlength, (int, np.integer)) or minlength < 0:
        raise ShapeError(message("bincount", "minlength", "a non-negative int", repr(minlength)))
    if is_unknown(x):
        raise ConcretizationError(
            "bincount: the result's length max(x) + 1 depends on the values of 'x', which "
            "differ per example (under vmap) or are abstract (under jit). For n bins use "
            "nr.zeros(n, dtype=nr.int64).at[x].add(1) (or .at[x].add(weights)), whose kernel "
            "raises for values outside 0..n-1."
        )
    v = x._buffer()
    length = int(minlength)
    if v.size:
        lo, hi = int(v.min()), int(v.max())
        if lo < 0:
            raise IndexBoundsError(message("bincount", "x", "non-negative integers", lo))
        length = max(length, hi + 1)
    if weights is None:
        if x.__class__ is Array:
            return wrap(bincount_p.impl(v, length=length))
        return bincount_p.bind(x, length=length)
    from .creation import zeros
    from .updates import scatter_add_at

    w = to_array("bincount", "weights", weights)
    if tuple(w.shape) != tuple(x.shape):
        raise ShapeError(
            f"bincount: argument 'weights' expected the shape of 'x' {tuple(x.shape)}, got "
            f"{tuple(w.shape)}"
        )
    if not dtypes.is_inexact(w.dtype):
        w = astype(w, dtypes.default_float)
    out = zeros((length,), dtype=w.dtype, device=value_device(x))
    return scatter_add_at(out, w, (v,))


def _sort_ranks(z: Any) -> Any:
    """The position of each element of the rows of ``z`` in their stable ascending order
    (complex values lexicographically, as NumPy sorts them)."""
    from .elementwise import imag, real
    from .sorting import argsort

    if z.dtype.kind == "c":
        by_imag = argsort(imag(z), axis=1, stable=True)
        order = take_along_axis(
            by_imag, argsort(take_along_axis(real(z), by_imag, axis=1), axis=1, stable=True), axis=1
        )
    else:
        order = argsort(z, axis=1, stable=True)
    return argsort(order, axis=1)


def _searchsorted_batch(args: list[Any], dims: Dims, *, side: str) -> tuple[Any, int]:
    """Unbatched sorted ``x1``: one call. Batched ``x1``: from stable sorts of each row of
    ``x1`` next to its queries. Among ``[queries, x1]`` (``side='left'``; ``[x1, queries]`` for
    ``'right'``) a query's sorted position counts the ``x1`` elements below it (or equal, for
    ``'right'``) plus the queries before it, which its rank among the queries subtracts."""
    from .shape import concat, reshape

    x1, x2 = args
    d1, d2 = dims
    if d1 is None:
        return searchsorted_p.bind(x1, x2, side=side), d2
    size = batch_size(args, dims)
    x1 = move_axis(x1, d1, 0)
    x2 = to_front(x2, d2, size)
    shape = tuple(x2.shape)
    n, m = int(x1.shape[1]), math.prod(shape[1:])
    queries = reshape(x2, (size, m))
    if side == "left":
        pos = _sort_ranks(concat([queries, x1], axis=1))[:, :m]
    else:
        pos = _sort_ranks(concat([x1, queries], axis=1))[:, n:]
    out = astype(pos - _sort_ranks(queries), dtypes.int64)
    return reshape(out, shape), 0


searchsorted_p = Primitive(
    "searchsorted",
    lambda x1, x2, *, side: namespace(x1).searchsorted(x1, x2, side=side).astype(np.int64),
    lambda x1, x2, *, side: ShapedArray(tuple(x2.shape), dtypes.int64),
    differentiable=False,
)
searchsorted_p.defbatch(_searchsorted_batch)


def searchsorted(x1: Any, x2: Any, /, *, side: str = "left", sorter: Any = None) -> Array:
    """Indices where the elements of ``x2`` would be inserted into the sorted 1-D ``x1``.

    ``side="left"`` gives the first suitable position, ``"right"`` the last; ``sorter`` is an
    index array that sorts ``x1`` (as ``argsort`` returns). The result is int64 with
    ``x2``'s shape.

    Examples
    --------
    >>> nr.searchsorted(nr.asarray([1.0, 2.0, 3.0]), nr.asarray([2.0, 2.5]))
    Array([1, 2], dtype=int64)
    """
    if side not in ("left", "right"):
        raise ValueError(message("searchsorted", "side", "'left' or 'right'", repr(side)))
    x1, x2 = promote_args("searchsorted", x1, x2)
    if x1.ndim != 1:
        raise ShapeError(message("searchsorted", "x1", "a 1-D array", f"shape {tuple(x1.shape)}"))
    if sorter is not None:
        if len(np.shape(sorter)) != 1 or np.shape(sorter)[0] != x1.shape[0]:
            raise ShapeError(
                f"searchsorted: argument 'sorter' expected shape {tuple(x1.shape)} (as 'x1'), "
                f"got {np.shape(sorter)}"
            )
        x1 = take(x1, sorter)
    if x1.__class__ is Array and x2.__class__ is Array:
        return wrap(searchsorted_p.impl(x1._v, x2._v, side=side))
    return searchsorted_p.bind(x1, x2, side=side)


def one_hot(x: Any, num_classes: int, *, dtype: Any = dtypes.float32) -> Array:
    """One-hot encoding of the integer ``x``: a new last axis of length ``num_classes``.

    Follows ``jax.nn.one_hot``: the result is float32 unless ``dtype`` says otherwise, and a
    value outside ``0..num_classes-1`` (such as a padding label ``-1``) gives a row of zeros.
    ``num_classes=-1`` uses ``max(x) + 1``, as PyTorch does.

    Examples
    --------
    >>> nr.one_hot(nr.asarray([2, 0]), 3)
    Array([[0., 0., 1.],
           [1., 0., 0.]], dtype=float32)
    """
    from .shape import expand_dims

    x = to_array("one_hot", "x", x)
    if x.dtype.kind not in "iu":
        raise DTypeError(message("one_hot", "x", "an integer array", f"dtype {x.dtype}"))
    want = dtypes.canonicalize(dtype, "one_hot")
    if isinstance(num_classes, (int, np.integer)) and num_classes == -1:
        if is_unknown(x):
            raise ConcretizationError(
                "one_hot: num_classes=-1 reads max(x) + 1, but 'x' differs per example (under "
                "vmap) or is abstract (under jit); pass num_classes"
            )
        v = x._buffer()
        num_classes = int(v.max()) + 1 if v.size else 0
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 0:
        raise ShapeError(
            message("one_hot", "num_classes", "a non-negative int (or -1)", repr(num_classes))
        )
    classes = x._namespace().arange(int(num_classes), dtype=x.dtype)
    if x.__class__ is Array:
        return wrap((x._v[..., None] == classes).astype(want))
    return astype(expand_dims(x, -1) == wrap(classes), want)


# ------------------------------------------------------------------ OpInfos


def random_key(rng: np.random.Generator, shape: tuple[int, ...], advanced: bool) -> tuple[Any, ...]:
    """A random index key for an array of ``shape``: ints, slices, None and Ellipsis, plus
    (when ``advanced``) integer arrays that broadcast together or one boolean mask."""
    ndim = len(shape)
    split = int(rng.integers(0, ndim + 1))
    back = int(rng.integers(split, ndim + 1))
    use_mask = advanced and rng.random() < 0.4
    array_shape = [(2,), (1, 3), (2, 1)][int(rng.integers(0, 3))]
    entries: list[Any] = []
    arrays = 0

    def entry(axis: int) -> Any:
        nonlocal arrays
        n = shape[axis]
        kind = int(rng.integers(0, 4 if advanced else 2))
        if kind == 0:
            return int(rng.integers(-n, n))
        if kind == 1 or (arrays and use_mask):
            step = [None, 1, 2, -1, -2][int(rng.integers(0, 5))]
            lo, hi = (int(v) for v in rng.integers(-n - 1, n + 2, size=2))
            return slice(
                lo if rng.random() < 0.7 else None, hi if rng.random() < 0.7 else None, step
            )
        arrays += 1
        if use_mask:
            return rng.random(n) < 0.5
        return rng.integers(-n, n, size=array_shape[-int(rng.integers(1, len(array_shape) + 1)) :])

    for axis in range(split):
        if rng.random() < 0.15:
            entries.append(None)
        entries.append(entry(axis))
    if back > split or rng.random() < 0.3:
        entries.append(Ellipsis)
    for axis in range(back, ndim):
        entries.append(entry(axis))
    if rng.random() < 0.15:
        entries.append(None)
    if advanced and not arrays and ndim:
        entries = [rng.integers(-shape[0], shape[0], size=array_shape), Ellipsis]
    return tuple(entries)


class _Hole:
    """Where an OpInfo sample's key spec takes its next index-array argument."""

    def __repr__(self) -> str:
        return "HOLE"


HOLE = _Hole()


def operand_key_sample(
    rng: np.random.Generator, shape: tuple[int, ...]
) -> tuple[tuple[Any, ...], list[np.ndarray]]:
    """A random advanced key for an array of ``shape`` as ``(spec, arrays)``: the spec holds
    :data:`HOLE` where its integer index arrays (some 0-d, as a traced scalar index) come, and
    static entries elsewhere (masks become their integer arrays)."""
    spec: list[Any] = []
    arrays: list[np.ndarray] = []
    for k in random_key(rng, shape, True):
        parts = list(np.nonzero(k)) if isinstance(k, np.ndarray) and k.dtype == bool else [k]
        for part in parts:
            if isinstance(part, np.ndarray) and (not arrays or rng.random() < 0.7):
                if part.size and rng.random() < 0.3:
                    part = part.reshape(-1)[:1].reshape(())
                spec.append(HOLE)
                arrays.append(part)
            else:
                spec.append(part)
    return tuple(spec), arrays


def spec_key(spec: tuple[Any, ...], arrays: Any) -> tuple[tuple[Any, ...], list[int]]:
    """The key of a spec from :func:`operand_key_sample` and the positions of its arrays."""
    it = iter(arrays)
    key = tuple(next(it) if e is HOLE else e for e in spec)
    return key, [i for i, e in enumerate(spec) if e is HOLE]


def _getitem_operands(x: Any, spec: tuple[Any, ...], *arrays: Any) -> Array:
    """``x[key]`` with the index arrays as operands of ``dynamic_gather`` (as unknown ones are)."""
    x = to_array("getitem", "x", x)
    key, positions = spec_key(spec, arrays)
    template, operands = dynamic_key("getitem", tuple(x.shape), key, positions, x._namespace())
    return dynamic_index(x, operands, template)


def _operand_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    out = []
    for _ in range(2):
        shape = rand_shape(rng, 1, 3)
        spec, arrays = operand_key_sample(rng, shape)
        out.append(Sample((rand(rng, shape, dtype), spec, *arrays)))
    return out


def _getitem_samples(advanced: bool) -> Any:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        out = []
        for _ in range(3):
            shape = rand_shape(rng, 1, 3)
            out.append(Sample((rand(rng, shape, dtype), random_key(rng, shape, advanced))))
        return out

    return samples


def _index_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    axis = int(rng.integers(0, len(shape)))
    idx = rng.integers(-shape[axis], shape[axis], size=int(rng.integers(1, 5)))
    return [
        Sample((rand(rng, shape, dtype), idx), {"axis": axis}),
        Sample((rand(rng, shape, dtype), idx[:1] % shape[0])),
    ]


def _along_samples(torch: bool) -> Any:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        shape = rand_shape(rng, 1, 3)
        axis = int(rng.integers(0, len(shape)))
        ishape = [int(rng.integers(1, d + 1)) if torch else int(rng.choice([1, d])) for d in shape]
        ishape[axis] = int(rng.integers(1, 5))
        idx = rng.integers(0, shape[axis], size=ishape)
        x = rand(rng, shape, dtype)
        return [Sample((x, axis, idx) if torch else (x, idx), {} if torch else {"axis": axis})]

    return samples


def _torch_gather(x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    out = np.empty(index.shape, x.dtype)
    for pos in np.ndindex(*index.shape):
        src = list(pos)
        src[dim] = index[pos]
        out[pos] = x[tuple(src)]
    return out


def _mask_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    mshape = shape[int(rng.integers(0, len(shape))) :]
    return [Sample((rand(rng, shape, dtype), rng.random(mshape) < 0.5))]


def _bincount_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    x = rng.integers(0, 4, size=int(rng.integers(0, 7)))
    return [
        Sample((x,), {"minlength": int(rng.integers(0, 6))}),
        Sample((x, rand(rng, x.shape, dtype))),
    ]


def _searchsorted_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    x1 = np.sort(rand(rng, (int(rng.integers(1, 6)),), dtype, -3, 3))
    x2 = np.concatenate([rand(rng, rand_shape(rng, 1, 1), dtype, -4, 4), x1[:2]])
    perm = rng.permutation(x1.shape[0])
    return [
        Sample((x1, x2)),
        Sample((x1, x2), {"side": "right"}),
        Sample((x1[perm], x2), {"sorter": np.argsort(perm)}),
    ]


def _np_searchsorted(x1: np.ndarray, x2: np.ndarray, side: str = "left", sorter: Any = None):
    return np.searchsorted(x1, x2, side=side, sorter=sorter).astype(np.int64)


def _np_one_hot(x: np.ndarray, num_classes: int) -> np.ndarray:
    return (x[..., None] == np.arange(num_classes)).astype(np.float32)


_INDEX_DTYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.bool_)

register(
    OpInfo(
        "getitem_basic",
        getitem,
        lambda x, key: x[key],
        ("strided_slice",),
        _getitem_samples(False),
        dtypes=_INDEX_DTYPES,
    ),
    OpInfo(
        "getitem_advanced",
        getitem,
        lambda x, key: x[key],
        ("gather",),
        _getitem_samples(True),
        dtypes=_INDEX_DTYPES,
    ),
    OpInfo(
        "getitem_traced",
        _getitem_operands,
        lambda x, spec, *arrays: x[spec_key(spec, arrays)[0]],
        ("dynamic_gather",),
        _operand_samples,
        dtypes=_INDEX_DTYPES,
    ),
    OpInfo(
        "take",
        take,
        lambda x, idx, axis=None: np.take(x, idx, axis=axis),
        ("gather",),
        _index_samples,
    ),
    OpInfo(
        "index_select",
        lambda x, idx, axis=0: index_select(x, axis, idx),
        lambda x, idx, axis=0: np.take(x, idx, axis=axis),
        ("gather",),
        _index_samples,
    ),
    OpInfo(
        "take_along_axis",
        take_along_axis,
        np.take_along_axis,
        ("gather",),
        _along_samples(False),
    ),
    OpInfo("gather", gather, _torch_gather, ("gather",), _along_samples(True)),
    OpInfo(
        "masked_select",
        masked_select,
        lambda x, m: np.broadcast_to(x, np.broadcast_shapes(x.shape, m.shape))[
            np.broadcast_to(m, np.broadcast_shapes(x.shape, m.shape))
        ],
        ("gather",),
        _mask_samples,
    ),
    OpInfo(
        "nonzero",
        nonzero,
        np.nonzero,
        ("nonzero",),
        lambda rng, dtype: [Sample((rand(rng, rand_shape(rng, 1, 3), dtype, -1, 2),))],
        dtypes=(dtypes.bool_, dtypes.int32, dtypes.float32),
        grad=False,
    ),
    OpInfo(
        "bincount",
        bincount,
        np.bincount,
        ("bincount", "scatter_add"),
        _bincount_samples,
        check_dtype=False,
    ),
    OpInfo(
        "searchsorted",
        searchsorted,
        _np_searchsorted,
        ("searchsorted",),
        _searchsorted_samples,
        dtypes=(dtypes.float32, dtypes.float64, dtypes.int32),
        grad=False,
    ),
    OpInfo(
        "one_hot",
        one_hot,
        _np_one_hot,
        (),
        lambda rng, dtype: [
            Sample((rng.integers(-1, 5, size=rand_shape(rng, 0, 2)).astype(dtype), 4))
        ],
        dtypes=(dtypes.int32, dtypes.int64),
        grad=False,
    ),
)
