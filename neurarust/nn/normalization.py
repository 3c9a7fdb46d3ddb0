"""Normalisation: batch, layer, group, instance and RMS norm (functions and layers).

Layers with running statistics keep them as buffers. In training mode with
``track_running_stats=True`` they hand their updated buffers to ``nr.nn.apply_with_state``
(see :mod:`neurarust.nn.state` and docs/architecture.md); in eval mode they use the stored ones.
"""

from __future__ import annotations

import math
from typing import Any

import neurarust as nr

from ..core.array import Array
from ..core.errors import ShapeError
from .module import Module, field
from .state import current_buffers, record_buffers

__all__ = [
    "batch_norm",
    "layer_norm",
    "group_norm",
    "instance_norm",
    "rms_norm",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "LayerNorm",
    "GroupNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "RMSNorm",
]


def _per_channel(v: Any, ndim: int) -> Array:
    """A ``(C,)`` vector shaped ``(1, C, 1, ...)`` to broadcast over an ``ndim`` input."""
    return nr.reshape(v, (1, -1) + (1,) * (ndim - 2))


def _check_channels(op: str, x: Array, **vectors: Any) -> None:
    if x.ndim < 2:
        raise ShapeError(f"{op}: argument 'input' expected shape (N, C, *), got {tuple(x.shape)}")
    for name, v in vectors.items():
        if v is not None and tuple(v.shape) != (x.shape[1],):
            raise ShapeError(
                f"{op}: argument '{name}' expected shape ({x.shape[1]},) for an input with "
                f"{x.shape[1]} channels (shape {tuple(x.shape)}), got {tuple(v.shape)}"
            )


def _affine(out: Array, weight: Any, bias: Any) -> Array:
    if weight is not None:
        out = out * _per_channel(weight, out.ndim)
    if bias is not None:
        out = out + _per_channel(bias, out.ndim)
    return out


def _batch_stats(op: str, x: Array, axes: tuple[int, ...]) -> tuple[Array, Array]:
    if math.prod(x.shape[a] for a in axes) <= 1 and op != "group_norm":
        what = "spatial element" if op == "instance_norm" else "value per channel"
        raise ShapeError(
            f"{op}: expected more than 1 {what} when training, got input shape {tuple(x.shape)}"
        )
    return nr.mean(x, axis=axes, keepdims=True), nr.var(x, axis=axes, keepdims=True)


def _running_update(old: Array, batch: Array, factor: Any, count: int, unbias: bool) -> Array:
    """``(1 - factor) * old + factor * batch`` (``batch`` reduced over ``count`` samples, made
    unbiased for variances), as a constant for differentiation."""
    if unbias:
        batch = batch * (count / max(count - 1, 1))
    return nr.stop_gradient(old + (batch - old) * factor).astype(old.dtype)


