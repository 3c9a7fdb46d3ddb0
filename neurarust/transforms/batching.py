"""Batching: ``vmap``.

A :class:`BatchTrace` carries, for every value, the batched array one level down and the
position of its batch axis. Each primitive's batching rule (declared beside the primitive,
see :mod:`neurarust.core.batching`) maps the batched operands to the batched result, so a
function written for one example runs once on the whole batch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import optree

from .. import tree
from ..core.batching import move_axis
from ..core.errors import ConcretizationError, InvalidArgumentError, ShapeError
from ..core.primitive import Primitive, Trace, Tracer
from ._args import as_array_leaf


class BatchTracer(Tracer):
    """One example's view of ``_v``, a batched value whose batch axis is ``_bdim``."""

    __slots__ = ("_bdim",)

    def __init__(self, trace: BatchTrace, value: Any, bdim: int) -> None:
        self._v = value
        self._trace = trace
        self._bdim = bdim

    @property
    def shape(self) -> tuple[int, ...]:
        s = self._v.shape
        d = self._bdim
        return (*s[:d], *s[d + 1 :])

    def _buffer(self) -> Any:
        raise ConcretizationError(
            f"vmap: a value of shape {self.shape} and dtype {self.dtype} differs from one "
            "example to the next, so it has no single concrete value (Python if/while, bool(), "
            "float(), .item() and printing need one). Use nr.where, nr.cond or nr.while_loop, "
            "which work per example."
        )


class BatchTrace(Trace):
    """Runs each primitive's batching rule."""

    __slots__ = ("axis_size",)

    def __init__(self, name: str, axis_size: int) -> None:
        super().__init__(name)
        self.axis_size = axis_size

    def process(self, prim: Primitive, args: tuple[Any, ...], params: dict[str, Any]) -> Any:
        values, dims = [], []
        for a in args:
            if a.__class__ is BatchTracer and a._trace is self:
                values.append(a._v)
                dims.append(a._bdim)
            else:
                values.append(a)
                dims.append(None)
        rule = prim.batch
        if rule is None:
            raise NotImplementedError(f"vmap: primitive {prim.name!r} has no batching rule")
        out, out_dim = rule(values, dims, **params)
        if prim.multiple_results:
            return tuple(self.wrap(o, d) for o, d in zip(out, out_dim, strict=True))
        return self.wrap(out, out_dim)

    def wrap(self, value: Any, dim: int | None) -> Any:
        """``value`` as this trace's tracer (unbatched values pass through)."""
        return value if dim is None else BatchTracer(self, value, dim)


AxisSpec = int | None | Sequence[Any]


def _check_axis_spec(name: str, spec: Any) -> None:
    for leaf in optree.tree_leaves(spec, none_is_leaf=True, namespace=tree.NAMESPACE):
        if leaf is not None and (not isinstance(leaf, int) or isinstance(leaf, bool)):
            raise InvalidArgumentError(
                f"vmap: argument '{name}' expected an int, None, or a tuple/pytree of them, "
                f"got an entry {leaf!r} of type {type(leaf).__name__}"
            )


def _leaf_axes(name: str, spec: Any, value: Any) -> list[int | None]:
    """One axis per leaf of ``value``, from ``spec`` (an int/None or a pytree prefix)."""
    if spec is None or isinstance(spec, int):
        return [spec] * len(tree.leaves(value))
    try:
        per_subtree = optree.tree_map(
            lambda s, sub: [s] * len(tree.leaves(sub)),
            spec,
            value,
            none_is_leaf=True,
            namespace=tree.NAMESPACE,
        )
    except ValueError as err:
        raise InvalidArgumentError(
            f"vmap: argument '{name}' expected a pytree prefix of the values it describes "
            f"({tree.structure(value)}), got {spec!r}"
        ) from err
    return optree.tree_leaves(per_subtree, none_is_leaf=True, namespace=tree.NAMESPACE)


