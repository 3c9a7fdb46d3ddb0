"""Shape primitives and their public functions: broadcast, reshape, transpose, join and split,
slice and pad, flip and roll, repeat, triangles.

The primitives, each declared once with kernel, shape rule and derivative rules:

- ``broadcast_to``, ``reshape``, ``transpose``: views of their input;
- ``concatenate`` (any number of arrays) and ``split`` (several results): each other's
  transpose;
- ``slice`` (a static box) and ``pad`` (constant padding): each other's transpose;
- ``flip``, ``roll``, ``tril``, ``triu``: linear maps transposed by themselves (or the opposite
  roll);
- ``repeat`` (a count per element) and ``segment_sum``: each other's transpose.

Everything else (stack, unstack, chunk, tile, moveaxis, flatten, meshgrid, the non-constant pad
modes, ...) is composed of these, so it is differentiable to any order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import index
from typing import Any

import numpy as np

from ..array import Array, wrap
from ..backend import namespace
from ..batching import Dims, move_axis
from ..errors import AxisError, ConcretizationError, DTypeError, ShapeError
from ..opinfo import OpInfo, Sample, rand, rand_shape, register
from ..primitive import SHAPES, Primitive, ShapedArray
from .arguments import broadcast_shapes, normalize_axes, normalize_axis, promote_args, to_array
from .rules import linear

__all__ = [
    "broadcast_to",
    "broadcast_arrays",
    "expand",
    "reshape",
    "flatten",
    "unflatten",
    "contiguous",
    "permute_dims",
    "permute",
    "transpose",
    "moveaxis",
    "swapaxes",
    "array_T",
    "matrix_transpose",
    "expand_dims",
    "squeeze",
    "concat",
    "stack",
    "split",
    "chunk",
    "unstack",
    "unbind",
    "tile",
    "repeat",
    "flip",
    "roll",
    "pad",
    "pad_last_dims",
    "tril",
    "triu",
    "meshgrid",
]


def _shape_arg(op: str, shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    try:
        return tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(
            f"{op}: argument 'shape' expected an int or a sequence of ints, got {shape!r}"
        ) from None


def _int_tuple(op: str, name: str, value: Any) -> tuple[int, ...]:
    """``value`` (an int or a sequence of ints) as a tuple of ints, or a TypeError."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),)
    try:
        items = tuple(value)
    except TypeError:
        items = None
    if items is None or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items
    ):
        raise TypeError(
            f"{op}: argument '{name}' expected an int or a sequence of ints, got {value!r}"
        )
    return tuple(int(v) for v in items)


def _plain(arrays: Sequence[Array]) -> bool:
    return all(a.__class__ is Array for a in arrays)


def _with_dim(shape: Sequence[int], axis: int, size: int) -> tuple[int, ...]:
    return (*shape[:axis], size, *shape[axis + 1 :])


class _EachArgument:
    """Per-argument rules for a primitive taking any number of arrays: ``rules[i]`` is the
    rule ``make(i)`` (built on first use, then kept)."""

    __slots__ = ("_built", "_make")

    def __init__(self, make: Callable[[int], Callable[..., Any]]) -> None:
        self._make = make
        self._built: dict[int, Callable[..., Any]] = {}

    def __getitem__(self, i: int) -> Callable[..., Any]:
        rule = self._built.get(i)
        if rule is None:
            rule = self._built[i] = self._make(i)
        return rule


def _at(axis: int, d: int, ndim: int) -> int:
    """Where per-example axis ``axis`` (of ``ndim``, possibly negative) sits in a value
    batched along ``d``."""
    axis %= ndim
    return axis if axis < d else axis + 1


def _batched_along(x: Any, dim: int | None, d: int, size: int) -> Any:
    """``x`` with its batch axis at ``d``; an unbatched ``x`` is broadcast to ``size``
    examples there (a size-one axis inserted by reshape, then broadcast, no transpose)."""
    if dim is not None:
        return move_axis(x, dim, d)
    shape = tuple(x.shape)
    return broadcast_to(reshape(x, (*shape[:d], 1, *shape[d:])), (*shape[:d], size, *shape[d:]))


# ------------------------------------------------------------------ broadcast_to