def batch_norm(
    input: Any,  # noqa: A002
    running_mean: Any,
    running_var: Any,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Array:
    """Normalise each channel (dimension 1) by batch statistics (``training=True``) or by
    ``running_mean``/``running_var``, then scale by ``weight`` and shift by ``bias``.

    Arrays are immutable, so the running statistics are not updated here; the BatchNorm
    layers do that through ``nr.nn.apply_with_state``. ``momentum`` is accepted for PyTorch
    code and has no effect.

    Examples
    --------
    >>> x = nr.random.normal(nr.random.key(0), (8, 3))
    >>> nr.nn.functional.batch_norm(x, None, None, training=True).shape
    (8, 3)
    """
    x = nr.asarray(input)
    _check_channels(
        "batch_norm", x, running_mean=running_mean, running_var=running_var, weight=weight,
        bias=bias,
    )  # fmt: skip
    if training:
        mean, var = _batch_stats("batch_norm", x, (0, *range(2, x.ndim)))
    elif running_mean is None or running_var is None:
        raise ValueError(
            "batch_norm: arguments 'running_mean' and 'running_var' are required when "
            "training=False"
        )
    else:
        mean, var = _per_channel(running_mean, x.ndim), _per_channel(running_var, x.ndim)
    return _affine((x - mean) / nr.sqrt(var + eps), weight, bias)


def instance_norm(
    input: Any,  # noqa: A002
    running_mean: Any = None,
    running_var: Any = None,
    weight: Any = None,
    bias: Any = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Array:
    """Normalise each channel of each sample over its spatial dimensions (``(N, C, *)``).

    With ``use_input_stats=False`` the running statistics are used instead. As in
    :func:`batch_norm`, running statistics are not updated by this function.
    """
    x = nr.asarray(input)
    _check_channels(
        "instance_norm", x, running_mean=running_mean, running_var=running_var, weight=weight,
        bias=bias,
    )  # fmt: skip
    if use_input_stats:
        mean, var = _batch_stats("instance_norm", x, tuple(range(2, x.ndim)))
    elif running_mean is None or running_var is None:
        raise ValueError(
            "instance_norm: arguments 'running_mean' and 'running_var' are required when "
            "use_input_stats=False"
        )
    else:
        mean, var = _per_channel(running_mean, x.ndim), _per_channel(running_var, x.ndim)
    return _affine((x - mean) / nr.sqrt(var + eps), weight, bias)


def _normalized_shape(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)


def _check_trailing(op: str, x: Array, shape: tuple[int, ...]) -> tuple[int, ...]:
    if tuple(x.shape[x.ndim - len(shape) :]) != shape or x.ndim < len(shape):
        raise ShapeError(
            f"{op}: argument 'input' expected shape (*, {', '.join(map(str, shape))}) "
            f"(normalized_shape={list(shape)}), got {tuple(x.shape)}"
        )
    return tuple(range(x.ndim - len(shape), x.ndim))


def layer_norm(
    input: Any,  # noqa: A002
    normalized_shape: Any,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
) -> Array:
    """Normalise over the trailing ``normalized_shape`` dimensions, then scale and shift."""
    x = nr.asarray(input)
    axes = _check_trailing("layer_norm", x, _normalized_shape(normalized_shape))
    mean, var = nr.mean(x, axis=axes, keepdims=True), nr.var(x, axis=axes, keepdims=True)
    out = (x - mean) / nr.sqrt(var + eps)
    if weight is not None:
        out = out * weight
    return out if bias is None else out + bias


def rms_norm(
    input: Any,  # noqa: A002
    normalized_shape: Any,
    weight: Any = None,
    eps: float | None = None,
) -> Array:
    """``x / sqrt(mean(x**2) + eps) * weight`` over the trailing ``normalized_shape`` dims;
    ``eps=None`` uses the machine epsilon of the input's dtype."""
    x = nr.asarray(input)
    axes = _check_trailing("rms_norm", x, _normalized_shape(normalized_shape))
    eps = nr.finfo(x.dtype).eps if eps is None else eps
    out = x / nr.sqrt(nr.mean(x * x, axis=axes, keepdims=True) + eps)
    return out if weight is None else out * weight


def group_norm(
    input: Any,  # noqa: A002
    num_groups: int,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
) -> Array:
    """Normalise each group of ``C / num_groups`` channels of each sample (``(N, C, *)``)."""
    x = nr.asarray(input)
    _check_channels("group_norm", x, weight=weight, bias=bias)
    n, c = x.shape[:2]
    if c % num_groups:
        raise ShapeError(
            f"group_norm: argument 'input' expected a number of channels divisible by "
            f"num_groups={num_groups}, got shape {tuple(x.shape)}"
        )
    grouped = nr.reshape(x, (n, num_groups, -1))
    mean, var = _batch_stats("group_norm", grouped, (2,))
    out = nr.reshape((grouped - mean) / nr.sqrt(var + eps), tuple(x.shape))
    return _affine(out, weight, bias)


class _NormBase(Module):
    """Shared fields and construction of BatchNorm and InstanceNorm layers."""

    num_features: int
    eps: float
    momentum: float | None
    affine: bool
    track_running_stats: bool
    weight: Array | None
    bias: Array | None
    running_mean: Array | None = field(buffer=True)
    running_var: Array | None = field(buffer=True)
    num_batches_tracked: Array | None = field(buffer=True)

    _ranks = ()  # the accepted input ranks
    _unbatched = 0  # the rank of an input without its batch dimension (0: not accepted)
    _layout_text = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        dtype = nr.float32 if dtype is None else dtype
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.weight = nr.ones(num_features, dtype=dtype, device=device) if affine else None
        self.bias = nr.zeros(num_features, dtype=dtype, device=device) if affine else None
        tracked = track_running_stats
        self.running_mean = nr.zeros(num_features, dtype=dtype, device=device) if tracked else None
        self.running_var = nr.ones(num_features, dtype=dtype, device=device) if tracked else None
        self.num_batches_tracked = nr.zeros((), dtype=nr.int64, device=device) if tracked else None

    def _check_input(self, x: Array) -> None:
        if x.ndim not in self._ranks:
            raise ShapeError(f"argument 'input' expected {self._layout_text}, got shape {x.shape}")
        channels = x.shape[0] if x.ndim == self._unbatched else x.shape[1]
        if channels != self.num_features and (self.affine or self.track_running_stats):
            raise ShapeError(
                f"argument 'input' expected {self._layout_text} with C={self.num_features} "
                f"(num_features), got shape {tuple(x.shape)}"
            )


class _BatchNorm(_NormBase):
    """BatchNorm over dimension 1 (``BatchNorm1d/2d/3d`` differ only in the input rank)."""

    def __call__(self, input: Array) -> Array:  # noqa: A002
        x = nr.asarray(input)
        self._check_input(x)
        if not (self.training and self.track_running_stats):
            use_batch = self.training or self.running_mean is None
            return batch_norm(
                x, self.running_mean, self.running_var, self.weight, self.bias, use_batch,
                eps=self.eps,
            )  # fmt: skip
        mean, var, count = current_buffers(
            self, "running_mean", "running_var", "num_batches_tracked"
        )
        axes = (0, *range(2, x.ndim))
        batch_mean, batch_var = _batch_stats("batch_norm", x, axes)
        n = math.prod(x.shape[a] for a in axes)
        count = count + 1
        factor = 1.0 / count.astype(mean.dtype) if self.momentum is None else self.momentum
        record_buffers(
            self,
            running_mean=_running_update(mean, nr.reshape(batch_mean, (-1,)), factor, n, False),
            running_var=_running_update(var, nr.reshape(batch_var, (-1,)), factor, n, True),
            num_batches_tracked=count,
        )
        out = (x - batch_mean) / nr.sqrt(batch_var + self.eps)
        return _affine(out, self.weight, self.bias)


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, L)`` inputs.

    Examples
    --------
    >>> bn = nr.nn.BatchNorm1d(3)
    >>> out, state = nr.nn.apply_with_state(bn, nr.random.normal(nr.random.key(0), (8, 3)))
    >>> sorted(state)
    ['num_batches_tracked', 'running_mean', 'running_var']
    >>> bn = nr.nn.update_state(bn, state)
    """

    _ranks = (2, 3)
    _layout_text = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of ``(N, C, H, W)`` inputs."""

    _ranks = (4,)
    _layout_text = "(N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of ``(N, C, D, H, W)`` inputs."""

    _ranks = (5,)
    _layout_text = "(N, C, D, H, W)"


class _InstanceNorm(_NormBase):
    """InstanceNorm over the spatial dimensions; unbatched inputs (no N) are accepted."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    def __call__(self, input: Array) -> Array:  # noqa: A002
        x = nr.asarray(input)
        self._check_input(x)
        if x.ndim == self._unbatched:
            return self(nr.expand_dims(x, axis=0))[0]
        if not (self.training and self.track_running_stats):
            return instance_norm(
                x, self.running_mean, self.running_var, self.weight, self.bias,
                self.training or not self.track_running_stats, eps=self.eps,
            )  # fmt: skip
        mean, var = current_buffers(self, "running_mean", "running_var")
        axes = tuple(range(2, x.ndim))
        inst_mean, inst_var = _batch_stats("instance_norm", x, axes)
        n = math.prod(x.shape[a] for a in axes)
        factor = 0.0 if self.momentum is None else self.momentum  # PyTorch's rule
        record_buffers(
            self,
            running_mean=_running_update(
                mean, nr.mean(inst_mean, axis=(0, *axes)), factor, n, False
            ),
            running_var=_running_update(var, nr.mean(inst_var, axis=(0, *axes)), factor, n, True),
        )
        out = (x - inst_mean) / nr.sqrt(inst_var + self.eps)
        return _affine(out, self.weight, self.bias)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of ``(N, C, L)`` or ``(C, L)`` inputs."""

    _ranks = (2, 3)
    _unbatched = 2
    _layout_text = "(N, C, L) or (C, L)"


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of ``(N, C, H, W)`` or ``(C, H, W)`` inputs."""

    _ranks = (3, 4)
    _unbatched = 3
    _layout_text = "(N, C, H, W) or (C, H, W)"


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs."""

    _ranks = (4, 5)
    _unbatched = 4
    _layout_text = "(N, C, D, H, W) or (C, D, H, W)"


class LayerNorm(Module):
    """Normalisation over the trailing ``normalized_shape`` dimensions (weight 1, bias 0).

    Examples
    --------
    >>> nr.nn.LayerNorm(4)(nr.ones((2, 4))).shape
    (2, 4)
    """

    normalized_shape: tuple[int, ...]
    eps: float
    elementwise_affine: bool
    weight: Array | None
    bias: Array | None

    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        dtype = nr.float32 if dtype is None else dtype
        self.normalized_shape = _normalized_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        shape = self.normalized_shape
        affine = elementwise_affine
        self.weight = nr.ones(shape, dtype=dtype, device=device) if affine else None
        self.bias = nr.zeros(shape, dtype=dtype, device=device) if affine and bias else None

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)


