"""Building blocks for batching (vmap) rules, used beside each primitive's declaration.

A batching rule has the signature ``rule(args, dims, **params) -> (out, out_dim)``: ``args``
are the operands with their batch axis inside (values one transform level down), ``dims``
gives each operand's batch axis (``None`` for an operand that is the same for every example)
and ``out_dim`` says where the batch axis of the result is (a tuple of them for primitives with
several results). Rules are written with neurarust operations, so they compose with every other
transform and with nested ``vmap``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .primitive import Primitive

Dims = Sequence[int | None]


def batch_size(args: Sequence[Any], dims: Dims) -> int:
    """The size of the batch axis (read from the first batched operand)."""
    for a, d in zip(args, dims, strict=True):
        if d is not None:
            return int(a.shape[d])
    raise ValueError("batch_size: no operand is batched")


def move_axis(x: Any, src: int, dst: int) -> Any:
    """``x`` with axis ``src`` moved to position ``dst`` (no-op when they agree)."""
    from .ops import moveaxis

    ndim = len(x.shape)
    src, dst = src % ndim, dst % ndim
    return x if src == dst else moveaxis(x, src, dst)


def to_front(x: Any, dim: int | None, size: int | None = None) -> Any:
    """``x`` with its batch axis first; an unbatched ``x`` is broadcast to ``size`` examples."""
    if dim is None:
        if size is None:
            return x
        from .ops import broadcast_to

        return broadcast_to(x, (size, *x.shape))
    return move_axis(x, dim, 0)


def all_to_front(args: Sequence[Any], dims: Dims) -> list[Any]:
    """Every operand with its batch axis first, unbatched ones broadcast to the batch size."""
    size = batch_size(args, dims)
    return [to_front(a, d, size) for a, d in zip(args, dims, strict=True)]


def shift_axis(axis: int, ndim: int) -> int:
    """A per-example axis (possibly negative, ``ndim`` per-example dims) once axis 0 is the
    batch axis."""
    return axis % ndim + 1 if ndim else 0


def elementwise_rule(prim: Primitive) -> Callable[..., Any]:
    """The rule of an elementwise primitive (operands of equal shape; result the same shape).

    Operands batched along the same axis pass through untouched; otherwise every batch axis
    moves to the front and unbatched operands are broadcast.
    """

    def rule(args: Sequence[Any], dims: Dims, **params: Any) -> tuple[Any, Any]:
        batched = [d for d in dims if d is not None]
        first = batched[0]
        if len(batched) == len(dims) and all(d == first for d in batched):
            out = prim.bind(*args, **params)
            return out, (first,) * len(out) if prim.multiple_results else first
        out = prim.bind(*all_to_front(args, dims), **params)
        return out, (0,) * len(out) if prim.multiple_results else 0

    return rule


def defelementwise(*prims: Primitive) -> None:
    """Give each elementwise primitive :func:`elementwise_rule`."""
    for prim in prims:
        prim.defbatch(elementwise_rule(prim))
