"""Learning-rate schedules: pure functions ``step -> value`` with PyTorch's scheduler names.

``step`` counts optimizer steps from 0 (a Python int or a 0-d integer array, as optimizer
states hold it); the value is a 0-d float64 array. ``schedule(t)`` equals what the PyTorch
scheduler's ``get_last_lr()`` returns after ``t`` calls to ``scheduler.step()``, i.e. the
learning rate of optimizer step ``t``. Pass a schedule wherever an optimizer takes ``lr``.

Examples
--------
>>> lr = nr.optim.schedules.cosine_annealing_lr(0.1, T_max=100)
>>> opt = nr.optim.sgd(lr=lr, momentum=0.9)
>>> float(lr(50))
0.05
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import neurarust as nr

from ..core.array import Array

Schedule = Callable[[Any], Array]


def _t(step: Any) -> Array:
    """``step`` as a float64 0-d array."""
    return nr.astype(nr.asarray(step), nr.float64)


def _f64(value: Any) -> Array:
    return nr.asarray(value, dtype=nr.float64)


def _positive_int(op: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{op}: argument '{name}' expected a positive int, got {value!r}")


def _positive(op: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{op}: argument '{name}' expected a positive number, got {value!r}")


def constant(value: float) -> Schedule:
    """The same value at every step.

    Examples
    --------
    >>> float(nr.optim.schedules.constant(0.1)(7))
    0.1
    """
    return lambda step: _f64(value)


def step_lr(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """``lr * gamma ** (step // step_size)`` (``torch.optim.lr_scheduler.StepLR``).

    Examples
    --------
    >>> [float(nr.optim.schedules.step_lr(1.0, 2, 0.5)(t)) for t in range(4)]
    [1.0, 1.0, 0.5, 0.5]
    """
    _positive_int("step_lr", "step_size", step_size)
    return lambda step: lr * gamma ** nr.floor(_t(step) / step_size)


def multistep_lr(lr: float, milestones: Sequence[int], gamma: float = 0.1) -> Schedule:
    """``lr * gamma ** (number of milestones <= step)`` (``MultiStepLR``; a repeated milestone
    counts as many times as it appears).

    Examples
    --------
    >>> [float(nr.optim.schedules.multistep_lr(1.0, [1, 3], 0.5)(t)) for t in range(4)]
    [1.0, 0.5, 0.5, 0.25]
    """
    milestones = list(milestones)
    for m in milestones:
        if isinstance(m, bool) or not isinstance(m, int):
            raise ValueError(f"multistep_lr: argument 'milestones' expected ints, got {m!r}")

    def schedule(step: Any) -> Array:
        t = _t(step)
        passed = t * 0.0
        for m in milestones:
            passed = passed + nr.astype(t >= m, nr.float64)
        return lr * gamma**passed

    return schedule


def exponential_lr(lr: float, gamma: float) -> Schedule:
    """``lr * gamma ** step`` (``ExponentialLR``).

    Examples
    --------
    >>> float(nr.optim.schedules.exponential_lr(1.0, 0.5)(3))
    0.125
    """
    return lambda step: lr * gamma ** _t(step)


def linear_lr(
    lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5
) -> Schedule:
    """The factor goes linearly from ``start_factor`` to ``end_factor`` over ``total_iters``
    steps, then stays (``LinearLR``).

    Examples
    --------
    >>> [float(nr.optim.schedules.linear_lr(1.0, 0.5, 1.0, 2)(t)) for t in range(4)]
    [0.5, 0.75, 1.0, 1.0]
    """
    if not 0 < start_factor <= 1:
        raise ValueError(f"linear_lr: argument 'start_factor' expected (0, 1], got {start_factor}")
    if not 0 <= end_factor <= 1:
        raise ValueError(f"linear_lr: argument 'end_factor' expected [0, 1], got {end_factor}")
    _positive_int("linear_lr", "total_iters", total_iters)
    span = end_factor - start_factor
    return lambda step: lr * (start_factor + span * nr.minimum(_t(step), total_iters) / total_iters)


def cosine_annealing_lr(lr: float, T_max: int, eta_min: float = 0.0) -> Schedule:  # noqa: N803
    """``eta_min + (lr - eta_min) * (1 + cos(pi * step / T_max)) / 2`` (``CosineAnnealingLR``;
    past ``T_max`` the cosine goes on, as PyTorch's does).

    Examples
    --------
    >>> float(nr.optim.schedules.cosine_annealing_lr(1.0, T_max=10)(10))
    0.0
    """
    _positive("cosine_annealing_lr", "T_max", T_max)
    return lambda step: eta_min + (lr - eta_min) * (1 + nr.cos(math.pi * _t(step) / T_max)) / 2


def cosine_annealing_warm_restarts(
    lr: float,
    T_0: int,  # noqa: N803
    T_mult: int = 1,  # noqa: N803
    eta_min: float = 0.0,
) -> Schedule:
    """Cosine annealing restarted after ``T_0`` steps, each period ``T_mult`` times longer than
    the last (``CosineAnnealingWarmRestarts``).

    Examples
    --------
    >>> [round(float(nr.optim.schedules.cosine_annealing_warm_restarts(1.0, 2)(t)), 2)
    ...  for t in range(4)]
    [1.0, 0.5, 1.0, 0.5]
    """
    _positive_int("cosine_annealing_warm_restarts", "T_0", T_0)
    if isinstance(T_mult, bool) or not isinstance(T_mult, int) or T_mult < 1:
        raise ValueError(
            f"cosine_annealing_warm_restarts: argument 'T_mult' expected an int >= 1, got "
            f"{T_mult!r}"
        )

    def start(n: Any) -> Any:  # the step at which period n begins
        return T_0 * (T_mult**n - 1) / (T_mult - 1)

    def schedule(step: Any) -> Array:
        t = _t(step)
        if T_mult == 1:
            t_cur = t - T_0 * nr.floor(t / T_0)
            t_i = T_0
        else:
            n = nr.floor(nr.log(t / T_0 * (T_mult - 1) + 1) / math.log(T_mult))
            n = nr.where(start(n + 1) <= t, n + 1, n)  # guard against log's round-off
            n = nr.where(start(n) > t, n - 1, n)
            t_cur = t - start(n)
            t_i = T_0 * T_mult**n
        return eta_min + (lr - eta_min) * (1 + nr.cos(math.pi * t_cur / t_i)) / 2

    return schedule


def _total_steps(op: str, total_steps: Any, epochs: Any, steps_per_epoch: Any) -> int:
    if total_steps is not None:
        _positive_int(op, "total_steps", total_steps)
        return total_steps
    if epochs is None or steps_per_epoch is None:
        raise ValueError(f"{op}: give either 'total_steps' or both 'epochs' and 'steps_per_epoch'")
    _positive_int(op, "epochs", epochs)
    _positive_int(op, "steps_per_epoch", steps_per_epoch)
    return epochs * steps_per_epoch


def _one_cycle(
    op: str,
    total: int,
    pct_start: float,
    anneal_strategy: str,
    three_phase: bool,
    values: tuple[float, float, float, float],
) -> Schedule:
    """PyTorch's OneCycleLR phases over ``values = (v0, v1, v2, v3)``: ``v0 -> v1 -> v3``, or
    ``v0 -> v1 -> v0 -> v2`` with ``three_phase`` (``v2``/``v3``: the final values)."""
    if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
        raise ValueError(
            f"{op}: argument 'pct_start' expected a float in [0, 1], got {pct_start!r}"
        )
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(
            f"{op}: argument 'anneal_strategy' expected 'cos' or 'linear', got {anneal_strategy!r}"
        )
    v0, v1, v2, v3 = values
    warm_end = float(pct_start * total) - 1
    if three_phase:
        down_end = float(2 * pct_start * total) - 2
        phases = [(warm_end, v0, v1), (down_end, v1, v0), (total - 1, v0, v2)]
    else:
        phases = [(warm_end, v0, v1), (total - 1, v1, v3)]
    starts = [0.0] + [end for end, _, _ in phases[:-1]]
    for (end, _, _), begin in zip(phases, starts, strict=True):
        if end == begin:
            raise ValueError(
                f"{op}: pct_start={pct_start} and total_steps={total} give a phase of zero "
                "length; change pct_start"
            )

    def anneal(a: float, b: float, pct: Array) -> Array:
        if anneal_strategy == "cos":
            return b + (a - b) / 2.0 * (nr.cos(math.pi * pct) + 1)
        return (b - a) * pct + a

    def schedule(step: Any) -> Array:
        t = nr.minimum(_t(step), total)
        out = None
        for (end, a, b), begin in reversed(list(zip(phases, starts, strict=True))):
            value = anneal(a, b, (t - begin) / (end - begin))
            out = value if out is None else nr.where(t <= end, value, out)
        return out

    return schedule


def one_cycle_lr(
    max_lr: float,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> Schedule:
    """The 1cycle policy (``OneCycleLR``): from ``max_lr / div_factor`` up to ``max_lr``,
    then down to ``max_lr / div_factor / final_div_factor``. Steps past ``total_steps`` keep
    the final value (PyTorch raises). See :func:`one_cycle_momentum` for the momentum cycle.

    Examples
    --------
    >>> lr = nr.optim.schedules.one_cycle_lr(0.1, total_steps=100)
    >>> round(float(lr(29)), 6)
    0.1
    """
    op = "one_cycle_lr"
    total = _total_steps(op, total_steps, epochs, steps_per_epoch)
    initial = max_lr / div_factor
    final = initial / final_div_factor
    return _one_cycle(
        op, total, pct_start, anneal_strategy, three_phase, (initial, max_lr, final, final)
    )


def one_cycle_momentum(
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    three_phase: bool = False,
) -> Schedule:
    """The momentum (or beta1) cycle that ``OneCycleLR`` applies with ``cycle_momentum=True``:
    down from ``max_momentum`` to ``base_momentum`` while the learning rate rises, then back.

    Examples
    --------
    >>> m = nr.optim.schedules.one_cycle_momentum(total_steps=100)
    >>> opt = nr.optim.sgd(lr=nr.optim.schedules.one_cycle_lr(0.1, 100), momentum=m)
    """
    op = "one_cycle_momentum"
    total = _total_steps(op, total_steps, epochs, steps_per_epoch)
    values = (max_momentum, base_momentum, max_momentum, max_momentum)
    return _one_cycle(op, total, pct_start, anneal_strategy, three_phase, values)


def warmup_cosine(
    lr: float,
    warmup_steps: int,
    total_steps: int,
    eta_min: float = 0.0,
    start_factor: float = 0.0,
) -> Schedule:
    """Linear warm-up from ``start_factor * lr`` to ``lr`` over ``warmup_steps``, then cosine
    annealing to ``eta_min`` at ``total_steps``, where it stays.

    Examples
    --------
    >>> lr = nr.optim.schedules.warmup_cosine(1.0, warmup_steps=2, total_steps=4)
    >>> [float(lr(t)) for t in range(5)]
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, int) or warmup_steps < 0:
        raise ValueError(
            f"warmup_cosine: argument 'warmup_steps' expected an int >= 0, got {warmup_steps!r}"
        )
    _positive_int("warmup_cosine", "total_steps", total_steps)
    if total_steps <= warmup_steps:
        raise ValueError(
            f"warmup_cosine: argument 'total_steps' expected more than warmup_steps="
            f"{warmup_steps}, got {total_steps}"
        )
    decay_steps = total_steps - warmup_steps

    def schedule(step: Any) -> Array:
        t = _t(step)
        warm = lr * (start_factor + (1 - start_factor) * t / max(warmup_steps, 1))
        done = nr.minimum(t - warmup_steps, decay_steps) / decay_steps
        cosine = eta_min + (lr - eta_min) * (1 + nr.cos(math.pi * done)) / 2
        return nr.where(t < warmup_steps, warm, cosine)

    return schedule


def polynomial_lr(lr: float, total_iters: int = 5, power: float = 1.0) -> Schedule:
    """``lr * (1 - min(step, total_iters) / total_iters) ** power`` (``PolynomialLR``).

    Examples
    --------
    >>> [float(nr.optim.schedules.polynomial_lr(1.0, 2)(t)) for t in range(4)]
    [1.0, 0.5, 0.0, 0.0]
    """
    _positive_int("polynomial_lr", "total_iters", total_iters)
    return lambda step: lr * (1 - nr.minimum(_t(step), total_iters) / total_iters) ** power


def join_schedules(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """Schedule ``i`` from step ``boundaries[i - 1]`` on, called with the steps since that
    boundary (PyTorch's ``SequentialLR`` with ``milestones=boundaries``).

    Examples
    --------
    >>> s = nr.optim.schedules
    >>> lr = s.join_schedules([s.linear_lr(0.1, 0.1, 1.0, 5), s.cosine_annealing_lr(0.1, 95)], [5])
    """
    schedules, boundaries = list(schedules), list(boundaries)
    if len(boundaries) != len(schedules) - 1:
        raise ValueError(
            f"join_schedules: expected len(boundaries) == len(schedules) - 1, got "
            f"{len(boundaries)} boundaries for {len(schedules)} schedules"
        )
    if any(b < a for a, b in itertools.pairwise(boundaries)):
        raise ValueError(f"join_schedules: argument 'boundaries' must increase, got {boundaries}")

    def schedule(step: Any) -> Array:
        t = _t(step)
        out = _f64(schedules[0](step))
        for b, s in zip(boundaries, schedules[1:], strict=True):
            out = nr.where(t >= b, _f64(s(step - b)), out)
        return out

    return schedule


def lambda_lr(lr: float, lr_lambda: Callable[[Any], Any]) -> Schedule:
    """``lr * lr_lambda(step)`` (``LambdaLR``); ``lr_lambda`` receives the step as given.

    Examples
    --------
    >>> float(nr.optim.schedules.lambda_lr(0.1, lambda t: 0.5 ** t)(2))
    0.025
    """
    if not callable(lr_lambda):
        raise TypeError(
            f"lambda_lr: argument 'lr_lambda' expected a function step -> factor, got "
            f"{type(lr_lambda).__name__}"
        )
    return lambda step: lr * _f64(lr_lambda(step))
