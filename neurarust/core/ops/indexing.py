"""Indexing and selection: ``x[key]``, take/gather, nonzero, masked_select, bincount,
searchsorted and one_hot.

Index keys are always concrete: integers, slices, ``None``, ``Ellipsis`` and integer or boolean
arrays (neurarust, NumPy, CuPy or nested lists; a tracer of an index array contributes its
value). :func:`normalize_key` checks a key once (dtypes, bounds, mask shapes) and turns its array
entries into backend buffers, so kernels index with the backend's own NumPy semantics.

A key made of integers, slices, ``None`` and ``Ellipsis`` is *basic*: it goes through the
``strided_slice`` primitive, whose kernel returns a view. Any other key goes through ``gather``.
Both transpose to ``scatter_add`` (see :mod:`.updates`), whose transpose is them again, so
derivatives of every order work. Functions whose result size depends on values (``nonzero``,
``masked_select``, ``bincount``) read those values eagerly, as NumPy does.
"""

from __future__ import annotations

import operator
from types import EllipsisType, NoneType
from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import device_of, namespace
from ..errors import DeviceError, DTypeError, IndexBoundsError, ShapeError, message
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


def index_with_key(x: Array, key: tuple[Any, ...], basic: bool | None = None) -> Array:
    """``x[key]`` for a canonical key (see :func:`normalize_key`)."""
    if x.__class__ is Array:
        return wrap(x._v[key])
    if basic is None:
        basic = is_basic(key)
    return (strided_slice_p if basic else gather_p).bind(x, key=key)


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
    count from the end.

    Raises
    ------
    IndexBoundsError
        An index outside its axis, too many indices, or a mask of the wrong shape.
    DTypeError
        A float (or other non-integer, non-bool) index.

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
        return wrap(eager_index("getitem", v, key))
    x = to_array("getitem", "x", x)
    nkey, basic = normalize_key("getitem", tuple(x.shape), key, namespace(x._buffer()))
    if not basic:
        checked_shape("getitem", tuple(x.shape), nkey)
    return index_with_key(x, nkey, basic)


# ------------------------------------------------------------------ take / gather


def index_array(op: str, name: str, index: Any, xp: Any) -> Any:
    """An integer index argument (Array, NumPy array, list or int) as a buffer of ``xp``."""
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
    xp = namespace(x._buffer())
    key = (slice(None),) * axis + (index_array("take", "indices", indices, xp),)
    return index_with_key(x, *normalize_key("take", tuple(x.shape), key, xp))


def index_select(x: Any, dim: int, index: Any) -> Array:
    """PyTorch's ``index_select``: the entries of ``x`` at the 1-D ``index`` along ``dim``.

    Examples
    --------
    >>> nr.index_select(nr.asarray([[1, 2], [3, 4]]), 0, nr.asarray([1, 0]))
    Array([[3, 4],
           [1, 2]], dtype=int64)
    """
    x = to_array("index_select", "x", x)
    dim = normalize_axis("index_select", dim, max(x.ndim, 1), "dim")
    xp = namespace(x._buffer())
    idx = index_array("index_select", "index", index, xp)
    if idx.ndim > 1:
        raise ShapeError(
            message("index_select", "index", "a 1-D array", f"shape {tuple(idx.shape)}")
        )
    if x.ndim == 0:
        from .shape import reshape

        x = reshape(x, (1,))
    key = (slice(None),) * dim + (idx.reshape(-1),)
    return index_with_key(x, *normalize_key("index_select", tuple(x.shape), key, xp))


def along_axis_key(
    op: str, shape: tuple[int, ...], index: Any, axis: int, torch_sizes: bool
) -> tuple[Any, ...]:
    """The advanced key that picks ``index[..., i, ...]`` along ``axis`` of each 1-D lane.

    Other dimensions use ``arange`` grids: of ``shape``'s sizes (NumPy's ``take_along_axis``,
    which broadcasts ``index``) or of ``index``'s sizes (PyTorch's ``gather``/``scatter``).
    """
    xp = namespace(index)
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
    return normalize_key(op, shape, tuple(key), xp)[0]


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
    idx = index_array("take_along_axis", "indices", indices, namespace(x._buffer()))
    key = along_axis_key("take_along_axis", tuple(x.shape), idx, axis, torch_sizes=False)
    return index_with_key(x, key, False)


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
    idx = index_array("gather", "index", index, namespace(x._buffer()))
    key = along_axis_key("gather", tuple(x.shape), idx, dim, torch_sizes=True)
    return index_with_key(x, key, False)


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


