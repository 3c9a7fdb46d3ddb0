"""Shape primitives (broadcast, reshape, transpose, ...) and their public functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..array import Array, wrap
from ..backend import namespace
from ..errors import ShapeError
from ..opinfo import OpInfo, Sample, rand, rand_shape, register
from ..primitive import Primitive, ShapedArray
from .arguments import broadcast_shapes, normalize_axes, normalize_axis, to_array
from .rules import linear

__all__ = [
    "broadcast_to",
    "expand",
    "reshape",
    "permute_dims",
    "transpose",
    "expand_dims",
    "squeeze",
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


broadcast_to_p = linear(
    Primitive(
        "broadcast_to",
        lambda x, *, shape: namespace(x).broadcast_to(x, shape),
        lambda x, *, shape: ShapedArray(shape, x.dtype),
    ),
    lambda g, out, x, *, shape: _unbroadcast(g, tuple(x.shape)),
)


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
        return wrap(namespace(x._v).broadcast_to(x._v, shape))
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


def reshape(x: Any, /, shape: Any, *, copy: bool | None = None) -> Array:
    """The same elements in ``shape`` (one dimension may be ``-1``, inferred)."""
    x = to_array("reshape", "x", x)
    shape = _infer_shape("reshape", x.size, tuple(x.shape), _shape_arg("reshape", shape))
    if tuple(x.shape) == shape:
        return x
    if x.__class__ is Array:
        return wrap(x._v.reshape(shape))
    return reshape_p.bind(x, shape=shape)


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


def permute_dims(x: Any, /, axes: Sequence[int]) -> Array:
    """``x`` with its dimensions reordered: output dimension ``i`` is input ``axes[i]``."""
    x = to_array("permute_dims", "x", x)
    axes = tuple(axes)
    if len(axes) != x.ndim:
        raise ShapeError(
            f"permute_dims: argument 'axes' expected {x.ndim} axes, got {len(axes)}: {axes}"
        )
    axes = tuple(normalize_axis("permute_dims", a, x.ndim, "axes") for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ShapeError(f"permute_dims: argument 'axes' expected a permutation, got {axes}")
    if axes == tuple(range(x.ndim)):
        return x
    if x.__class__ is Array:
        return wrap(namespace(x._v).transpose(x._v, axes))
    return transpose_p.bind(x, axes=axes)


def transpose(x: Any, axes: Sequence[int] | None = None) -> Array:
    """Reverse the dimensions of ``x`` (or permute them by ``axes``)."""
    x = to_array("transpose", "x", x)
    return permute_dims(x, tuple(range(x.ndim))[::-1] if axes is None else axes)


def expand_dims(x: Any, /, axis: int = 0) -> Array:
    """``x`` with a new dimension of size one at ``axis``."""
    x = to_array("expand_dims", "x", x)
    axis = normalize_axis("expand_dims", axis, x.ndim + 1)
    shape = tuple(x.shape)
    return reshape(x, shape[:axis] + (1,) + shape[axis:])


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


register(
    OpInfo("permute_dims", permute_dims, np.transpose, ("transpose",), _perm_samples),
    OpInfo("broadcast_to", broadcast_to, np.broadcast_to, ("broadcast_to",), _broadcast_samples),
    OpInfo("reshape", reshape, np.reshape, ("reshape",), _reshape_samples),
)
