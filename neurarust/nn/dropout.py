"""Dropout: element-wise, channel-wise (1d/2d/3d) and alpha dropout, functions and layers.

Randomness is explicit: in training mode each call takes ``key=`` (an ``nr.random.key`` or an
int seed); a missing key is an error. In eval mode (``model.eval()``) the layers are the
identity and need no key.
"""

from __future__ import annotations

from typing import Any

import neurarust as nr

from ..core.array import Array
from ..core.errors import ShapeError
from ..core.ops.arguments import device_of
from . import init
from .errors import MissingKeyError
from .module import Module

__all__ = [
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "alpha_dropout",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "AlphaDropout",
]

_SELU_ALPHA = 1.7580993408473766  # -alpha' of SELU: the value dropped units are set to


def _check_p(op: str, p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: argument 'p' expected a probability in [0, 1], got {p}")


def _key(op: str, key: Any) -> Array:
    if key is None:
        raise MissingKeyError(
            f"{op}: in training mode dropout needs a random key: call it with key=... "
            "(nr.random.key(seed), a split key or an int; a Sequential splits its key among "
            "its layers: model(x, key=k)), or use model.eval() for inference"
        )
    return init.as_key(key, op)


def _mask(op: str, x: Array, p: float, key: Any, shape: tuple[int, ...]) -> Array:
    keep = nr.random.bernoulli(_key(op, key), 1.0 - p, shape, device=device_of(x))
    return nr.asarray(keep, dtype=x.dtype, device=device_of(x))


def dropout(
    input: Any,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    key: Any = None,
) -> Array:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    Examples
    --------
    >>> y = nr.nn.functional.dropout(nr.ones(1000), 0.5, key=0)
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    """
    x = nr.asarray(input)
    _check_p("dropout", p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return nr.zeros_like(x)
    return x * _mask("dropout", x, p, key, tuple(x.shape)) * (1.0 / (1.0 - p))


def _feature_dropout(op: str, x: Any, p: float, training: bool, key: Any, spatial: int) -> Array:
    x = nr.asarray(x)
    _check_p(op, p)
    if x.ndim not in (spatial + 1, spatial + 2):
        raise ShapeError(
            f"{op}: argument 'input' expected a {spatial + 2}-D batched or {spatial + 1}-D "
            f"unbatched input (channels before {spatial} spatial dims), got shape "
            f"{tuple(x.shape)}"
        )
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return nr.zeros_like(x)
    shape = tuple(x.shape[: x.ndim - spatial]) + (1,) * spatial
    return x * _mask(op, x, p, key, shape) * (1.0 / (1.0 - p))


def dropout1d(
    input: Any,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    key: Any = None,
) -> Array:
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` inputs with probability ``p``."""
    return _feature_dropout("dropout1d", input, p, training, key, 1)


def dropout2d(
    input: Any,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    key: Any = None,
) -> Array:
    """Zero whole channels of ``(N, C, H, W)`` or ``(C, H, W)`` inputs with probability ``p``."""
    return _feature_dropout("dropout2d", input, p, training, key, 2)


def dropout3d(
    input: Any,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    key: Any = None,
) -> Array:
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs."""
    return _feature_dropout("dropout3d", input, p, training, key, 3)


def alpha_dropout(
    input: Any,  # noqa: A002
    p: float = 0.5,
    training: bool = False,
    inplace: bool = False,
    *,
    key: Any = None,
) -> Array:
    """Dropout for SELU networks: dropped units take SELU's negative saturation value and
    an affine correction keeps the mean and variance (PyTorch's formula)."""
    x = nr.asarray(input)
    _check_p("alpha_dropout", p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return nr.zeros_like(x)
    keep = _mask("alpha_dropout", x, p, key, tuple(x.shape))
    a = ((_SELU_ALPHA**2 * p + 1) * (1 - p)) ** -0.5
    return x * (keep * a) + ((keep - 1) * (_SELU_ALPHA * a) + _SELU_ALPHA * a * p)


class Dropout(Module):
    """:func:`dropout` in training mode, the identity in eval mode.

    Examples
    --------
    >>> drop = nr.nn.Dropout(0.1)
    >>> y = drop(nr.ones(4), key=nr.random.key(0))   # training mode: needs a key
    >>> drop.eval()(nr.ones(4)).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    p: float = 0.5
    inplace: bool = False

    def __post_init__(self) -> None:
        _check_p(type(self).__name__, self.p)

    def __call__(self, input: Array, *, key: Any = None) -> Array:  # noqa: A002
        return dropout(input, self.p, self.training, key=key)


class Dropout1d(Dropout):
    """:func:`dropout1d` as a layer."""

    def __call__(self, input: Array, *, key: Any = None) -> Array:  # noqa: A002
        return dropout1d(input, self.p, self.training, key=key)


class Dropout2d(Dropout):
    """:func:`dropout2d` as a layer."""

    def __call__(self, input: Array, *, key: Any = None) -> Array:  # noqa: A002
        return dropout2d(input, self.p, self.training, key=key)


class Dropout3d(Dropout):
    """:func:`dropout3d` as a layer."""

    def __call__(self, input: Array, *, key: Any = None) -> Array:  # noqa: A002
        return dropout3d(input, self.p, self.training, key=key)


class AlphaDropout(Dropout):
    """:func:`alpha_dropout` as a layer."""

    def __call__(self, input: Array, *, key: Any = None) -> Array:  # noqa: A002
        return alpha_dropout(input, self.p, self.training, key=key)