nonzero_p = Primitive(
    "nonzero",
    _nonzero_kernel,
    lambda x, *, size, fill_value: tuple(ShapedArray((size,), dtypes.int64) for _ in x.shape),
    multiple_results=True,
    differentiable=False,
)


def nonzero(x: Any, /, *, size: int | None = None, fill_value: int = 0) -> tuple[Array, ...]:
    """The indices of the non-zero (true) elements of ``x``: one int64 array per dimension.

    ``size`` (JAX's option) fixes the length of the result: extra indices are dropped and
    missing ones are ``fill_value``. Without it the length is the number of non-zeros.

    Examples
    --------
    >>> nr.nonzero(nr.asarray([[0, 3], [4, 0]]))
    (Array([0, 1], dtype=int64), Array([1, 0], dtype=int64))
    """
    x = to_array("nonzero", "x", x)
    if x.ndim == 0:
        raise ShapeError(message("nonzero", "x", "an array with at least one dimension", "0-d"))
    v = x._buffer()
    xp = namespace(v)
    if size is None:
        if x.__class__ is Array:
            return tuple(wrap(i.astype(np.int64)) for i in xp.nonzero(v))
        size = int(xp.count_nonzero(v))
    elif not isinstance(size, (int, np.integer)) or size < 0:
        raise ShapeError(message("nonzero", "size", "a non-negative int", repr(size)))
    if x.__class__ is Array:
        return tuple(wrap(i) for i in _nonzero_kernel(v, size=int(size), fill_value=fill_value))
    return nonzero_p.bind(x, size=int(size), fill_value=int(fill_value))


def masked_select(x: Any, mask: Any) -> Array:
    """The elements of ``x`` where the boolean ``mask`` is true, as a 1-D array (PyTorch).

    ``x`` and ``mask`` broadcast together.

    Examples
    --------
    >>> nr.masked_select(nr.asarray([[1, 2], [3, 4]]), nr.asarray([True, False]))
    Array([1, 3], dtype=int64)
    """
    x = to_array("masked_select", "x", x)
    mask = to_array("masked_select", "mask", mask)
    if mask.dtype is not dtypes.bool_:
        raise DTypeError(message("masked_select", "mask", "a bool array", f"dtype {mask.dtype}"))
    x, mask = broadcast_args("masked_select", x, mask)
    m = mask._buffer()
    if x.ndim == 0:
        from .shape import reshape

        x, m = reshape(x, (1,)), m.reshape(1)
    return index_with_key(x, (m,), False)


bincount_p = Primitive(
    "bincount",
    lambda x, *, length: namespace(x).bincount(x, minlength=length).astype(np.int64),
    lambda x, *, length: ShapedArray((length,), dtypes.int64),
    differentiable=False,
)


def bincount(x: Any, /, weights: Any = None, minlength: int = 0) -> Array:
    """How many times each value ``0..max(x)`` occurs in the 1-D non-negative integer ``x``.

    With ``weights`` (an array of ``x``'s shape) each occurrence adds its weight instead of
    one; the result is differentiable in ``weights`` and has their dtype (integer or bool
    weights give the default float dtype, as PyTorch gives a float dtype). Without weights the
    result is int64. The length is ``max(max(x) + 1, minlength)``.

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
    return scatter_add_at(zeros((length,), dtype=w.dtype, device=w.device), w, (v,))


searchsorted_p = Primitive(
    "searchsorted",
    lambda x1, x2, *, side: namespace(x1).searchsorted(x1, x2, side=side).astype(np.int64),
    lambda x1, x2, *, side: ShapedArray(tuple(x2.shape), dtypes.int64),
    differentiable=False,
)


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
    v = x._buffer()
    xp = namespace(v)
    if isinstance(num_classes, (int, np.integer)) and num_classes == -1:
        num_classes = int(v.max()) + 1 if v.size else 0
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 0:
        raise ShapeError(
            message("one_hot", "num_classes", "a non-negative int (or -1)", repr(num_classes))
        )
    classes = xp.arange(int(num_classes), dtype=x.dtype)
    if x.__class__ is Array:
        return wrap((v[..., None] == classes).astype(want))
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
