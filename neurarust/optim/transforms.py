"""Small gradient transformations: scaling, learning rates, momentum, weight decay, zeroing.

Hyper-parameters may be numbers, 0-d arrays or schedules ``step -> value`` (see
:mod:`neurarust.optim.schedules`); transformations that take schedules count their steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import neurarust as nr

from ..core.array import Array
from .base import (
    CountState,
    EmptyState,
    GradientTransformation,
    cast,
    concrete,
    hyper,
    map_leaves,
    map_updates,
    zero_count,
    zeros_state,
)
from .checks import check_range, is_zero

Schedule = Callable[[Any], Any]
Hyper = float | Array | Schedule


def scale(step_size: float | Array) -> GradientTransformation:
    """Multiply the updates by ``step_size``.

    Examples
    --------
    >>> tx = nr.optim.scale(-0.1)
    >>> tx.update({"w": nr.asarray([1.0, 2.0])}, tx.init(None))[0]
    {'w': Array([-0.1, -0.2], dtype=float32)}
    """
    if callable(step_size):
        raise TypeError(
            "scale: argument 'step_size' expected a number or a 0-d array; for a schedule use "
            "nr.optim.scale_by_schedule(step_size)"
        )

    def init(params: Any) -> EmptyState:
        return EmptyState()

    def update(
        updates: Any, state: EmptyState, params: Any = None, **extra: Any
    ) -> tuple[Any, EmptyState]:
        s = concrete(step_size)
        return map_updates(lambda g: g * cast(s, g), updates), state

    return GradientTransformation(init, update)


def scale_by_schedule(step_size_fn: Schedule) -> GradientTransformation:
    """Multiply the updates by ``step_size_fn(step)``, ``step`` counting updates from 0.

    Examples
    --------
    >>> tx = nr.optim.scale_by_schedule(nr.optim.schedules.exponential_lr(1.0, gamma=0.5))
    """
    if not callable(step_size_fn):
        raise TypeError(
            f"scale_by_schedule: argument 'step_size_fn' expected a function step -> value, "
            f"got {type(step_size_fn).__name__}"
        )

    def init(params: Any) -> CountState:
        return CountState(zero_count())

    def update(
        updates: Any, state: CountState, params: Any = None, **extra: Any
    ) -> tuple[Any, CountState]:
        s = concrete(step_size_fn(state.count))
        return map_updates(lambda g: g * cast(s, g), updates), CountState(state.count + 1)

    return GradientTransformation(init, update)


def scale_by_learning_rate(lr: Hyper, *, flip_sign: bool = True) -> GradientTransformation:
    """Multiply the updates by ``-lr`` (by ``lr`` when ``flip_sign=False``); ``lr`` may be a
    schedule.

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.scale_by_adam(), nr.optim.scale_by_learning_rate(1e-3))
    """
    check_range("scale_by_learning_rate", "lr", lr)
    sign = -1.0 if flip_sign else 1.0
    if callable(lr):
        return scale_by_schedule(lambda count: sign * lr(count))
    return scale(sign * lr)


class TraceState(NamedTuple):
    """The momentum buffer of :func:`trace` and its step count."""

    count: Array
    trace: Any


def trace(
    momentum: Hyper = 0.9, dampening: Hyper = 0.0, nesterov: bool = False
) -> GradientTransformation:
    """Momentum as ``torch.optim.SGD`` keeps it: ``buf = g`` on the first step, then
    ``buf = momentum * buf + (1 - dampening) * g``; the output is ``buf``, or
    ``g + momentum * buf`` with ``nesterov=True``.

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.trace(0.9), nr.optim.scale_by_learning_rate(0.1))
    """
    check_range("trace", "momentum", momentum)
    check_range("trace", "dampening", dampening)
    no_dampening = is_zero(dampening)

    def init(params: Any) -> TraceState:
        return TraceState(zero_count(), zeros_state(params))

    def update(
        updates: Any, state: TraceState, params: Any = None, **extra: Any
    ) -> tuple[Any, TraceState]:
        mu = hyper(momentum, state.count)
        started = nr.astype(state.count > 0, nr.float64)  # the first step has no history
        decay = concrete(mu * started)
        mu = concrete(mu)
        weight = None if no_dampening else concrete(1 - hyper(dampening, state.count) * started)

        def leaf(g: Array, buf: Array) -> tuple[Array, Array]:
            buf = buf * cast(decay, g) + (g if weight is None else g * cast(weight, g))
            return (g + buf * cast(mu, g) if nesterov else buf), buf

        new_updates, new_trace = map_leaves("trace", leaf, updates, state.trace)
        return new_updates, TraceState(state.count + 1, new_trace)

    return GradientTransformation(init, update)


def add_decayed_weights(weight_decay: Hyper = 0.0) -> GradientTransformation:
    """Add ``weight_decay * params`` to the updates (L2 regularization when placed before a
    scaling rule, decoupled weight decay when placed after it, as in AdamW).

    Examples
    --------
    >>> opt = nr.optim.chain(
    ...     nr.optim.scale_by_adam(), nr.optim.add_decayed_weights(1e-2),
    ...     nr.optim.scale_by_learning_rate(1e-3))
    """
    check_range("add_decayed_weights", "weight_decay", weight_decay)

    def init(params: Any) -> CountState:
        return CountState(zero_count())

    def update(
        updates: Any, state: CountState, params: Any = None, **extra: Any
    ) -> tuple[Any, CountState]:
        if params is None:
            raise ValueError(
                "add_decayed_weights: update needs the parameters: call "
                "update(grads, state, params)"
            )
        wd = concrete(hyper(weight_decay, state.count))
        new_updates, _ = map_leaves(
            "add_decayed_weights", lambda g, p: (g + p * cast(wd, g), p), updates, params
        )
        return new_updates, CountState(state.count + 1)

    return GradientTransformation(init, update)


def set_to_zero() -> GradientTransformation:
    """Replace every update by zeros (freezes the leaves it is applied to; see
    :func:`neurarust.optim.multi_transform`).

    Examples
    --------
    >>> opt = nr.optim.multi_transform(
    ...     {"train": nr.optim.adam(1e-3), "frozen": nr.optim.set_to_zero()},
    ...     {"encoder.*": "frozen", "*": "train"})
    """

    def init(params: Any) -> EmptyState:
        return EmptyState()

    def update(
        updates: Any, state: EmptyState, params: Any = None, **extra: Any
    ) -> tuple[Any, EmptyState]:
        return map_updates(nr.zeros_like, updates), state

    return GradientTransformation(init, update)


zero_grads = set_to_zero
