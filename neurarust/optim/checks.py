"""Validation of hyper-parameters, with errors that name the optimizer and the parameter.

Python numbers and concrete 0-d arrays are checked; schedules and traced values cannot be
checked ahead of time and pass.
"""

from __future__ import annotations

from typing import Any

from ..core.array import Array


def number(value: Any) -> float | None:
    """``value`` as a Python float when it is known now (a number or a concrete 0-d array)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if value.__class__ is Array and value.shape == ():
        return float(value.item())
    return None


def is_zero(value: Any) -> bool:
    """Whether ``value`` is the Python number 0 (then its transformation can be left out).

    Arrays and schedules are never "zero" here, so a chain keeps the same state structure
    whatever value they take later.
    """
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0


def check_range(
    op: str,
    name: str,
    value: Any,
    low: float = 0.0,
    high: float | None = None,
    *,
    high_open: bool = False,
) -> None:
    """Raise ValueError unless ``low <= value`` (and ``value <= high``, or ``< high`` when
    ``high_open``)."""
    v = number(value)
    if v is None:
        if isinstance(value, bool) or not (callable(value) or isinstance(value, Array)):
            raise TypeError(
                f"{op}: hyper-parameter '{name}' expected a number, a 0-d array or a schedule "
                f"step -> value, got {type(value).__name__}"
            )
        return
    if high is None:
        above = True
    else:
        above = v < high if high_open else v <= high
    if not (v >= low and above):
        if high is None:
            want = f">= {low:g}"
        else:
            want = f"in [{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{op}: hyper-parameter '{name}' expected a value {want}, got {v!r}")


def check_betas(op: str, betas: Any) -> tuple[Any, Any]:
    """``betas`` as a pair, each in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(
            f"{op}: hyper-parameter 'betas' expected a pair (beta1, beta2), got {betas!r}"
        )
    for k, b in enumerate(betas):
        check_range(op, f"betas[{k}]", b, 0.0, 1.0, high_open=True)
    return betas[0], betas[1]
