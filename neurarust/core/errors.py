"""Exceptions raised by neurarust.

Every error names the operation, the offending argument, what was expected and what was got.
Each class also derives from the built-in exception a Python user would catch.
"""

from __future__ import annotations


class NeurarustError(Exception):
    """Base class of every error that neurarust raises on purpose."""


class InvalidArgumentError(NeurarustError, ValueError):
    """An argument value outside what an operation accepts (a range, an option name, ...)."""


class ShapeError(NeurarustError, ValueError):
    """Shapes that do not fit an operation (broadcasting, reshape, matmul, ...)."""


class AxisError(NeurarustError, ValueError, IndexError):
    """An axis outside the valid range of an array."""


class IndexBoundsError(NeurarustError, IndexError):
    """An index outside the bounds of the indexed dimension."""


class DTypeError(NeurarustError, TypeError):
    """An unknown dtype, or a dtype an operation does not accept."""


class DeviceError(NeurarustError, ValueError):
    """Arrays on different devices mixed in one operation, or an unknown device."""


class ConcretizationError(NeurarustError, TypeError):
    """A Python value (bool, float, index, ...) asked of an abstract, traced array."""


class TracerLeakError(NeurarustError, RuntimeError):
    """A value recorded by a transform used after that transform returned."""


class ImmutableError(NeurarustError, TypeError):
    """An attempt to change an immutable neurarust object in place."""


def message(op: str, arg: str, expected: str, got: object) -> str:
    """Format the standard error text: ``op: argument 'arg' expected ..., got ...``."""
    return f"{op}: argument '{arg}' expected {expected}, got {got}"
