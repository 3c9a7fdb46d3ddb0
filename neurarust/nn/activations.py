"""Activation functions (PyTorch's formulas and derivatives) and their module forms.

>>> x = nr.asarray([-1.0, 0.0, 2.0])
>>> nr.nn.functional.leaky_relu(x, 0.1)
Array([-0.1,  0. ,  2. ], dtype=float32)
>>> nr.nn.GELU(approximate="tanh")(x).shape
(3,)
"""

from __future__ import annotations

import math
from typing import Any

import neurarust as nr

from ..core.array import Array
from .module import Module

__all__ = [
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "silu",
    "mish",
    "sigmoid",
    "tanh",
    "softplus",
    "hardtanh",
    "softmax",
    "log_softmax",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "GELU",
    "SiLU",
    "Mish",
    "Sigmoid",
    "Tanh",
    "Softplus",
    "Hardtanh",
    "Softmax",
    "LogSoftmax",
]


def relu(input: Any) -> Array:  # noqa: A002 - PyTorch's argument name
    """``max(x, 0)``; the derivative at 0 is 0."""
    return nr.relu(input)


def leaky_relu(input: Any, negative_slope: float = 0.01) -> Array:  # noqa: A002
    """``x`` for ``x > 0``, ``negative_slope * x`` otherwise."""
    x = nr.asarray(input)
    return nr.where(x > 0, x, x * negative_slope)


def elu(input: Any, alpha: float = 1.0) -> Array:  # noqa: A002
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""
    x = nr.asarray(input)
    return nr.where(x > 0, x, alpha * nr.expm1(nr.minimum(x, 0)))


def gelu(input: Any, approximate: str = "none") -> Array:  # noqa: A002
    """``x * Phi(x)`` (``approximate="none"``) or its tanh approximation (``"tanh"``)."""
    x = nr.asarray(input)
    if approximate == "none":
        return 0.5 * x * (1 + nr.erf(x * (1 / math.sqrt(2.0))))
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + nr.tanh(inner))
    raise ValueError(f"gelu: argument 'approximate' expected 'none' or 'tanh', got {approximate!r}")


def silu(input: Any) -> Array:  # noqa: A002
    """``x * sigmoid(x)`` (swish)."""
    x = nr.asarray(input)
    return x * nr.sigmoid(x)


def mish(input: Any) -> Array:  # noqa: A002
    """``x * tanh(softplus(x))``."""
    x = nr.asarray(input)
    return x * nr.tanh(nr.softplus(x))


def sigmoid(input: Any) -> Array:  # noqa: A002
    """``1 / (1 + exp(-x))``."""
    return nr.sigmoid(input)


def tanh(input: Any) -> Array:  # noqa: A002
    """The hyperbolic tangent."""
    return nr.tanh(input)


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Array:  # noqa: A002
    """``log(1 + exp(beta * x)) / beta``, and ``x`` where ``beta * x > threshold``."""
    x = nr.asarray(input)
    bx = x * beta
    return nr.where(bx > threshold, x, nr.softplus(bx) / beta)


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0) -> Array:  # noqa: A002
    """``x`` clipped to ``[min_val, max_val]``; the derivative is 0 outside the open interval."""
    x = nr.asarray(input)
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: arguments 'min_val' and 'max_val' expected min_val <= max_val, got "
            f"{min_val} and {max_val}"
        )
    edge = nr.where(x <= min_val, nr.full_like(x, min_val), nr.full_like(x, max_val))
    return nr.where((x > min_val) & (x < max_val), x, edge)


def _dim(op: str, dim: int | None) -> int:
    if dim is None:
        raise TypeError(f"{op}: argument 'dim' is required (the axis to normalise over)")
    return dim


def softmax(input: Any, dim: int | None = None, dtype: Any = None) -> Array:  # noqa: A002
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably."""
    x = nr.asarray(input) if dtype is None else nr.asarray(input).astype(dtype)
    return nr.softmax(x, axis=_dim("softmax", dim))


def log_softmax(input: Any, dim: int | None = None, dtype: Any = None) -> Array:  # noqa: A002
    """``x - logsumexp(x)`` along ``dim``."""
    x = nr.asarray(input) if dtype is None else nr.asarray(input).astype(dtype)
    return nr.log_softmax(x, axis=_dim("log_softmax", dim))


class ReLU(Module):
    """:func:`relu` as a layer (``inplace`` is accepted for PyTorch code and has no effect)."""

    inplace: bool = False

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return relu(input)


class LeakyReLU(Module):
    """:func:`leaky_relu` as a layer."""

    negative_slope: float = 0.01
    inplace: bool = False

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return leaky_relu(input, self.negative_slope)


class ELU(Module):
    """:func:`elu` as a layer."""

    alpha: float = 1.0
    inplace: bool = False

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return elu(input, self.alpha)


class GELU(Module):
    """:func:`gelu` as a layer (``approximate="none"`` or ``"tanh"``)."""

    approximate: str = "none"

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return gelu(input, self.approximate)


class SiLU(Module):
    """:func:`silu` as a layer."""

    inplace: bool = False

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return silu(input)


class Mish(Module):
    """:func:`mish` as a layer."""

    inplace: bool = False

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return mish(input)


class Sigmoid(Module):
    """:func:`sigmoid` as a layer."""

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return sigmoid(input)


class Tanh(Module):
    """:func:`tanh` as a layer."""

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return tanh(input)


class Softplus(Module):
    """:func:`softplus` as a layer."""

    beta: float = 1.0
    threshold: float = 20.0

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return softplus(input, self.beta, self.threshold)


class Hardtanh(Module):
    """:func:`hardtanh` as a layer."""

    min_val: float = -1.0
    max_val: float = 1.0
    inplace: bool = False

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return hardtanh(input, self.min_val, self.max_val)


class Softmax(Module):
    """:func:`softmax` along ``dim`` as a layer."""

    dim: int | None = None

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return softmax(input, self.dim)


class LogSoftmax(Module):
    """:func:`log_softmax` along ``dim`` as a layer."""

    dim: int | None = None

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return log_softmax(input, self.dim)