def _unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` down to ``shape`` (the transpose of broadcasting to ``g.shape``)."""
    from .reduction import reduce_sum

    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and g.shape[lead + i] != 1
    )
    out = reduce_sum(g, axes) if axes else g
    return reshape(out, shape) if tuple(out.shape) != tuple(shape) else out


_SMALL = 4096  # elements: below this a filled copy is cheaper than NumPy's broadcast view


def _broadcast_kernel(x: Any, *, shape: tuple[int, ...]) -> Any:
    """``x`` broadcast to ``shape``: a zero-copy view for large results, a filled new buffer
    for small ones (``broadcast_to`` builds its view in Python, which costs microseconds)."""
    xp = namespace(x)
    size = 1
    for d in shape:
        size *= d
    if size > _SMALL:
        return xp.broadcast_to(x, shape)
    out = xp.empty(shape, dtype=x.dtype)
    out[...] = x
    return out


broadcast_to_p = linear(
    Primitive(
        "broadcast_to",
        _broadcast_kernel,
        lambda x, *, shape: ShapedArray(shape, x.dtype),
    ),
    lambda g, out, x, *, shape: _unbroadcast(g, tuple(x.shape)),
)


def _broadcast_batch(args: Sequence[Any], dims: Dims, *, shape: tuple[int, ...]) -> tuple[Any, int]:
    """Batched ``broadcast_to``: the batch axis stays where it is, shifted right by the
    dimensions broadcasting adds in front (NumPy aligns trailing axes), so no transpose."""
    (x,), (d,) = args, dims
    lead = len(shape) - (x.ndim - 1)
    size = x.shape[d]
    target = (*shape[: lead + d], size, *shape[lead + d :])
    if tuple(x.shape) == target:
        return x, d
    return broadcast_to_p.bind(x, shape=target), lead + d


broadcast_to_p.defbatch(_broadcast_batch)


def broadcast_to(x: Any, /, shape: Any) -> Array:
    """``x`` repeated along new or size-one dimensions to ``shape`` (NumPy rules)."""
    x = to_array("broadcast_to", "x", x)
    shape = _shape_arg("broadcast_to", shape)
    if tuple(x.shape) == shape:
        return x
    if len(shape) < x.ndim or broadcast_shapes("broadcast_to", x.shape, shape) != shape:
        raise ShapeError(
            f"broadcast_to: argument 'shape' expected a shape that {tuple(x.shape)} broadcasts "
            f"to, got {shape}"
        )
    if x.__class__ is Array:
        return wrap(_broadcast_kernel(x._v, shape=shape))
    return broadcast_to_p.bind(x, shape=shape)


def expand(x: Any, shape: Any) -> Array:
    """PyTorch's ``expand``: :func:`broadcast_to` where ``-1`` keeps a dimension."""
    x = to_array("expand", "x", x)
    shape = _shape_arg("expand", shape)
    lead = len(shape) - x.ndim
    if lead < 0:
        raise ShapeError(
            f"expand: argument 'shape' expected at least {x.ndim} dimensions, got {shape}"
        )
    full = tuple(x.shape[i - lead] if d == -1 and i >= lead else d for i, d in enumerate(shape))
    return broadcast_to(x, full)


def broadcast_arrays(*arrays: Any) -> list[Array]:
    """The arrays broadcast against each other to their common shape (NumPy rules).

    >>> [a.shape for a in nr.broadcast_arrays(nr.zeros((2, 1)), nr.zeros(3))]
    [(2, 3), (2, 3)]
    """
    xs = [to_array("broadcast_arrays", "arrays", a) for a in arrays]
    shape = broadcast_shapes("broadcast_arrays", *(a.shape for a in xs))
    return [broadcast_to(a, shape) for a in xs]


# ------------------------------------------------------------------------ reshape


def _infer_shape(
    op: str, size: int, old: tuple[int, ...], shape: tuple[int, ...]
) -> tuple[int, ...]:
    unknown = [i for i, d in enumerate(shape) if d == -1]
    if len(unknown) > 1 or any(d < -1 for d in shape):
        raise ShapeError(f"{op}: argument 'shape' expected at most one -1, got {shape}")
    known = 1
    for d in shape:
        if d != -1:
            known *= d
    if unknown:
        if known == 0 or size % known:
            raise ShapeError(
                f"{op}: cannot reshape an array of shape {old} ({size} elements) into {shape}"
            )
        shape = tuple(size // known if d == -1 else d for d in shape)
    elif known != size:
        raise ShapeError(
            f"{op}: cannot reshape an array of shape {old} ({size} elements) into {shape}"
        )
    return shape


reshape_p = linear(
    Primitive(
        "reshape",
        lambda x, *, shape: x.reshape(shape),
        lambda x, *, shape: ShapedArray(shape, x.dtype),
    ),
    lambda g, out, x, *, shape: reshape(g, tuple(x.shape)),
)


def _reshape_batch(args: Sequence[Any], dims: Dims, *, shape: tuple[int, ...]) -> tuple[Any, int]:
    """Batched ``reshape``: in place when the dimensions before the batch axis hold as many
    elements as the first ``k`` of ``shape`` (row-major order then keeps each example's
    elements together), else with the batch axis moved to the front first."""
    (x,), (d,) = args, dims
    old = tuple(x.shape)
    size = old[d]
    before = 1
    for n in old[:d]:
        before *= n
    lead = 1
    for k in range(len(shape) + 1):
        if lead == before:
            return reshape_p.bind(x, shape=(*shape[:k], size, *shape[k:])), k
        if k < len(shape):
            lead *= shape[k]
    x = move_axis(x, d, 0)
    return reshape_p.bind(x, shape=(size, *shape)), 0


reshape_p.defbatch(_reshape_batch)


def reshape(x: Any, /, shape: Any, *, copy: bool | None = None) -> Array:
    """The same elements in ``shape`` (one dimension may be ``-1``, inferred)."""
    x = to_array("reshape", "x", x)
    shape = _infer_shape("reshape", x.size, tuple(x.shape), _shape_arg("reshape", shape))
    if tuple(x.shape) == shape:
        return x
    if x.__class__ is Array:
        return wrap(x._v.reshape(shape))
    return reshape_p.bind(x, shape=shape)


def flatten(x: Any, /, start_dim: int = 0, end_dim: int = -1) -> Array:
    """PyTorch's ``flatten``: dimensions ``start_dim..end_dim`` (inclusive) merged into one.

    A 0-d array becomes shape ``(1,)``.

    >>> nr.flatten(nr.zeros((2, 3, 4)), 1).shape
    (2, 12)
    """
    x = to_array("flatten", "x", x)
    shape = tuple(x.shape)
    if not shape:
        normalize_axis("flatten", start_dim, 1, "start_dim")
        normalize_axis("flatten", end_dim, 1, "end_dim")
        return reshape(x, (1,))
    start = normalize_axis("flatten", start_dim, x.ndim, "start_dim")
    end = normalize_axis("flatten", end_dim, x.ndim, "end_dim")
    if start > end:
        raise ShapeError(
            f"flatten: argument 'start_dim' expected a dimension not after end_dim ({end_dim}), "
            f"got {start_dim}"
        )
    merged = 1
    for d in shape[start : end + 1]:
        merged *= d
    return reshape(x, (*shape[:start], merged, *shape[end + 1 :]))


def unflatten(x: Any, /, dim: int, sizes: Sequence[int]) -> Array:
    """PyTorch's ``unflatten``: dimension ``dim`` split into ``sizes`` (one may be ``-1``).

    >>> nr.unflatten(nr.zeros((2, 12)), 1, (3, -1)).shape
    (2, 3, 4)
    """
    x = to_array("unflatten", "x", x)
    axis = normalize_axis("unflatten", dim, x.ndim, "dim")
    sizes = _int_tuple("unflatten", "sizes", sizes)
    d = x.shape[axis]
    try:
        sizes = _infer_shape("unflatten", d, (d,), sizes)
    except ShapeError:
        raise ShapeError(
            f"unflatten: argument 'sizes' expected sizes whose product is {d} (dimension {axis} "
            f"of shape {tuple(x.shape)}), got {sizes}"
        ) from None
    shape = tuple(x.shape)
    return reshape(x, (*shape[:axis], *sizes, *shape[axis + 1 :]))


def contiguous(x: Any, /) -> Array:
    """``x`` itself: immutable arrays need no contiguous copy (PyTorch familiarity)."""
    return to_array("contiguous", "x", x)


# ---------------------------------------------------------------------- transpose


def _inverse(perm: Sequence[int]) -> tuple[int, ...]:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


transpose_p = linear(
    Primitive(
        "transpose",
        lambda x, *, axes: namespace(x).transpose(x, axes),
        lambda x, *, axes: ShapedArray(tuple(x.shape[a] for a in axes), x.dtype),
    ),
    lambda g, out, x, *, axes: permute_dims(g, _inverse(axes)),
)


def _transpose_batch(args: Sequence[Any], dims: Dims, *, axes: tuple[int, ...]) -> tuple[Any, int]:
    """Batched ``transpose``: the batch axis keeps its place; the other axes are permuted
    around it (one transpose, no move of the batch axis)."""
    (x,), (d,) = args, dims
    rest = [a if a < d else a + 1 for a in axes]
    perm = (*rest[:d], d, *rest[d:])
    return transpose_p.bind(x, axes=perm), d


transpose_p.defbatch(_transpose_batch)


def permute_dims(x: Any, /, axes: Sequence[int]) -> Array:
    """``x`` with its dimensions reordered: output dimension ``i`` is input ``axes[i]``."""
    x = to_array("permute_dims", "x", x)
    ndim = x.ndim
    try:
        items = (axes,) if isinstance(axes, (int, np.integer)) else axes
        perm = tuple(a + ndim if a < 0 else a for a in map(index, items))
    except TypeError:
        perm = ()
    if sorted(perm) != list(range(ndim)):
        _bad_permutation(axes, ndim)
    if perm == tuple(range(ndim)):
        return x
    if x.__class__ is Array:
        return wrap(namespace(x._v).transpose(x._v, perm))
    return transpose_p.bind(x, axes=perm)


def _bad_permutation(axes: Any, ndim: int) -> None:
    """Raise the error that says why ``axes`` is no permutation of ``ndim`` axes."""
    axes = _int_tuple("permute_dims", "axes", axes)
    if len(axes) != ndim:
        raise ShapeError(
            f"permute_dims: argument 'axes' expected {ndim} axes, got {len(axes)}: {axes}"
        )
    for a in axes:
        normalize_axis("permute_dims", a, ndim, "axes")
    raise ShapeError(f"permute_dims: argument 'axes' expected a permutation, got {axes}")


def permute(x: Any, /, dims: Sequence[int]) -> Array:
    """PyTorch's name for :func:`permute_dims`."""
    return permute_dims(x, dims)


def transpose(x: Any, axes: Sequence[int] | None = None) -> Array:
    """Reverse the dimensions of ``x`` (or permute them by ``axes``)."""
    x = to_array("transpose", "x", x)
    return permute_dims(x, tuple(range(x.ndim))[::-1] if axes is None else axes)


def moveaxis(x: Any, source: int | Sequence[int], destination: int | Sequence[int], /) -> Array:
    """``x`` with axes ``source`` moved to positions ``destination``; the others keep their
    order.

    >>> nr.moveaxis(nr.zeros((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    x = to_array("moveaxis", "x", x)
    src = _distinct_axes("moveaxis", source, x.ndim, "source")
    dst = _distinct_axes("moveaxis", destination, x.ndim, "destination")
    if len(src) != len(dst):
        raise ShapeError(
            f"moveaxis: arguments 'source' and 'destination' expected as many axes each, got "
            f"{source!r} and {destination!r}"
        )
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return permute_dims(x, order)


def _distinct_axes(op: str, axis: Any, ndim: int, name: str) -> tuple[int, ...]:
    """``axis`` (an int or a sequence) as non-negative axes in the given order, each once."""
    items = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    axes = tuple(normalize_axis(op, a, ndim, name) for a in items)
    if len(set(axes)) != len(axes):
        raise AxisError(f"{op}: argument '{name}' expected distinct axes, got {axis!r}")
    return axes


def swapaxes(x: Any, /, axis1: int, axis2: int) -> Array:
    """``x`` with axes ``axis1`` and ``axis2`` exchanged."""
    x = to_array("swapaxes", "x", x)
    a = normalize_axis("swapaxes", axis1, x.ndim, "axis1")
    b = normalize_axis("swapaxes", axis2, x.ndim, "axis2")
    perm = list(range(x.ndim))
    perm[a], perm[b] = b, a
    return permute_dims(x, perm)


def array_T(x: Any, /) -> Array:
    """The transpose of a 2-D array (``x.T``; the array API defines it for 2-D only)."""
    if x.__class__ is Array and x._v.ndim == 2:
        return wrap(x._v.T)
    x = to_array("T", "x", x)
    if x.ndim != 2:
        raise ShapeError(
            f"T: argument 'x' expected a 2-D array, got shape {tuple(x.shape)}; use x.mT to "
            "swap the last two axes or nr.permute_dims for any order"
        )
    return permute_dims(x, (1, 0))


def matrix_transpose(x: Any, /) -> Array:
    """``x`` with its last two axes swapped (``x.mT``; a stack of matrices transposed)."""
    if x.__class__ is Array and x._v.ndim >= 2:
        return wrap(namespace(x._v).swapaxes(x._v, -1, -2))
    x = to_array("matrix_transpose", "x", x)
    if x.ndim < 2:
        raise ShapeError(
            f"matrix_transpose: argument 'x' expected at least 2 dimensions, got shape "
            f"{tuple(x.shape)}"
        )
    return swapaxes(x, -1, -2)


def expand_dims(x: Any, /, axis: int = 0) -> Array:
    """``x`` with a new dimension of size one at ``axis``."""
    x = to_array("expand_dims", "x", x)
    axis = normalize_axis("expand_dims", axis, x.ndim + 1)
    shape = tuple(x.shape)
    return reshape(x, (*shape[:axis], 1, *shape[axis:]))


def squeeze(x: Any, /, axis: Any = None) -> Array:
    """``x`` without the dimensions of size one at ``axis`` (all of them when None)."""
    x = to_array("squeeze", "x", x)
    if axis is None:
        axes = tuple(i for i, d in enumerate(x.shape) if d == 1)
    else:
        axes = normalize_axes("squeeze", axis, x.ndim)
        for a in axes:
            if x.shape[a] != 1:
                raise ShapeError(
                    f"squeeze: argument 'axis' expected dimensions of size 1, got axis {a} of "
                    f"size {x.shape[a]} in shape {tuple(x.shape)}"
                )
    return reshape(x, tuple(d for i, d in enumerate(x.shape) if i not in axes))


# ------------------------------------------------------------------ slice and pad


def _slice_kernel(x: Any, *, starts: tuple[int, ...], stops: tuple[int, ...]) -> Any:
    return x[tuple(map(slice, starts, stops))]


def _pad_kernel(x: Any, *, widths: tuple[tuple[int, int], ...], value: Any) -> Any:
    xp = namespace(x)
    shape = tuple(lo + d + hi for d, (lo, hi) in zip(x.shape, widths, strict=True))
    out = xp.full(shape, value, dtype=x.dtype)
    out[tuple(slice(lo, lo + d) for d, (lo, _) in zip(x.shape, widths, strict=True))] = x
    return out


def _slice(x: Array, starts: tuple[int, ...], stops: tuple[int, ...]) -> Array:
    """The box ``x[starts:stops]`` (one bound per axis), a view when eager."""
    if x.__class__ is Array:
        return wrap(_slice_kernel(x._v, starts=starts, stops=stops))
    return slice_p.bind(x, starts=starts, stops=stops)


def _slice_axis(x: Array, axis: int, start: int, stop: int) -> Array:
    shape = tuple(x.shape)
    return _slice(x, _with_dim((0,) * len(shape), axis, start), _with_dim(shape, axis, stop))


def _pad(x: Array, widths: tuple[tuple[int, int], ...], value: Any = 0) -> Array:
    """``x`` with ``widths[i] = (before, after)`` elements equal to ``value`` around axis i."""
    if x.__class__ is Array:
        return wrap(_pad_kernel(x._v, widths=widths, value=value))
    return pad_p.bind(x, widths=widths, value=value)


slice_p = linear(
    Primitive(
        "slice",
        _slice_kernel,
        lambda x, *, starts, stops: ShapedArray(
            tuple(b - a for a, b in zip(starts, stops, strict=True)), x.dtype
        ),
    ),
    lambda g, out, x, *, starts, stops: _pad(
        g, tuple((a, d - b) for a, b, d in zip(starts, stops, x.shape, strict=True))
    ),
)


def _slice_batch(
    args: Sequence[Any], dims: Dims, *, starts: tuple[int, ...], stops: tuple[int, ...]
) -> tuple[Any, int]:
    """Batched ``slice``: the whole batch axis kept, the box unchanged around it."""
    (x,), (d,) = args, dims
    return slice_p.bind(
        x, starts=(*starts[:d], 0, *starts[d:]), stops=(*stops[:d], x.shape[d], *stops[d:])
    ), d


slice_p.defbatch(_slice_batch)

pad_p = Primitive(
    "pad",
    _pad_kernel,
    lambda x, *, widths, value: ShapedArray(
        tuple(lo + d + hi for d, (lo, hi) in zip(x.shape, widths, strict=True)), x.dtype
    ),
)
pad_p.residuals = SHAPES
pad_p.defjvp(lambda t, out, x, *, widths, value: _pad(t, widths))
pad_p.defvjp(
    lambda g, out, x, *, widths, value: _slice(
        g,
        tuple(lo for lo, _ in widths),
        tuple(lo + d for d, (lo, _) in zip(x.shape, widths, strict=True)),
    )
)


def _pad_batch(
    args: Sequence[Any], dims: Dims, *, widths: tuple[tuple[int, int], ...], value: Any
) -> tuple[Any, int]:
    """Batched ``pad``: no padding along the batch axis."""
    (x,), (d,) = args, dims
    return pad_p.bind(x, widths=(*widths[:d], (0, 0), *widths[d:]), value=value), d


pad_p.defbatch(_pad_batch)

_PAD_MODES = ("constant", "reflect", "replicate", "circular")
_NUMPY_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _static(op: str, name: str, value: Array, why: str) -> Any:
    """The concrete values of ``value``, an argument that must be one value for every example
    under ``vmap`` (``why`` says what it fixes and what to do instead)."""
    try:
        return value.numpy()
    except ConcretizationError:
        raise ConcretizationError(
            f"{op}: argument '{name}' differs from one example to the next under vmap, but {why}"
        ) from None


_STATIC_SHAPE = (
    "it fixes the shape of the result, which must be the same for every example; pass a "
    "Python int or sequence, or an array that is not batched"
)


def _pad_widths(op: str, pad_width: Any, ndim: int) -> tuple[tuple[int, int], ...]:
    w = np.asarray(
        _static(op, "pad_width", pad_width, _STATIC_SHAPE)
        if isinstance(pad_width, Array)
        else pad_width
    )
    if w.dtype.kind not in "iu":
        raise TypeError(f"{op}: argument 'pad_width' expected integers, got {pad_width!r}")
    try:
        pairs = np.broadcast_to(w, (ndim, 2))
    except ValueError:
        raise ShapeError(
            f"{op}: argument 'pad_width' expected an int, one (before, after) pair or {ndim} "
            f"pairs (one per axis), got {pad_width!r}"
        ) from None
    if (pairs < 0).any():
        raise ShapeError(
            f"{op}: argument 'pad_width' expected non-negative widths, got {pad_width!r}"
        )
    return tuple((int(lo), int(hi)) for lo, hi in pairs)


def _pad_value(op: str, value: Any) -> Any:
    if isinstance(value, Array):
        return _static(
            op,
            "value",
            value,
            "the constant fill is one static value; for a fill that varies per example use "
            "nr.pad(x - value, pad_width) + value",
        ).item()
    if isinstance(value, (bool, int, float, complex, np.generic)):
        return value
    raise TypeError(f"{op}: argument 'value' expected a Python scalar, got {type(value).__name__}")


def pad(x: Any, /, pad_width: Any, mode: str = "constant", value: Any = 0) -> Array:
    """``x`` padded by ``pad_width`` in NumPy's convention.

    Parameters
    ----------
    pad_width: an int (every side of every axis), one ``(before, after)`` pair (every axis),
        or one pair per axis ``((before_0, after_0), (before_1, after_1), ...)``. For
        PyTorch's flat, last-axis-first tuple use :func:`pad_last_dims`.
    mode: ``"constant"`` (fill with ``value``), ``"reflect"`` (mirror without repeating the
        edge; widths below the dimension), ``"replicate"`` (repeat the edge) or
        ``"circular"`` (wrap around; widths up to the dimension).
    value: the fill of ``"constant"`` mode (a constant: no derivative flows to it).

    >>> nr.pad(nr.asarray([1, 2, 3]), (1, 2), mode="reflect")
    Array([2, 1, 2, 3, 2, 1], dtype=int64)
    """
    x = to_array("pad", "x", x)
    return _padded("pad", x, _pad_widths("pad", pad_width, x.ndim), mode, value)


def _padded(op: str, x: Array, widths: tuple[tuple[int, int], ...], mode: str, value: Any) -> Array:
    if mode not in _PAD_MODES:
        raise ValueError(
            f"{op}: argument 'mode' expected one of {', '.join(map(repr, _PAD_MODES))}, got "
            f"{mode!r}"
        )
    if mode == "constant":
        value = _pad_value(op, value)
        return x if not any(lo or hi for lo, hi in widths) else _pad(x, widths, value)
    _check_pad_fits(op, mode, widths, tuple(x.shape))
    if x.__class__ is Array:
        return wrap(namespace(x._v).pad(x._v, widths, mode=_NUMPY_PAD_MODES[mode]))
    for axis, (lo, hi) in enumerate(widths):
        if lo or hi:
            x = _pad_axis(x, axis, lo, hi, mode)
    return x


def _check_pad_fits(
    op: str, mode: str, widths: tuple[tuple[int, int], ...], shape: tuple[int, ...]
) -> None:
    for axis, ((lo, hi), d) in enumerate(zip(widths, shape, strict=True)):
        if mode == "reflect":
            limit = d - 1
        elif mode == "circular":
            limit = d
        else:  # replicate: any width, from a non-empty edge
            limit = max(lo, hi) if d else 0
        if max(lo, hi) > limit:
            raise ShapeError(
                f"{op}: argument 'pad_width' expected widths of at most {limit} for mode {mode!r} "
                f"on axis {axis} of size {d} (shape {shape}), got ({lo}, {hi})"
            )


def _pad_axis(x: Array, axis: int, lo: int, hi: int, mode: str) -> Array:
    """``x`` padded along one axis by the non-constant ``mode``, from slices of itself."""
    d = x.shape[axis]
    if mode == "reflect":
        before = _flip(_slice_axis(x, axis, 1, lo + 1), (axis,))
        after = _flip(_slice_axis(x, axis, d - hi - 1, d - 1), (axis,))
    elif mode == "circular":
        before = _slice_axis(x, axis, d - lo, d)
        after = _slice_axis(x, axis, 0, hi)
    else:
        shape = tuple(x.shape)
        before = broadcast_to(_slice_axis(x, axis, 0, 1), _with_dim(shape, axis, lo))
        after = broadcast_to(_slice_axis(x, axis, d - 1, d), _with_dim(shape, axis, hi))
    return _concat([p for p in (before, x, after) if p.shape[axis]], axis)


def pad_last_dims(x: Any, /, pad: Sequence[int], mode: str = "constant", value: Any = 0) -> Array:
    """:func:`pad` in PyTorch's convention (``torch.nn.functional.pad``): ``pad`` is a flat
    tuple ``(last_before, last_after, second_last_before, second_last_after, ...)`` that pads
    the last ``len(pad) // 2`` axes, last axis first.

    >>> nr.pad_last_dims(nr.zeros((2, 3)), (1, 1, 2, 0)).shape
    (4, 5)
    """
    x = to_array("pad_last_dims", "x", x)
    flat = _int_tuple("pad_last_dims", "pad", pad)
    if len(flat) % 2 or len(flat) // 2 > x.ndim or min(flat, default=0) < 0:
        raise ShapeError(
            f"pad_last_dims: argument 'pad' expected an even number (at most {2 * x.ndim}) of "
            f"non-negative widths for an array with {x.ndim} dimensions, got {flat}"
        )
    pairs = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)][::-1]
    widths = ((0, 0),) * (x.ndim - len(pairs)) + tuple(pairs)
    return _padded("pad_last_dims", x, widths, mode, value)


# -------------------------------------------------------------- concat and split


def _concat_kernel(*xs: Any, axis: int) -> Any:
    return namespace(xs[0]).concatenate(xs, axis=axis)


def _concat_shape(*xs: ShapedArray, axis: int) -> ShapedArray:
    total = 0
    for x in xs:
        total += x.shape[axis]
    return ShapedArray(_with_dim(xs[0].shape, axis, total), xs[0].dtype)


def _concat_span(xs: Sequence[Any], i: int, axis: int) -> tuple[int, int]:
    start = 0
    for x in xs[:i]:
        start += x.shape[axis]
    return start, start + xs[i].shape[axis]


def _concat_cotangent(i: int) -> Callable[..., Any]:
    def rule(g: Any, out: Any, *xs: Any, axis: int) -> Any:
        start, stop = _concat_span(xs, i, axis)
        return _slice_axis(g, axis, start, stop)

    return rule


def _concat_tangent(i: int) -> Callable[..., Any]:
    def rule(t: Any, out: Any, *xs: Any, axis: int) -> Any:
        start, stop = _concat_span(xs, i, axis)
        widths = _with_dim(((0, 0),) * t.ndim, axis, (start, out.shape[axis] - stop))
        return _pad(t, widths)

    return rule


concatenate_p = Primitive("concatenate", _concat_kernel, _concat_shape)
concatenate_p.residuals = SHAPES
concatenate_p.jvp = _EachArgument(_concat_tangent)  # type: ignore[assignment]
concatenate_p.vjp = _EachArgument(_concat_cotangent)  # type: ignore[assignment]


def _concat_batch(args: Sequence[Any], dims: Dims, *, axis: int) -> tuple[Any, int]:
    """Batched ``concatenate``: every operand batched along the first batched operand's axis
    (moved there, or broadcast there when unbatched), then one concatenation."""
    d, size = next((e, a.shape[e]) for a, e in zip(args, dims, strict=True) if e is not None)
    xs = [_batched_along(a, e, d, size) for a, e in zip(args, dims, strict=True)]
    return concatenate_p.bind(*xs, axis=_at(axis, d, xs[0].ndim - 1)), d


concatenate_p.defbatch(_concat_batch)


def _split_kernel(x: Any, *, axis: int, sizes: tuple[int, ...]) -> tuple[Any, ...]:
    return tuple(namespace(x).split(x, np.cumsum(sizes[:-1]).tolist(), axis=axis))


split_p = linear(
    Primitive(
        "split",
        _split_kernel,
        lambda x, *, axis, sizes: tuple(
            ShapedArray(_with_dim(x.shape, axis, s), x.dtype) for s in sizes
        ),
        multiple_results=True,
    ),
    lambda g, out, x, *, axis, sizes: _concat(list(g), axis),
)


def _split_batch(
    args: Sequence[Any], dims: Dims, *, axis: int, sizes: tuple[int, ...]
) -> tuple[tuple[Any, ...], tuple[int, ...]]:
    """Batched ``split``: the axis shifted past the batch axis, which every piece keeps."""
    (x,), (d,) = args, dims
    return split_p.bind(x, axis=_at(axis, d, x.ndim - 1), sizes=sizes), (d,) * len(sizes)


split_p.defbatch(_split_batch)


def _concat(arrays: list[Array], axis: int) -> Array:
    if len(arrays) == 1:
        return arrays[0]
    if _plain(arrays):
        return wrap(_concat_kernel(*[a._v for a in arrays], axis=axis))
    return concatenate_p.bind(*arrays, axis=axis)


def _split(x: Array, axis: int, sizes: tuple[int, ...]) -> tuple[Array, ...]:
    if len(sizes) < 2:
        return (x,) * len(sizes)
    if x.__class__ is Array:
        return tuple(wrap(p) for p in _split_kernel(x._v, axis=axis, sizes=sizes))
    return split_p.bind(x, axis=axis, sizes=sizes)


def _array_list(op: str, arrays: Any) -> list[Array]:
    if isinstance(arrays, Array) or not isinstance(arrays, (list, tuple)):
        raise TypeError(
            f"{op}: argument 'arrays' expected a list or tuple of arrays, got "
            f"{type(arrays).__name__}"
        )
    if not arrays:
        raise ShapeError(f"{op}: argument 'arrays' expected at least one array, got none")
    dtype = getattr(arrays[0], "dtype", None)
    for a in arrays:
        if a.__class__ is not Array or a._v.__class__ is not np.ndarray or a._v.dtype != dtype:
            return promote_args(op, *arrays)
    return list(arrays)


def concat(arrays: Sequence[Any], /, *, axis: int | None = 0) -> Array:
    """The arrays joined along an existing ``axis`` (flattened first when ``axis`` is None).

    Dtypes promote; every shape must match except along ``axis``.

    >>> nr.concat([nr.zeros((2, 3)), nr.ones((1, 3))]).shape
    (3, 3)
    """
    xs = _array_list("concat", arrays)
    if axis is None:
        xs = [reshape(a, (-1,)) for a in xs]
        axis = 0
    shapes = [tuple(a.shape) for a in xs]
    if not shapes[0]:
        raise ShapeError(
            "concat: argument 'arrays' expected arrays with at least one dimension, got 0-d "
            "arrays (use nr.stack to join scalars)"
        )
    axis = normalize_axis("concat", axis, len(shapes[0]))
    rest = _with_dim(shapes[0], axis, -1)
    if any(len(s) != len(rest) or _with_dim(s, axis, -1) != rest for s in shapes):
        raise ShapeError(
            f"concat: argument 'arrays' expected shapes that match except along axis {axis}, "
            f"got {', '.join(map(str, shapes))}"
        )
    return _concat(xs, axis)


def stack(arrays: Sequence[Any], /, *, axis: int = 0) -> Array:
    """The arrays (all of one shape) joined along a new ``axis``.

    >>> nr.stack([nr.zeros(3), nr.ones(3)], axis=1).shape
    (3, 2)
    """
    xs = _array_list("stack", arrays)
    shapes = [tuple(a.shape) for a in xs]
    if any(s != shapes[0] for s in shapes):
        raise ShapeError(
            f"stack: argument 'arrays' expected arrays of one shape, got "
            f"{', '.join(map(str, shapes))}"
        )
    axis = normalize_axis("stack", axis, len(shapes[0]) + 1)
    if _plain(xs):
        return wrap(namespace(xs[0]._v).stack([a._v for a in xs], axis=axis))
    return _concat([expand_dims(a, axis) for a in xs], axis)


def split(x: Any, /, sizes_or_sections: int | Sequence[int], axis: int = 0) -> tuple[Array, ...]:
    """PyTorch's ``split``: ``x`` cut along ``axis`` into consecutive pieces (views).

    An int is the size of every piece (the last one is smaller when it does not divide the
    dimension); a sequence gives each piece's size and must sum to the dimension.

    >>> [p.shape for p in nr.split(nr.zeros(5), 2)]
    [(2,), (2,), (1,)]
    >>> [p.shape for p in nr.split(nr.zeros(5), [1, 4])]
    [(1,), (4,)]
    """
    x = to_array("split", "x", x)
    axis = normalize_axis("split", axis, x.ndim)
    d = x.shape[axis]
    if isinstance(sizes_or_sections, (int, np.integer)) and not isinstance(sizes_or_sections, bool):
        size = int(sizes_or_sections)
        if size <= 0:
            raise ShapeError(
                f"split: argument 'sizes_or_sections' expected a positive piece size, got {size}"
            )
        sizes = (size,) * (d // size) + ((d % size,) if d % size or not d else ())
    else:
        sizes = _int_tuple("split", "sizes_or_sections", sizes_or_sections)
        if not sizes or min(sizes) < 0 or sum(sizes) != d:
            raise ShapeError(
                f"split: argument 'sizes_or_sections' expected non-negative sizes summing to {d} "
                f"(axis {axis} of shape {tuple(x.shape)}), got {sizes}"
            )
    return _split(x, axis, sizes)


def chunk(x: Any, /, chunks: int, axis: int = 0) -> tuple[Array, ...]:
    """PyTorch's ``chunk``: ``x`` cut along ``axis`` into at most ``chunks`` pieces of size
    ``ceil(n / chunks)`` (the last may be smaller; fewer pieces when they run out).

    >>> [p.shape for p in nr.chunk(nr.zeros(5), 3)]
    [(2,), (2,), (1,)]
    """
    x = to_array("chunk", "x", x)
    if not isinstance(chunks, (int, np.integer)) or isinstance(chunks, bool) or chunks <= 0:
        raise ShapeError(f"chunk: argument 'chunks' expected a positive int, got {chunks!r}")
    axis = normalize_axis("chunk", axis, x.ndim)
    return split(x, max(-(-x.shape[axis] // int(chunks)), 1), axis)


def unstack(x: Any, /, *, axis: int = 0) -> tuple[Array, ...]:
    """The slices of ``x`` along ``axis``, that axis removed (the inverse of :func:`stack`).

    >>> [p.shape for p in nr.unstack(nr.zeros((2, 3)), axis=1)]
    [(2,), (2,), (2,)]
    """
    x = to_array("unstack", "x", x)
    axis = normalize_axis("unstack", axis, x.ndim)
    if x.__class__ is Array:
        return tuple(wrap(v) for v in namespace(x._v).moveaxis(x._v, axis, 0))
    shape = tuple(x.shape)
    rest = shape[:axis] + shape[axis + 1 :]
    return tuple(reshape(p, rest) for p in _split(x, axis, (1,) * shape[axis]))


unbind = unstack


# --------------------------------------------------------------------- tile, repeat


def tile(x: Any, repetitions: Sequence[int], /) -> Array:
    """``x`` repeated ``repetitions[i]`` times along axis ``i`` (NumPy's ``tile``: the shorter
    of ``x.shape`` and ``repetitions`` is padded with leading ones).

    >>> nr.tile(nr.asarray([1, 2]), (2, 2))
    Array([[1, 2, 1, 2],
           [1, 2, 1, 2]], dtype=int64)
    """
    x = to_array("tile", "x", x)
    reps = _int_tuple("tile", "repetitions", repetitions)
    if reps and min(reps) < 0:
        raise ShapeError(f"tile: argument 'repetitions' expected non-negative counts, got {reps}")
    if x.__class__ is Array:
        return wrap(namespace(x._v).tile(x._v, reps))
    n = max(len(reps), x.ndim)
    reps = (1,) * (n - len(reps)) + reps
    shape = (1,) * (n - x.ndim) + tuple(x.shape)
    spread = tuple(v for d in shape for v in (1, d))
    tiled = tuple(v for r, d in zip(reps, shape, strict=True) for v in (r, d))
    out = broadcast_to(reshape(x, spread), tiled)
    return reshape(out, tuple(r * d for r, d in zip(reps, shape, strict=True)))


def _segment_sum_kernel(g: Any, *, axis: int, repeats: tuple[int, ...]) -> Any:
    xp = namespace(g)
    counts = np.asarray(repeats, dtype=np.int64)
    starts = np.cumsum(counts) - counts
    nonempty = np.flatnonzero(counts)
    if 0 < nonempty.size == counts.size:
        return xp.add.reduceat(g, xp.asarray(starts), axis=axis)
    out = xp.zeros(_with_dim(g.shape, axis, counts.size), dtype=g.dtype)
    if nonempty.size:
        index = [slice(None)] * g.ndim
        index[axis] = xp.asarray(nonempty)
        out[tuple(index)] = xp.add.reduceat(g, xp.asarray(starts[nonempty]), axis=axis)
    return out


repeat_p = linear(
    Primitive(
        "repeat",
        lambda x, *, axis, repeats: namespace(x).repeat(x, list(repeats), axis=axis),
        lambda x, *, axis, repeats: ShapedArray(_with_dim(x.shape, axis, sum(repeats)), x.dtype),
    ),
    lambda g, out, x, *, axis, repeats: segment_sum_p.bind(g, axis=axis, repeats=repeats),
)
segment_sum_p = linear(
    Primitive(
        "segment_sum",
        _segment_sum_kernel,
        lambda g, *, axis, repeats: ShapedArray(_with_dim(g.shape, axis, len(repeats)), g.dtype),
    ),
    lambda g, out, x, *, axis, repeats: repeat_p.bind(g, axis=axis, repeats=repeats),
)


def _repeat_batch(
    args: Sequence[Any], dims: Dims, *, axis: int, repeats: tuple[int, ...]
) -> tuple[Any, int]:
    """Batched ``repeat``: the same counts for every example, the axis shifted."""
    (x,), (d,) = args, dims
    return repeat_p.bind(x, axis=_at(axis, d, x.ndim - 1), repeats=repeats), d


def _segment_sum_batch(
    args: Sequence[Any], dims: Dims, *, axis: int, repeats: tuple[int, ...]
) -> tuple[Any, int]:
    """Batched ``segment_sum``: the same segments for every example, the axis shifted."""
    (g,), (d,) = args, dims
    return segment_sum_p.bind(g, axis=_at(axis, d, g.ndim - 1), repeats=repeats), d


repeat_p.defbatch(_repeat_batch)
segment_sum_p.defbatch(_segment_sum_batch)


def _repeat_counts(repeats: Any, d: int) -> int | tuple[int, ...]:
    """``repeats`` as one count or one count per element of a dimension of size ``d``."""
    if isinstance(repeats, (int, np.integer)) and not isinstance(repeats, bool):
        counts: Any = np.asarray(int(repeats))
    else:
        counts = np.asarray(
            _static("repeat", "repeats", repeats, _STATIC_SHAPE)
            if isinstance(repeats, Array)
            else repeats
        )
        if counts.dtype.kind not in "iu":
            raise DTypeError(
                f"repeat: argument 'repeats' expected an int or integer counts, got "
                f"{repeats!r} of dtype {counts.dtype}"
            )
        if counts.ndim > 1 or (counts.ndim == 1 and counts.size not in (1, d)):
            raise ShapeError(
                f"repeat: argument 'repeats' expected an int or {d} counts (one per element), "
                f"got shape {counts.shape}"
            )
    if (counts < 0).any():
        raise ShapeError(
            f"repeat: argument 'repeats' expected non-negative counts, got {repeats!r}"
        )
    if counts.size == 1:
        return int(counts.reshape(()))
    return tuple(int(c) for c in counts)


def repeat(x: Any, repeats: Any, /, *, axis: int | None = None) -> Array:
    """Each element of ``x`` repeated along ``axis`` (of the flattened ``x`` when None).

    ``repeats`` is one count for every element or a 1-D sequence/array of counts, one per
    element along ``axis`` (the array API's ``repeat``; NumPy's for these cases).

    >>> nr.repeat(nr.asarray([1, 2]), [1, 3])
    Array([1, 2, 2, 2], dtype=int64)
    """
    x = to_array("repeat", "x", x)
    if axis is None:
        x = reshape(x, (-1,))
        axis = 0
    axis = normalize_axis("repeat", axis, x.ndim)
    counts = _repeat_counts(repeats, x.shape[axis])
    if x.__class__ is Array:
        return wrap(namespace(x._v).repeat(x._v, counts, axis=axis))
    if isinstance(counts, tuple):
        return repeat_p.bind(x, axis=axis, repeats=counts)
    shape = tuple(x.shape)
    spread = broadcast_to(
        reshape(x, (*shape[: axis + 1], 1, *shape[axis + 1 :])),
        (*shape[: axis + 1], counts, *shape[axis + 1 :]),
    )
    return reshape(spread, _with_dim(shape, axis, shape[axis] * counts))


# ------------------------------------------------------------------- flip and roll


flip_p = linear(
    Primitive(
        "flip",
        lambda x, *, axes: namespace(x).flip(x, axis=axes),
        lambda x, *, axes: ShapedArray(tuple(x.shape), x.dtype),
    ),
    lambda g, out, x, *, axes: _flip(g, axes),
)


def _flip_batch(args: Sequence[Any], dims: Dims, *, axes: tuple[int, ...]) -> tuple[Any, int]:
    """Batched ``flip``: the axes shifted past the batch axis."""
    (x,), (d,) = args, dims
    n = x.ndim - 1
    return flip_p.bind(x, axes=tuple(_at(a, d, n) for a in axes)), d


flip_p.defbatch(_flip_batch)


def _flip(x: Array, axes: tuple[int, ...]) -> Array:
    if x.__class__ is Array:
        return wrap(namespace(x._v).flip(x._v, axis=axes))
    return flip_p.bind(x, axes=axes)


def flip(x: Any, /, *, axis: int | Sequence[int] | None = None) -> Array:
    """``x`` with the order of its elements reversed along ``axis`` (every axis when None);
    a view when eager."""
    x = to_array("flip", "x", x)
    axes = normalize_axes("flip", axis, x.ndim)
    return _flip(x, axes) if axes else x


roll_p = linear(
    Primitive(
        "roll",
        lambda x, *, shifts, axes: namespace(x).roll(x, shifts, axis=axes),
        lambda x, *, shifts, axes: ShapedArray(tuple(x.shape), x.dtype),
    ),
    lambda g, out, x, *, shifts, axes: _roll(
        g, tuple((-s) % x.shape[a] for s, a in zip(shifts, axes, strict=True)), axes
    ),
)


def _roll_batch(
    args: Sequence[Any], dims: Dims, *, shifts: tuple[int, ...], axes: tuple[int, ...]
) -> tuple[Any, int]:
    """Batched ``roll``: the same shifts, the axes shifted past the batch axis."""
    (x,), (d,) = args, dims
    n = x.ndim - 1
    return roll_p.bind(x, shifts=shifts, axes=tuple(_at(a, d, n) for a in axes)), d


roll_p.defbatch(_roll_batch)


def _roll(x: Array, shifts: tuple[int, ...], axes: tuple[int, ...]) -> Array:
    if x.__class__ is Array:
        return wrap(namespace(x._v).roll(x._v, shifts, axis=axes))
    return roll_p.bind(x, shifts=shifts, axes=axes)


def roll(
    x: Any, /, shift: int | Sequence[int], *, axis: int | Sequence[int] | None = None
) -> Array:
    """``x`` with its elements shifted by ``shift`` along ``axis``, wrapping around (over the
    flattened array when ``axis`` is None). One shift per axis, or one shift for all.

    >>> nr.roll(nr.asarray([1, 2, 3]), 1)
    Array([3, 1, 2], dtype=int64)
    """
    x = to_array("roll", "x", x)
    shifts = _int_tuple("roll", "shift", shift)
    if axis is None:
        if len(shifts) != 1:
            raise ShapeError(
                f"roll: argument 'shift' expected one shift when 'axis' is None, got {shifts}"
            )
        return reshape(roll(reshape(x, (-1,)), shifts, axis=0), tuple(x.shape))
    axes = _int_tuple("roll", "axis", axis)
    if len(shifts) == 1:
        shifts = shifts * len(axes)
    if len(shifts) != len(axes):
        raise ShapeError(
            f"roll: arguments 'shift' and 'axis' expected as many entries each, got {shifts} "
            f"and {axes}"
        )
    total: dict[int, int] = {}
    for s, a in zip(shifts, axes, strict=True):
        a = normalize_axis("roll", a, x.ndim)
        total[a] = total.get(a, 0) + s
    kept = {a: s % x.shape[a] for a, s in total.items() if x.shape[a] and s % x.shape[a]}
    if not kept:
        return x
    return _roll(x, tuple(kept.values()), tuple(kept))


# ---------------------------------------------------------------------- triangles


def _triangle(name: str, keep: str, side: str) -> tuple[Primitive, Callable[..., Array]]:
    def kernel(x: Any, *, k: int) -> Any:
        return getattr(namespace(x), name)(x, k=k)

    prim = linear(
        Primitive(name, kernel, lambda x, *, k: ShapedArray(tuple(x.shape), x.dtype)),
        lambda g, out, x, *, k: fn(g, k=k),
    )

    def batch(args: Sequence[Any], dims: Dims, *, k: int) -> tuple[Any, int]:
        (x,), (d,) = args, dims
        if d >= x.ndim - 2:
            x, d = move_axis(x, d, 0), 0
        return prim.bind(x, k=k), d

    batch.__doc__ = (
        f"Batched ``{name}`` (on the last two axes): a batch axis among them moves to the front."
    )
    prim.defbatch(batch)

    def fn(x: Any, /, *, k: int = 0) -> Array:
        x = to_array(name, "x", x)
        if x.ndim < 2:
            raise ShapeError(
                f"{name}: argument 'x' expected at least 2 dimensions, got shape {tuple(x.shape)}"
            )
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
            raise TypeError(f"{name}: argument 'k' expected an int, got {type(k).__name__}")
        if x.__class__ is Array:
            return wrap(kernel(x._v, k=int(k)))
        return prim.bind(x, k=int(k))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"The {keep} triangle of the last two axes of ``x``: elements on and {side} the "
        f"``k``-th diagonal kept, the others zero (``k > 0`` is above the main diagonal)."
    )
    return prim, fn


tril_p, tril = _triangle("tril", "lower", "below")
triu_p, triu = _triangle("triu", "upper", "above")


# ----------------------------------------------------------------------- meshgrid


def meshgrid(*arrays: Any, indexing: str = "xy") -> list[Array]:
    """Coordinate grids from 1-D arrays: output ``i`` repeats ``arrays[i]`` along every other
    axis. ``indexing="xy"`` (Cartesian, NumPy's default) swaps the first two output axes;
    ``"ij"`` (matrix) does not.

    >>> [g.shape for g in nr.meshgrid(nr.zeros(2), nr.zeros(3))]
    [(3, 2), (3, 2)]
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: argument 'indexing' expected 'xy' or 'ij', got {indexing!r}")
    if not arrays:
        return []
    xs = promote_args("meshgrid", *arrays)
    for i, a in enumerate(xs):
        if a.ndim != 1:
            raise ShapeError(
                f"meshgrid: argument 'arrays' expected 1-D arrays, got shape {tuple(a.shape)} "
                f"for array {i}"
            )
    positions = list(range(len(xs)))
    if indexing == "xy" and len(xs) > 1:
        positions[0], positions[1] = 1, 0
    shape = [0] * len(xs)
    for a, p in zip(xs, positions, strict=True):
        shape[p] = a.shape[0]
    ones = (1,) * len(xs)
    return [
        broadcast_to(reshape(a, _with_dim(ones, p, -1)), tuple(shape))
        for a, p in zip(xs, positions, strict=True)
    ]


# ------------------------------------------------------------------------- OpInfos


def _perm_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 4)
    return [Sample((rand(rng, shape, dtype), tuple(int(a) for a in rng.permutation(len(shape)))))]


def _broadcast_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 0, 3)
    target = tuple(d if rng.random() < 0.5 else 1 for d in shape)
    return [Sample((rand(rng, target, dtype), (2, *shape)))]


def _reshape_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    size = int(np.prod(shape))
    return [Sample((rand(rng, shape, dtype), (size,))), Sample((rand(rng, shape, dtype), (-1, 1)))]


def _axis_of(rng: np.random.Generator, ndim: int) -> int:
    return int(rng.integers(-ndim, ndim))


def _one_array(min_ndim: int = 1, max_ndim: int = 3) -> Callable[..., list[Sample]]:
    """Samples of one random array with ``min_ndim..max_ndim`` dimensions."""

    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        return [Sample((rand(rng, rand_shape(rng, min_ndim, max_ndim), dtype),)) for _ in range(2)]

    return samples


def _concat_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    axis = _axis_of(rng, len(shape))
    parts = [
        rand(rng, _with_dim(shape, axis % len(shape), int(rng.integers(1, 4))), dtype)
        for _ in range(int(rng.integers(1, 4)))
    ]
    other = [rand(rng, rand_shape(rng, 0, 2), dtype), rand(rng, rand_shape(rng, 1, 2), dtype)]
    return [Sample(tuple(parts), {"axis": axis}), Sample(tuple(other), {"axis": None})]


def _stack_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 0, 2)
    parts = tuple(rand(rng, shape, dtype) for _ in range(int(rng.integers(1, 4))))
    return [Sample(parts, {"axis": int(rng.integers(-len(shape) - 1, len(shape) + 1))})]


def _split_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3, max_size=5)
    x = rand(rng, shape, dtype)
    axis = _axis_of(rng, len(shape))
    d = shape[axis]
    cut = sorted(int(c) for c in rng.integers(0, d + 1, size=2))
    return [
        Sample((x, int(rng.integers(1, d + 1))), {"axis": axis}),
        Sample((x, [cut[0], cut[1] - cut[0], d - cut[1]]), {"axis": axis}),
    ]


def _np_split(x: np.ndarray, sizes: Any, axis: int = 0) -> list[np.ndarray]:
    d = x.shape[axis]
    if isinstance(sizes, int):
        return np.split(x, list(range(sizes, d, sizes)), axis)
    return np.split(x, np.cumsum(sizes[:-1]).tolist(), axis)


def _chunk_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3, max_size=5)
    axis = _axis_of(rng, len(shape))
    return [Sample((rand(rng, shape, dtype), int(rng.integers(1, 5))), {"axis": axis})]


def _np_chunk(x: np.ndarray, chunks: int, axis: int = 0) -> list[np.ndarray]:
    return _np_split(x, max(-(-x.shape[axis] // chunks), 1), axis)


def _unstack_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    return [Sample((rand(rng, shape, dtype),), {"axis": _axis_of(rng, len(shape))})]


def _np_unstack(x: np.ndarray, axis: int = 0) -> list[np.ndarray]:
    return list(np.moveaxis(x, axis, 0))


def _tile_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    x = rand(rng, rand_shape(rng, 0, 2, max_size=3), dtype)
    reps = tuple(int(r) for r in rng.integers(1, 3, size=int(rng.integers(0, 4))))
    return [Sample((x, reps))]


def _repeat_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    x = rand(rng, shape, dtype)
    axis = _axis_of(rng, len(shape))
    wide = rand(rng, _with_dim(shape, axis % len(shape), 3), dtype)
    counts = [int(c) for c in rng.integers(0, 3, size=3)]
    return [
        Sample((x, int(rng.integers(1, 3)))),
        Sample((x, int(rng.integers(0, 3))), {"axis": axis}),
        Sample((wide, counts), {"axis": axis}),
    ]


def _segment_sum(x: Any, repeats: Sequence[int], axis: int = 0) -> Array:
    """The transpose of :func:`repeat` with per-element counts (a test entry point)."""
    return segment_sum_p.bind(to_array("segment_sum", "x", x), axis=axis, repeats=tuple(repeats))


def _segment_sum_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    counts = [int(c) for c in rng.integers(0, 3, size=int(rng.integers(1, 4)))]
    counts[0] += 1
    x = rand(rng, _with_dim(shape, 0, sum(counts)), dtype)
    return [Sample((x, counts))]


def _np_segment_sum(x: np.ndarray, repeats: Sequence[int], axis: int = 0) -> np.ndarray:
    ids = np.repeat(np.arange(len(repeats)), repeats)
    out = np.zeros(_with_dim(x.shape, axis, len(repeats)), dtype=x.dtype)
    np.add.at(out, ids, x)
    return out


def _flip_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    x = rand(rng, shape, dtype)
    return [
        Sample((x,)),
        Sample((x,), {"axis": _axis_of(rng, len(shape))}),
        Sample((x,), {"axis": (0, -1)} if len(shape) > 1 else {"axis": (0,)}),
    ]


def _roll_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    x = rand(rng, shape, dtype)
    axis = _axis_of(rng, len(shape))
    return [
        Sample((x, int(rng.integers(-5, 6)))),
        Sample((x, int(rng.integers(-5, 6))), {"axis": axis}),
        Sample((x, (1, -2)), {"axis": (axis, 0)}),
    ]


def _pad_samples(mode: str) -> Callable[..., list[Sample]]:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        shape = rand_shape(rng, 1, 3, max_size=4)
        x = rand(rng, shape, dtype)
        top = {"constant": 3, "reflect": min(shape) - 1, "replicate": 3, "circular": min(shape)}
        widths = [tuple(int(w) for w in rng.integers(0, top[mode] + 1, size=2)) for _ in shape]
        extra = {"value": 1.5} if mode == "constant" else {}
        return [
            Sample((x, widths), {"mode": mode, **extra}),
            Sample((x, int(rng.integers(0, top[mode] + 1))), {"mode": mode}),
        ]

    return samples


def _np_pad(x: np.ndarray, pad_width: Any, mode: str = "constant", value: Any = 0) -> np.ndarray:
    if mode == "constant":
        return np.pad(x, pad_width, constant_values=np.asarray(value).astype(x.dtype))
    return np.pad(x, pad_width, mode=_NUMPY_PAD_MODES[mode])


def _pad_last_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 2, 3)
    pad_last = tuple(int(w) for w in rng.integers(0, 3, size=4))
    return [Sample((rand(rng, shape, dtype), pad_last), {"mode": "replicate"})]


def _np_pad_last(x: np.ndarray, pad: Sequence[int], mode: str = "constant") -> np.ndarray:
    pairs = [(pad[i], pad[i + 1]) for i in range(0, len(pad), 2)][::-1]
    return _np_pad(x, [(0, 0)] * (x.ndim - len(pairs)) + pairs, mode)


def _matrix_samples(min_ndim: int, max_ndim: int) -> Callable[..., list[Sample]]:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        x = rand(rng, rand_shape(rng, min_ndim, max_ndim), dtype)
        return [Sample((x,)), Sample((x,), {"k": int(rng.integers(-2, 3))})]

    return samples


def _moveaxis_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    x = rand(rng, shape, dtype)
    n = len(shape)
    k = int(rng.integers(1, n + 1))
    src = tuple(int(a) - n for a in rng.permutation(n)[:k])
    dst = tuple(int(a) for a in rng.permutation(n)[:k])
    return [Sample((x, src, dst)), Sample((x, _axis_of(rng, n), _axis_of(rng, n)))]


def _swapaxes_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    n = len(shape)
    return [Sample((rand(rng, shape, dtype), _axis_of(rng, n), _axis_of(rng, n)))]


def _flatten_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 3)
    n = len(shape)
    start = int(rng.integers(0, n))
    return [
        Sample((rand(rng, shape, dtype),)),
        Sample((rand(rng, shape, dtype), start, int(rng.integers(start, n)) - n)),
    ]


def _np_flatten(x: np.ndarray, start_dim: int = 0, end_dim: int = -1) -> np.ndarray:
    if x.ndim == 0:
        return x.reshape(1)
    end = end_dim % x.ndim
    return x.reshape((*x.shape[:start_dim], -1, *x.shape[end + 1 :]))


def _unflatten_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 2)
    axis = int(rng.integers(0, len(shape)))
    split_dim = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    full = _with_dim(shape, axis, split_dim[0] * split_dim[1])
    return [Sample((rand(rng, full, dtype), axis, (split_dim[0], -1)))]


def _np_unflatten(x: np.ndarray, dim: int, sizes: Sequence[int]) -> np.ndarray:
    return x.reshape(x.shape[:dim] + tuple(sizes) + x.shape[dim + 1 :])


def _broadcast_arrays_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    full = rand_shape(rng, 1, 3)
    shapes = [tuple(d if rng.random() < 0.6 else 1 for d in full[k:]) for k in (0, len(full) - 1)]
    return [Sample(tuple(rand(rng, s, dtype) for s in shapes))]


def _meshgrid_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    vectors = tuple(rand(rng, (int(rng.integers(1, 4)),), dtype) for _ in range(3))
    return [
        Sample(vectors[:1]),
        Sample(vectors[:2]),
        Sample(vectors, {"indexing": "ij"}),
        Sample(vectors, {"indexing": "xy"}),
    ]


def _squeeze_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = tuple(d if rng.random() < 0.5 else 1 for d in rand_shape(rng, 1, 3))
    ones = tuple(i for i, d in enumerate(shape) if d == 1)
    x = rand(rng, shape, dtype)
    return [Sample((x,))] + ([Sample((x,), {"axis": ones[-1] - len(shape)})] if ones else [])


def _expand_dims_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 0, 3)
    return [
        Sample(
            (rand(rng, shape, dtype),), {"axis": int(rng.integers(-len(shape) - 1, len(shape) + 1))}
        )
    ]


def _expand_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = tuple(d if rng.random() < 0.5 else 1 for d in rand_shape(rng, 1, 3))
    target = (2, *(-1 if rng.random() < 0.5 else 3 if d == 1 else d for d in shape))
    return [Sample((rand(rng, shape, dtype), target))]


def _np_expand(x: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    lead = len(shape) - x.ndim
    return np.broadcast_to(
        x, tuple(x.shape[i - lead] if d == -1 else d for i, d in enumerate(shape))
    )


_DATA_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int32), np.dtype(np.bool_))

register(
    OpInfo("permute_dims", permute_dims, np.transpose, ("transpose",), _perm_samples),
    OpInfo("permute", permute, np.transpose, ("transpose",), _perm_samples),
    OpInfo("transpose", transpose, np.transpose, ("transpose",), _one_array(2, 3)),
    OpInfo("broadcast_to", broadcast_to, np.broadcast_to, ("broadcast_to",), _broadcast_samples),
    OpInfo("expand", expand, _np_expand, ("broadcast_to",), _expand_samples),
    OpInfo("reshape", reshape, np.reshape, ("reshape",), _reshape_samples),
    OpInfo("expand_dims", expand_dims, np.expand_dims, ("reshape",), _expand_dims_samples),
    OpInfo("squeeze", squeeze, np.squeeze, (), _squeeze_samples),
    OpInfo("flatten", flatten, _np_flatten, (), _flatten_samples),
    OpInfo("unflatten", unflatten, _np_unflatten, ("reshape",), _unflatten_samples),
    OpInfo("contiguous", contiguous, np.asarray, (), _one_array(0, 3), grad=False),
    OpInfo(
        "broadcast_arrays",
        broadcast_arrays,
        np.broadcast_arrays,
        (),
        _broadcast_arrays_samples,
    ),
    OpInfo("moveaxis", moveaxis, np.moveaxis, (), _moveaxis_samples),
    OpInfo("swapaxes", swapaxes, np.swapaxes, (), _swapaxes_samples),
    OpInfo("array_T", array_T, np.transpose, ("transpose",), _one_array(2, 2)),
    OpInfo(
        "matrix_transpose",
        matrix_transpose,
        lambda x: np.swapaxes(x, -1, -2),
        ("transpose",),
        _one_array(2, 3),
    ),
    OpInfo(
        "concat",
        lambda *xs, axis=0: concat(xs, axis=axis),
        lambda *xs, axis=0: np.concatenate(xs, axis=axis),
        ("concatenate",),
        _concat_samples,
        dtypes=_DATA_DTYPES,
    ),
    OpInfo(
        "stack",
        lambda *xs, axis=0: stack(xs, axis=axis),
        lambda *xs, axis=0: np.stack(xs, axis=axis),
        (),
        _stack_samples,
        dtypes=_DATA_DTYPES,
    ),
    OpInfo("split", split, _np_split, ("split",), _split_samples, dtypes=_DATA_DTYPES),
    OpInfo("chunk", chunk, _np_chunk, (), _chunk_samples),
    OpInfo("unstack", unstack, _np_unstack, (), _unstack_samples, dtypes=_DATA_DTYPES),
    OpInfo("unbind", unbind, _np_unstack, (), _unstack_samples),
    OpInfo("tile", tile, np.tile, (), _tile_samples, dtypes=_DATA_DTYPES),
    OpInfo("repeat", repeat, np.repeat, ("repeat",), _repeat_samples, dtypes=_DATA_DTYPES),
    OpInfo("segment_sum", _segment_sum, _np_segment_sum, ("segment_sum",), _segment_sum_samples),
    OpInfo("flip", flip, np.flip, ("flip",), _flip_samples, dtypes=_DATA_DTYPES),
    OpInfo("roll", roll, np.roll, ("roll",), _roll_samples, dtypes=_DATA_DTYPES),
    OpInfo("pad", pad, _np_pad, ("pad",), _pad_samples("constant"), dtypes=_DATA_DTYPES),
    OpInfo(
        "pad_reflect",
        pad,
        _np_pad,
        ("slice", "flip", "concatenate"),
        _pad_samples("reflect"),
        dtypes=_DATA_DTYPES,
    ),
    OpInfo(
        "pad_replicate",
        pad,
        _np_pad,
        ("slice", "broadcast_to", "concatenate"),
        _pad_samples("replicate"),
    ),
    OpInfo("pad_circular", pad, _np_pad, ("slice", "concatenate"), _pad_samples("circular")),
    OpInfo("pad_last_dims", pad_last_dims, _np_pad_last, (), _pad_last_samples),
    OpInfo("tril", tril, np.tril, ("tril",), _matrix_samples(2, 3), dtypes=_DATA_DTYPES),
    OpInfo("triu", triu, np.triu, ("triu",), _matrix_samples(2, 3), dtypes=_DATA_DTYPES),
    OpInfo("meshgrid", meshgrid, np.meshgrid, (), _meshgrid_samples, dtypes=_DATA_DTYPES),
)
