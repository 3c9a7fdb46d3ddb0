"""The shape of an optimizer: :class:`GradientTransformation`, :func:`chain`,
:func:`apply_updates`, and the helpers every transformation shares.

A transformation is a named pair of pure functions: ``init(params) -> state`` and
``update(updates, state, params=None, **extra) -> (updates, state)``. States are named tuples
of arrays (pytrees), so they can be saved and, later, staged. Only floating-point leaves are
transformed; integer, bool and non-array leaves pass through untouched.

A ``None`` gradient where the parameters hold an array (what ``nr.grad(..., wrt=...)`` gives
for the leaves it leaves out) means "no gradient", as ``p.grad is None`` in PyTorch: that
parameter gets a ``None`` update and its optimizer state is left unchanged. Trees are therefore
flattened here with ``None`` as a leaf, so positions line up between parameters, gradients
and states.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import optree

import neurarust as nr

from .. import tree
from ..core.array import Array
from ..core.dtypes import is_float as _is_float_dtype
from ..core.errors import ShapeError


class GradientTransformation(NamedTuple):
    """An optimizer or a piece of one: ``init(params) -> state`` and
    ``update(updates, state, params=None, **extra) -> (updates, state)``.

    Examples
    --------
    >>> opt = nr.optim.sgd(lr=0.1)
    >>> params = {"w": nr.asarray([1.0, 2.0])}
    >>> state = opt.init(params)
    >>> grads = {"w": nr.asarray([1.0, 1.0])}
    >>> params, state = opt.step(params, grads, state)
    >>> params["w"]
    Array([0.9, 1.9], dtype=float32)
    """

    init: Callable[[Any], Any]
    update: Callable[..., tuple[Any, Any]]

    def step(self, params: Any, grads: Any, state: Any, **extra: Any) -> tuple[Any, Any]:
        """One optimizer step, PyTorch style: ``params, state = opt.step(params, grads, state)``.

        The same as ``update`` followed by :func:`apply_updates`; ``extra`` goes to ``update``.
        """
        updates, state = self.update(grads, state, params, **extra)
        return apply_updates(params, updates), state


class EmptyState(NamedTuple):
    """The state of a transformation that keeps none."""


class CountState(NamedTuple):
    """The state of a transformation that only counts its updates (for schedules)."""

    count: Array


def is_float(x: Any) -> bool:
    """Whether leaf ``x`` is a floating-point array (the leaves optimizers change)."""
    return isinstance(x, Array) and _is_float_dtype(x.dtype)


def zero_count() -> Array:
    """A step counter at zero (a 0-d int32 array)."""
    return nr.zeros((), dtype=nr.int32)


def zeros_state(params: Any, fill: float = 0.0) -> Any:
    """A tree shaped like ``params`` holding ``fill`` in each float leaf's shape and dtype (a
    0-d placeholder for the other leaves, which optimizers leave alone)."""

    def leaf(p: Any) -> Array:
        if not is_float(p):
            return nr.zeros((), dtype=nr.bool)
        return nr.zeros_like(p) if fill == 0.0 else nr.full_like(p, fill)

    return tree.map(leaf, params)


def hyper(value: Any, count: Array) -> Any:
    """A hyper-parameter's value at step ``count``: schedules are called, constants returned."""
    return value(count) if callable(value) else value


def concrete(value: Any) -> Any:
    """A scalar ready to combine with arrays of any dtype and device: a concrete 0-d array
    becomes a Python number (weakly typed, so it keeps the other operand's dtype); a traced
    value stays an array (see :func:`cast`)."""
    return value.item() if value.__class__ is Array else value


def cast(value: Any, x: Array) -> Any:
    """Scalar ``value`` in ``x``'s dtype when it is a (traced) array; Python numbers as is."""
    if isinstance(value, Array) and value.dtype != x.dtype:
        return value.astype(x.dtype)
    return value


def step_number(count: Array) -> Array:
    """The 1-based number of the step being taken, as a float64 0-d array."""
    return nr.astype(count + 1, nr.float64)


def flatten(x: Any) -> tuple[list[Any], Any]:
    """The leaves of ``x`` with ``None`` counted as a leaf, and the matching treedef."""
    return optree.tree_flatten(x, none_is_leaf=True, namespace=tree.NAMESPACE)


def unflatten(treedef: Any, leaves: list[Any]) -> Any:
    """The inverse of :func:`flatten`."""
    return optree.tree_unflatten(treedef, leaves)


def paths(x: Any) -> list[str]:
    """The dotted path of each leaf of ``x`` (``None`` leaves included), in :func:`flatten`
    order."""
    found, _, _ = optree.tree_flatten_with_path(x, none_is_leaf=True, namespace=tree.NAMESPACE)
    return [tree.keystr(p) for p in found]


