"""Affine layers: ``Linear``, ``Bilinear``, ``Identity`` and their functional forms.

Parameter layouts and default initialisation follow PyTorch: ``Linear.weight`` is
``(out_features, in_features)`` and both weight and bias are drawn from
``U(-1/sqrt(in_features), 1/sqrt(in_features))``.
"""

from __future__ import annotations

import math
from typing import Any

import neurarust as nr

from ..core.array import Array
from ..core.errors import ShapeError
from . import init
from .module import Module

__all__ = ["linear", "bilinear", "Identity", "Linear", "Bilinear"]


def linear(input: Any, weight: Any, bias: Any = None) -> Array:  # noqa: A002
    """``input @ weight.T + bias`` with ``weight`` of shape ``(out_features, in_features)``.

    Examples
    --------
    >>> nr.nn.functional.linear(nr.ones((2, 3)), nr.ones((4, 3))).shape
    (2, 4)
    """
    x, w = nr.asarray(input), nr.asarray(weight)
    if w.ndim != 2:
        raise ShapeError(
            f"linear: argument 'weight' expected shape (out_features, in_features), got "
            f"{tuple(w.shape)}"
        )
    if x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ShapeError(
            f"linear: argument 'input' expected shape (*, {w.shape[1]}) (in_features="
            f"{w.shape[1]}), got {tuple(x.shape)}"
        )
    out = nr.matmul(x, w.T)
    return out if bias is None else out + bias


def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Array:
    """``y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]``."""
    x1, x2, w = nr.asarray(input1), nr.asarray(input2), nr.asarray(weight)
    if w.ndim != 3:
        raise ShapeError(
            f"bilinear: argument 'weight' expected shape (out, in1, in2), got {tuple(w.shape)}"
        )
    for name, x, size in (("input1", x1, w.shape[1]), ("input2", x2, w.shape[2])):
        if x.ndim == 0 or x.shape[-1] != size:
            raise ShapeError(
                f"bilinear: argument '{name}' expected shape (*, {size}), got {tuple(x.shape)}"
            )
    if x1.shape[:-1] != x2.shape[:-1]:
        raise ShapeError(
            f"bilinear: arguments 'input1' and 'input2' expected the same leading dimensions, "
            f"got {tuple(x1.shape)} and {tuple(x2.shape)}"
        )
    out = nr.einsum("...i,oij,...j->...o", x1, w, x2)
    return out if bias is None else out + bias


class Identity(Module):
    """Returns its input (arguments are accepted and ignored, as in PyTorch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __call__(self, input: Any) -> Any:  # noqa: A002
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``.

    Examples
    --------
    >>> layer = nr.nn.Linear(3, 2, key=0)
    >>> layer.weight.shape, layer(nr.ones((5, 3))).shape
    ((2, 3), (5, 2))
    """

    in_features: int
    out_features: int
    weight: Array
    bias: Array | None

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        k_w, k_b = nr.random.split(init.as_key(key, "Linear"))
        dtype = nr.float32 if dtype is None else dtype
        bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
        self.in_features = in_features
        self.out_features = out_features
        w = init.kaiming_uniform(k_w, (out_features, in_features), a=math.sqrt(5), dtype=dtype)
        self.weight = nr.asarray(w, device=device)
        b = init.uniform(k_b, (out_features,), -bound, bound, dtype) if bias else None
        self.bias = None if b is None else nr.asarray(b, device=device)

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return linear(input, self.weight, self.bias)


class Bilinear(Module):
    """``y = x1 @ weight @ x2 + bias`` with ``weight`` of shape ``(out, in1, in2)``."""

    in1_features: int
    in2_features: int
    out_features: int
    weight: Array
    bias: Array | None

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        k_w, k_b = nr.random.split(init.as_key(key, "Bilinear"))
        dtype = nr.float32 if dtype is None else dtype
        bound = 1 / math.sqrt(in1_features) if in1_features > 0 else 0.0
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        shape = (out_features, in1_features, in2_features)
        self.weight = nr.asarray(init.uniform(k_w, shape, -bound, bound, dtype), device=device)
        b = init.uniform(k_b, (out_features,), -bound, bound, dtype) if bias else None
        self.bias = None if b is None else nr.asarray(b, device=device)

    def __call__(self, input1: Array, input2: Array) -> Array:
        return bilinear(input1, input2, self.weight, self.bias)