def _arg_axes(in_axes: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[int | None]:
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if in_axes is None or isinstance(in_axes, int):
        per_arg: tuple[Any, ...] = (in_axes,) * len(args)
    elif isinstance(in_axes, tuple):
        if len(in_axes) != len(args):
            raise InvalidArgumentError(
                f"vmap: argument 'in_axes' expected one entry per positional argument "
                f"({len(args)}), got {len(in_axes)}"
            )
        per_arg = in_axes
    else:
        raise InvalidArgumentError(
            f"vmap: argument 'in_axes' expected an int, None, or a tuple with one entry per "
            f"positional argument, got {type(in_axes).__name__}"
        )
    axes: list[int | None] = []
    for spec, arg in zip(per_arg, args, strict=True):
        axes.extend(_leaf_axes("in_axes", spec, arg))
    axes.extend([0] * len(tree.leaves(kwargs)))
    return axes


def _axis_size(
    leaves: list[Any], axes: list[int | None], paths: list[str], axis_size: int | None
) -> int:
    sizes = []
    for leaf, axis, path in zip(leaves, axes, paths, strict=True):
        if axis is None:
            continue
        ndim = len(leaf.shape)
        if not -ndim <= axis < ndim:
            raise ShapeError(
                f"vmap: in_axes gives axis {axis} for {path}, which has shape {tuple(leaf.shape)}"
            )
        sizes.append((int(leaf.shape[axis]), path))
    if not sizes:
        if axis_size is None:
            raise InvalidArgumentError(
                "vmap: no argument is mapped (every in_axes entry is None), so the batch size "
                "is unknown; pass axis_size"
            )
        return axis_size
    first = axis_size if axis_size is not None else sizes[0][0]
    if any(s != first for s, _ in sizes):
        listing = ", ".join(f"{p} has {s}" for s, p in sizes)
        expected = f"axis_size={axis_size}" if axis_size is not None else "one size"
        raise ShapeError(f"vmap: the mapped axes must agree in size ({expected}): {listing}")
    return first


def vmap(
    f: Callable[..., Any],
    in_axes: AxisSpec = 0,
    out_axes: AxisSpec = 0,
    axis_size: int | None = None,
) -> Callable[..., Any]:
    """Vectorize ``f`` over a batch axis of its arguments.

    Parameters
    ----------
    f: a function of arrays (or pytrees of them) written for one example.
    in_axes: the batch axis of each positional argument: an int, ``None`` (not batched), or a
        tuple with one entry per argument, each an int, ``None`` or a pytree prefix of that
        argument. Keyword arguments are batched along axis 0.
    out_axes: where the batch axis goes in the outputs (an int, ``None`` for outputs that do
        not vary, or a pytree prefix of the output).
    axis_size: the batch size, needed only when no argument is batched.

    Examples
    --------
    >>> x = nr.asarray([[1.0, 2.0], [3.0, 4.0]])
    >>> nr.vmap(lambda row: row @ row)(x)
    Array([ 5., 25.], dtype=float32)
    """
    _check_axis_spec("in_axes", in_axes)
    _check_axis_spec("out_axes", out_axes)

    @functools.wraps(f)
    def batched(*args: Any, **kwargs: Any) -> Any:
        axes = _arg_axes(in_axes, args, kwargs)
        leaves, in_tree = tree.flatten((args, kwargs))
        paths = [_describe(p) for p, _ in tree.flatten_with_path((args, kwargs))[0]]
        leaves = [
            x if a is None else as_array_leaf("vmap", x) for x, a in zip(leaves, axes, strict=True)
        ]
        size = _axis_size(leaves, axes, paths, axis_size)
        with BatchTrace("vmap", size) as trace:
            inputs = [
                x if a is None else BatchTracer(trace, x, a % len(x.shape))
                for x, a in zip(leaves, axes, strict=True)
            ]
            in_args, in_kwargs = tree.unflatten(in_tree, inputs)
            out = f(*in_args, **in_kwargs)
        out_leaves, out_tree = tree.flatten(out)
        if isinstance(out_axes, int) or out_axes is None:
            o_axes = [out_axes] * len(out_leaves)
        else:
            o_axes = _leaf_axes("out_axes", out_axes, out)
        return tree.unflatten(
            out_tree,
            [_unbatch(trace, o, a, size) for o, a in zip(out_leaves, o_axes, strict=True)],
        )

    return batched


def _describe(path: tuple[Any, ...]) -> str:
    """A readable name for an argument leaf from its path ``((args, kwargs), ...)``."""
    if not path:
        return "the argument"
    head, rest = path[0], path[1:]
    if head == 0:
        where = f"argument {rest[0]}" if rest else "the arguments"
        rest = rest[1:]
    else:
        where = f"keyword argument {rest[0]!r}" if rest else "the keyword arguments"
        rest = rest[1:]
    return where + (f" at path '{tree.keystr(rest)}'" if rest else "")


def _unbatch(trace: BatchTrace, out: Any, axis: int | None, size: int) -> Any:
    """An output of the batched function with its batch axis at ``axis``."""
    out = as_array_leaf("vmap", out)
    if out.__class__ is BatchTracer and out._trace is trace:
        if axis is None:
            raise InvalidArgumentError(
                f"vmap: out_axes is None for an output of shape {out.shape} that varies "
                "per example; give it an axis"
            )
        return move_axis(out._v, out._bdim, axis)
    if axis is None:
        return out
    from ..core.ops import broadcast_to

    ndim = len(out.shape) + 1
    return move_axis(broadcast_to(out, (size, *out.shape)), 0, axis % ndim)