def tree_mismatch(op: str, what: str, got: Any, expected: Any, against: str) -> ValueError:
    """The error for tree ``got`` (argument ``what``) not having the structure of ``expected``,
    naming the leaf paths that are missing or unexpected."""
    got_paths, want_paths = paths(got), paths(expected)
    got_set, want_set = set(got_paths), set(want_paths)
    missing = [p for p in want_paths if p not in got_set]
    extra = [p for p in got_paths if p not in want_set]
    parts = []
    if missing:
        parts.append("missing: " + ", ".join(repr(p) for p in missing[:5]))
    if extra:
        parts.append("unexpected: " + ", ".join(repr(p) for p in extra[:5]))
    if not parts:
        parts.append(
            f"the containers differ: expected {tree.structure(expected)}, got {tree.structure(got)}"
        )
    return ValueError(
        f"{op}: argument '{what}' expected a tree with the structure of {against}; "
        + "; ".join(parts)
    )


def map_leaves(op: str, fn: Callable[..., tuple[Any, ...]], updates: Any, *states: Any) -> Any:
    """Apply ``fn(update, *state_leaves) -> (new_update, *new_state_leaves)`` to each float
    leaf of ``updates`` and the matching leaves of the state trees ``states``; other leaves
    (``None`` gradients included) pass through with their state unchanged. Returns
    ``(new_updates, *new_states)`` as trees.

    Raises a ValueError naming the leaf path when a state tree (shaped like the parameters)
    does not match ``updates``, and a ShapeError when a leaf's shape differs.
    """
    leaves, treedef = flatten(updates)
    columns = [leaves]
    for s in states:
        s_leaves, s_def = flatten(s)
        if s_def != treedef:
            raise tree_mismatch(op, "updates", updates, s, "the parameters (and optimizer state)")
        columns.append(s_leaves)
    out = []
    for k, args in enumerate(zip(*columns, strict=True)):
        g = args[0]
        if not is_float(g) or any(a is None for a in args[1:]):
            out.append(args)
            continue
        if len(args) > 1 and args[1].shape != g.shape:
            raise ShapeError(
                f"{op}: the update for {paths(updates)[k]!r} expected shape "
                f"{tuple(args[1].shape)} (the parameter's), got {tuple(g.shape)}"
            )
        out.append(fn(*args))
    columns = list(zip(*out, strict=True)) if out else [() for _ in columns]
    return tuple(unflatten(treedef, list(col)) for col in columns)


def map_updates(fn: Callable[[Array], Array], updates: Any) -> Any:
    """Apply ``fn`` to each float leaf of ``updates``; other leaves pass through."""
    return tree.map(lambda g: fn(g) if is_float(g) else g, updates)


def tree_where(pred: Any, on_true: Any, on_false: Any) -> Any:
    """Leaf by leaf ``nr.where(pred, a, b)`` over two trees of one structure."""
    return tree.map(lambda a, b: nr.where(pred, a, b), on_true, on_false)


def cond(pred: Array, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """``true_fn()`` if ``pred`` else ``false_fn()``, both returning trees of one structure.

    A concrete ``pred`` runs only the branch taken; a traced one (a transform in progress)
    runs both and selects leaf by leaf with ``nr.where``, so the step stays traceable.
    """
    if pred.__class__ is Array:
        return true_fn() if bool(pred) else false_fn()
    return tree_where(pred, true_fn(), false_fn())


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Apply ``transforms`` one after the other; the state is the tuple of their states.

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.clip_by_global_norm(1.0), nr.optim.adam(lr=1e-3))
    """
    for k, t in enumerate(transforms):
        if not isinstance(t, GradientTransformation):
            raise TypeError(
                f"chain: argument {k} expected a GradientTransformation, got {type(t).__name__}"
            )

    def init(params: Any) -> tuple[Any, ...]:
        return tuple(t.init(params) for t in transforms)

    def update(
        updates: Any, state: tuple[Any, ...], params: Any = None, **extra: Any
    ) -> tuple[Any, tuple[Any, ...]]:
        if not isinstance(state, tuple) or len(state) != len(transforms):
            raise ValueError(
                f"chain: argument 'state' expected the tuple of {len(transforms)} states that "
                f"this chain's init returns, got {type(state).__name__}"
            )
        new_state = []
        for t, s in zip(transforms, state, strict=True):
            updates, s = t.update(updates, s, params, **extra)
            new_state.append(s)
        return updates, tuple(new_state)

    return GradientTransformation(init, update)


def apply_updates(params: Any, updates: Any) -> Any:
    """``params + updates`` leaf by leaf, keeping each parameter's dtype.

    ``None`` and non-float parameters (integers, bools, non-arrays) pass through untouched, and
    so do parameters whose update is ``None``.

    Examples
    --------
    >>> nr.optim.apply_updates({"w": nr.asarray([1.0])}, {"w": nr.asarray([-0.5])})
    {'w': Array([0.5], dtype=float32)}
    """
    p_leaves, treedef = flatten(params)
    u_leaves, u_def = flatten(updates)
    if u_def != treedef:
        raise tree_mismatch("apply_updates", "updates", updates, params, "'params'")
    out = []
    for p, u in zip(p_leaves, u_leaves, strict=True):
        if is_float(p) and u is not None:
            new = p + u
            out.append(new if new.dtype == p.dtype else new.astype(p.dtype))
        else:
            out.append(p)
    return unflatten(treedef, out)
