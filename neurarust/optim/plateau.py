"""Reduce the learning rate when a metric stops improving (PyTorch's ``ReduceLROnPlateau``),
as a gradient transformation driven by ``update(..., value=metric)``."""

from __future__ import annotations

from typing import Any, NamedTuple

import neurarust as nr

from ..core.array import Array
from .base import GradientTransformation, cast, concrete, map_updates, zero_count


class ReduceLROnPlateauState(NamedTuple):
    """The current learning rate, the best metric so far, the bad steps since the last
    improvement and the steps of cooldown left (0-d arrays)."""

    lr: Array
    best: Array
    num_bad_epochs: Array
    cooldown_counter: Array


def reduce_on_plateau(
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: str = "rel",
    cooldown: int = 0,
    min_lr: float = 0.0,
    mode: str = "min",
    eps: float = 1e-8,
    *,
    lr: float = 1.0,
) -> GradientTransformation:
    """Scale the updates by ``state.lr / lr``, where ``state.lr`` starts at ``lr`` and is
    multiplied by ``factor`` (down to ``min_lr``) when the metric passed as
    ``update(updates, state, params, value=metric)`` has not improved for more than
    ``patience`` calls — the decisions of ``torch.optim.lr_scheduler.ReduceLROnPlateau`` with
    one ``scheduler.step(metric)`` per call. The new scale applies to the current updates.

    Give ``lr`` the learning rate of the optimizer this follows, so that ``min_lr`` and
    ``eps`` are in PyTorch's units and ``state.lr`` reads as its current learning rate.

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.adam(1e-3), nr.optim.reduce_on_plateau(lr=1e-3))
    >>> updates, state = opt.update(grads, state, params, value=val_loss)
    """
    if not factor < 1.0:
        raise ValueError(f"reduce_on_plateau: argument 'factor' expected a value < 1, got {factor}")
    if mode not in ("min", "max"):
        raise ValueError(
            f"reduce_on_plateau: argument 'mode' expected 'min' or 'max', got {mode!r}"
        )
    if threshold_mode not in ("rel", "abs"):
        raise ValueError(
            f"reduce_on_plateau: argument 'threshold_mode' expected 'rel' or 'abs', got "
            f"{threshold_mode!r}"
        )
    if not lr > 0:
        raise ValueError(f"reduce_on_plateau: argument 'lr' expected a positive number, got {lr}")
    sign = 1.0 if mode == "min" else -1.0  # "max" is "min" of the negated metric

    def improved(current: Array, best: Array) -> Array:
        if threshold_mode == "rel":
            return sign * current < sign * best * (1.0 - sign * threshold)
        return sign * current < sign * best - threshold

    def init(params: Any) -> ReduceLROnPlateauState:
        worst = nr.asarray(sign * float("inf"), dtype=nr.float64)
        return ReduceLROnPlateauState(
            nr.asarray(lr, dtype=nr.float64), worst, zero_count(), zero_count()
        )

    def update(
        updates: Any,
        state: ReduceLROnPlateauState,
        params: Any = None,
        *,
        value: Any = None,
        **extra: Any,
    ) -> tuple[Any, ReduceLROnPlateauState]:
        if value is None:
            raise TypeError(
                "reduce_on_plateau: update needs the metric: update(updates, state, params, "
                "value=metric)"
            )
        current = nr.astype(nr.asarray(value), nr.float64)
        better = improved(current, state.best)
        best = nr.where(better, current, state.best)
        bad = nr.where(better, 0, state.num_bad_epochs + 1)
        in_cooldown = state.cooldown_counter > 0
        cooling = nr.where(in_cooldown, state.cooldown_counter - 1, state.cooldown_counter)
        bad = nr.where(in_cooldown, 0, bad)
        reduce = bad > patience
        new_lr = nr.maximum(state.lr * factor, min_lr)
        lr_now = nr.where(reduce & (state.lr - new_lr > eps), new_lr, state.lr)
        new_state = ReduceLROnPlateauState(
            lr_now, best, nr.where(reduce, 0, bad), nr.where(reduce, cooldown, cooling)
        )
        scale = concrete(lr_now / lr)
        return map_updates(lambda g: g * cast(scale, g), updates), new_state

    return GradientTransformation(init, update)
