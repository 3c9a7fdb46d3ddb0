"""Gradient clipping, as functions on gradient trees (PyTorch's ``clip_grad_norm_`` and
``clip_grad_value_`` without the underscore) and as gradient transformations for chains."""

from __future__ import annotations

from typing import Any

import neurarust as nr

from .. import tree
from ..core.array import Array
from .base import EmptyState, GradientTransformation, cast, concrete, is_float, map_updates
from .checks import check_range


def _norm_type(op: str, norm_type: float | str) -> float:
    try:
        p = float(norm_type)
    except (TypeError, ValueError):
        raise ValueError(
            f"{op}: argument 'norm_type' expected a positive number or 'inf', got {norm_type!r}"
        ) from None
    if not p > 0:
        raise ValueError(
            f"{op}: argument 'norm_type' expected a positive number or 'inf', got {norm_type!r}"
        )
    return p


def global_norm(tree_: Any, norm_type: float | str = 2.0) -> Array:
    """The ``norm_type``-norm of all float leaves of ``tree_`` taken together (as if
    concatenated), computed as PyTorch does: the norm of the per-leaf norms.

    Examples
    --------
    >>> nr.optim.global_norm({"a": nr.asarray([3.0]), "b": nr.asarray([4.0])})
    Array(5., dtype=float32)
    """
    p = _norm_type("global_norm", norm_type)
    leaves = [g for g in tree.leaves(tree_) if is_float(g)]
    if not leaves:
        return nr.zeros(())
    norms = [nr.linalg.vector_norm(g, ord=p) for g in leaves]
    if len(norms) == 1:
        return norms[0]
    dtype = nr.result_type(*norms)
    return nr.linalg.vector_norm(nr.stack([nr.astype(n, dtype) for n in norms]), ord=p)


def clip_grad_norm(grads: Any, max_norm: float, norm_type: float | str = 2.0) -> tuple[Any, Array]:
    """``(clipped, total_norm)``: ``grads`` scaled by ``min(1, max_norm / (total_norm + 1e-6))``,
    where ``total_norm`` is their :func:`global_norm` (PyTorch's ``clip_grad_norm_``).

    Examples
    --------
    >>> grads, norm = nr.optim.clip_grad_norm({"w": nr.asarray([3.0, 4.0])}, max_norm=1.0)
    >>> norm
    Array(5., dtype=float32)
    """
    check_range("clip_grad_norm", "max_norm", max_norm)
    total = global_norm(grads, norm_type)
    coef = concrete(nr.minimum(max_norm / (nr.astype(total, nr.float64) + 1e-6), 1.0))
    return map_updates(lambda g: g * cast(coef, g), grads), total


def clip_grad_value(grads: Any, clip_value: float) -> Any:
    """``grads`` with every element limited to ``[-clip_value, clip_value]`` (PyTorch's
    ``clip_grad_value_``).

    Examples
    --------
    >>> nr.optim.clip_grad_value({"w": nr.asarray([-3.0, 0.5])}, 1.0)
    {'w': Array([-1. ,  0.5], dtype=float32)}
    """
    check_range("clip_grad_value", "clip_value", clip_value)
    v = concrete(clip_value)
    return map_updates(lambda g: nr.clip(g, -cast(v, g), cast(v, g)), grads)


def clip_by_global_norm(max_norm: float, norm_type: float | str = 2.0) -> GradientTransformation:
    """The transformation form of :func:`clip_grad_norm`.

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.clip_by_global_norm(1.0), nr.optim.adam(1e-3))
    """
    check_range("clip_by_global_norm", "max_norm", max_norm)
    _norm_type("clip_by_global_norm", norm_type)

    def init(params: Any) -> EmptyState:
        return EmptyState()

    def update(
        updates: Any, state: EmptyState, params: Any = None, **extra: Any
    ) -> tuple[Any, EmptyState]:
        return clip_grad_norm(updates, max_norm, norm_type)[0], state

    return GradientTransformation(init, update)


def clip_by_value(clip_value: float) -> GradientTransformation:
    """The transformation form of :func:`clip_grad_value`.

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.clip_by_value(1.0), nr.optim.sgd(0.1))
    """
    check_range("clip_by_value", "clip_value", clip_value)

    def init(params: Any) -> EmptyState:
        return EmptyState()

    def update(
        updates: Any, state: EmptyState, params: Any = None, **extra: Any
    ) -> tuple[Any, EmptyState]:
        return clip_grad_value(updates, clip_value), state

    return GradientTransformation(init, update)
