"""Hyper-parameters kept in the optimizer state, where they can be read and changed between
steps (PyTorch's ``param_groups[i]["lr"]`` and ``scheduler.get_last_lr()``)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import neurarust as nr

from ..core.array import Array
from .base import GradientTransformation, zero_count


class InjectHyperparamsState(NamedTuple):
    """The step count, the current value of each injected hyper-parameter (0-d float64
    arrays, a tuple of them for ``betas``), and the wrapped optimizer's state."""

    count: Array
    hyperparams: dict[str, Any]
    inner_state: Any


def _is_value(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) or (
        isinstance(v, Array) and v.shape == ()
    )


def _injectable(v: Any) -> bool:
    """Numbers, 0-d arrays, schedules, and tuples of them (``betas``)."""
    if isinstance(v, tuple):
        return len(v) > 0 and all(_injectable(x) for x in v)
    return _is_value(v) or (callable(v) and not isinstance(v, (GradientTransformation, type)))


def _evaluate(v: Any, count: Array) -> Any:
    """The value of hyper-parameter ``v`` at step ``count``, as float64 0-d array(s)."""
    if isinstance(v, tuple):
        return tuple(_evaluate(x, count) for x in v)
    return nr.asarray(v(count) if callable(v) else v, dtype=nr.float64)


def _current(v: Any, stored: Any, count: Array) -> Any:
    """Schedules are evaluated at ``count``; other values come from the state (so changes a
    user made there take effect)."""
    if isinstance(v, tuple):
        return tuple(_current(x, s, count) for x, s in zip(v, stored, strict=True))
    return _evaluate(v, count) if callable(v) else stored


def inject_hyperparams(
    factory: Callable[..., GradientTransformation], static_args: Iterable[str] = ()
) -> Callable[..., GradientTransformation]:
    """Wrap an optimizer factory so that its numeric and scheduled hyper-parameters live in
    ``state.hyperparams``, as 0-d arrays updated every step.

    ``state.hyperparams["lr"]`` is the learning rate the next step will use (what PyTorch's
    ``scheduler.get_last_lr()`` returns); change it by replacing the state's entry. A
    schedule is evaluated at each step and overwrites its entry. Arguments named in
    ``static_args``, bools and other values are passed to ``factory`` unchanged.

    Examples
    --------
    >>> opt = nr.optim.inject_hyperparams(nr.optim.adam)(lr=1e-3)
    >>> state = opt.init(params)
    >>> float(state.hyperparams["lr"])
    0.001
    >>> state = state._replace(hyperparams={**state.hyperparams, "lr": nr.asarray(1e-4)})
    """
    signature = inspect.signature(factory)
    static_names = frozenset(static_args)
    name = getattr(factory, "__name__", "optimizer")

    @functools.wraps(factory)
    def wrapped(*args: Any, **kwargs: Any) -> GradientTransformation:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"inject_hyperparams({name}): {e}") from None
        bound.apply_defaults()
        given = dict(bound.arguments)
        injected = {k: v for k, v in given.items() if k not in static_names and _injectable(v)}
        static = {k: v for k, v in given.items() if k not in injected}

        def build(values: dict[str, Any]) -> GradientTransformation:
            return factory(**static, **values)

        def init(params: Any) -> InjectHyperparamsState:
            count = zero_count()
            values = {k: _evaluate(v, count) for k, v in injected.items()}
            return InjectHyperparamsState(count, values, build(values).init(params))

        def update(
            updates: Any, state: InjectHyperparamsState, params: Any = None, **extra: Any
        ) -> tuple[Any, InjectHyperparamsState]:
            values = {
                k: _current(v, state.hyperparams[k], state.count) for k, v in injected.items()
            }
            new_updates, inner_state = build(values).update(
                updates, state.inner_state, params, **extra
            )
            count = state.count + 1
            following = {k: _current(v, values[k], count) for k, v in injected.items()}
            return new_updates, InjectHyperparamsState(count, following, inner_state)

        return GradientTransformation(init, update)

    return wrapped