class RMSNorm(Module):
    """Root-mean-square normalisation over the trailing ``normalized_shape`` dimensions."""

    normalized_shape: tuple[int, ...]
    eps: float | None
    elementwise_affine: bool
    weight: Array | None

    def __init__(
        self,
        normalized_shape: Any,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        dtype = nr.float32 if dtype is None else dtype
        self.normalized_shape = _normalized_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        shape = self.normalized_shape
        self.weight = nr.ones(shape, dtype=dtype, device=device) if elementwise_affine else None

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return rms_norm(input, self.normalized_shape, self.weight, self.eps)


class GroupNorm(Module):
    """Group normalisation of ``(N, C, *)`` inputs in ``num_groups`` groups of channels."""

    num_groups: int
    num_channels: int
    eps: float
    affine: bool
    weight: Array | None
    bias: Array | None

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if num_channels % num_groups:
            raise ValueError(
                f"GroupNorm: num_channels={num_channels} must be divisible by "
                f"num_groups={num_groups}"
            )
        dtype = nr.float32 if dtype is None else dtype
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        self.weight = nr.ones(num_channels, dtype=dtype, device=device) if affine else None
        self.bias = nr.zeros(num_channels, dtype=dtype, device=device) if affine else None

    def __call__(self, input: Array) -> Array:  # noqa: A002
        x = nr.asarray(input)
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ShapeError(
                f"argument 'input' expected shape (N, {self.num_channels}, *) (num_channels="
                f"{self.num_channels}), got {tuple(x.shape)}"
            )
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)
