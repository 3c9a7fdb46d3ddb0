"""Convolutions: ``conv1d/2d/3d``, ``conv_transpose1d/2d/3d`` and their layers.

One N-d implementation serves every rank. A convolution pads its input with ``nr.pad`` and
applies the ``conv`` primitive (windows against the weight, plus the bias); a transposed
convolution applies ``conv_transpose`` (the transpose of ``conv`` in its input) and crops the
padding. Their derivatives, of every order and in input, weight and bias, are the trio
``conv``, ``conv_transpose`` and ``conv_filter_grad`` again (see
:mod:`neurarust.nn.conv_ops`).

Layouts, argument names, defaults and initialisation follow PyTorch: ``weight`` is
``(out_channels, in_channels / groups, *kernel)`` (transposed: ``(in_channels,
out_channels / groups, *kernel)``), initialised by ``kaiming_uniform(a=sqrt(5))``, and
``bias`` by ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

import neurarust as nr

from ..core import dtypes
from ..core.array import Array
from ..core.errors import DTypeError, InvalidArgumentError, ShapeError
from ..core.opinfo import OpInfo, Sample, rand, register
from ..core.ops.arguments import promote_args
from . import init
from .conv_ops import conv, conv_transpose, out_size, reference_conv, reference_conv_transpose
from .module import Module

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
]

Ints = tuple[int, ...]
_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


# ------------------------------------------------------------------ argument checks


def int_tuple(op: str, name: str, value: Any, d: int, minimum: int) -> Ints:
    """``value`` (an int, or a sequence of 1 or ``d`` ints) as ``d`` ints ``>= minimum``."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        items: Ints = (int(value),) * d
    else:
        try:
            items = tuple(value)
        except TypeError:
            items = ()
        ok = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items)
        if not ok or len(items) not in (1, d):
            raise TypeError(
                f"{op}: argument '{name}' expected an int or a tuple of {d} ints, got {value!r}"
            )
        items = tuple(int(v) for v in items) * (d if len(items) == 1 else 1)
    if min(items) < minimum:
        raise InvalidArgumentError(
            f"{op}: argument '{name}' expected values >= {minimum}, got {value!r}"
        )
    return items


def layout(d: int, batched: bool = True) -> str:
    """``"(N, C, H, W)"``-style name of the input layout for ``d`` spatial dimensions."""
    return f"({'N, ' if batched else ''}C, {_SPATIAL[d]})"


def batched_input(op: str, x: Array, d: int, channels: int | None = None) -> tuple[Array, bool]:
    """``x`` with a batch dimension, and whether it had none (PyTorch accepts both).

    Raises a ShapeError naming the expected layout (and channel count) otherwise.
    """
    want = f"{d + 2}-D {layout(d)} or {d + 1}-D {layout(d, False)}"
    if channels is not None:
        want += f" with C={channels}"
    if x.ndim not in (d + 1, d + 2):
        raise ShapeError(f"{op}: argument 'input' expected {want}, got shape {tuple(x.shape)}")
    unbatched = x.ndim == d + 1
    if channels is not None and x.shape[0 if unbatched else 1] != channels:
        raise ShapeError(f"{op}: argument 'input' expected {want}, got shape {tuple(x.shape)}")
    return (nr.expand_dims(x, 0) if unbatched else x), unbatched


def float_arrays(op: str, names: Sequence[str], values: Sequence[Any]) -> list[Any]:
    """The non-None ``values`` promoted to one floating dtype (None stays None)."""
    present = [v for v in values if v is not None]
    arrays = iter(promote_args(op, *present))
    out = [None if v is None else next(arrays) for v in values]
    dtype = out[0].dtype
    if not dtypes.is_float(dtype):
        raise DTypeError(
            f"{op}: arguments {', '.join(repr(n) for n in names)} expected floating-point "
            f"arrays, got dtype {dtype}"
        )
    return out


def _check_weight(op: str, w: Array, d: int, what: str) -> None:
    if w.ndim != d + 2:
        raise ShapeError(f"{op}: argument 'weight' expected shape {what}, got {tuple(w.shape)}")


def _check_groups(op: str, groups: Any, **channels: int) -> int:
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise InvalidArgumentError(
            f"{op}: argument 'groups' expected a positive int, got {groups!r}"
        )
    for name, c in channels.items():
        if c % groups:
            raise InvalidArgumentError(
                f"{op}: {name} ({c}) expected to be divisible by groups ({groups})"
            )
    return int(groups)


def _check_bias(op: str, b: Array | None, channels: int) -> None:
    if b is not None and tuple(b.shape) != (channels,):
        raise ShapeError(
            f"{op}: argument 'bias' expected shape ({channels},) (out_channels), got "
            f"{tuple(b.shape)}"
        )


def conv_padding(
    op: str, padding: Any, kernel: Ints, stride: Ints, dilation: Ints
) -> tuple[tuple[int, int], ...]:
    """``(before, after)`` zero padding per spatial dimension for ``padding`` given as an int,
    a tuple, ``"valid"`` or ``"same"`` (the extra element of an odd total goes after, as in
    PyTorch)."""
    d = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * d
        if padding != "same":
            raise InvalidArgumentError(
                f"{op}: argument 'padding' expected an int, a tuple of ints, 'valid' or "
                f"'same', got {padding!r}"
            )
        if any(s != 1 for s in stride):
            raise InvalidArgumentError(
                f"{op}: padding='same' is not supported for strided convolutions, got stride "
                f"{stride}; pad explicitly or use stride=1"
            )
        totals = [di * (k - 1) for k, di in zip(kernel, dilation, strict=True)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in int_tuple(op, "padding", padding, d, 0))


def _check_out(op: str, size: Ints, padded: Ints, kernel: Ints, dilation: Ints, out: Ints) -> None:
    if min(out) < 1:
        span = tuple(di * (k - 1) + 1 for k, di in zip(kernel, dilation, strict=True))
        raise ShapeError(
            f"{op}: input spatial size {size} (padded: {padded}) is smaller than the dilated "
            f"kernel {span} (kernel {kernel}, dilation {dilation}), so the output size would "
            f"be {out}"
        )


# ------------------------------------------------------------------------ convolution


def _conv(
    op: str,
    d: int,
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: Any,
) -> Array:
    x, w, b = float_arrays(op, ("input", "weight", "bias"), (input, weight, bias))
    _check_weight(op, w, d, f"(out_channels, in_channels / groups, {_SPATIAL[d]}) ({d + 2}-D)")
    groups = _check_groups(op, groups, out_channels=w.shape[0])
    stride = int_tuple(op, "stride", stride, d, 1)
    dilation = int_tuple(op, "dilation", dilation, d, 1)
    kernel = tuple(w.shape[2:])
    pads = conv_padding(op, padding, kernel, stride, dilation)
    x, unbatched = batched_input(op, x, d, w.shape[1] * groups)
    _check_bias(op, b, w.shape[0])
    size = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads, strict=True))
    grid = out_size(size, kernel, stride, dilation)
    _check_out(op, tuple(x.shape[2:]), size, kernel, dilation, grid)
    if any(lo or hi for lo, hi in pads):
        x = nr.pad(x, ((0, 0), (0, 0), *pads))
    out = conv(x, w, b, stride, dilation, groups)
    return nr.squeeze(out, 0) if unbatched else out


def conv1d(
    input: Any,  # noqa: A002 - PyTorch's argument names
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Array:
    """1-D convolution (cross-correlation) of ``input (N, C_in, L)`` with ``weight
    (C_out, C_in / groups, k)``; ``padding`` is an int, a tuple, ``"valid"`` or ``"same"``.

    Examples
    --------
    >>> nr.nn.functional.conv1d(nr.ones((2, 3, 8)), nr.ones((4, 3, 3)), padding=1).shape
    (2, 4, 8)
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Array:
    """2-D convolution of ``input (N, C_in, H, W)`` (or ``(C_in, H, W)``) with ``weight
    (C_out, C_in / groups, kH, kW)`` and optional ``bias (C_out,)``.

    ``stride``, ``padding`` and ``dilation`` are ints or pairs; ``padding`` may also be
    ``"valid"`` (none) or ``"same"`` (output size = input size; stride 1 only). ``groups``
    splits the channels into independent convolutions.

    Examples
    --------
    >>> x = nr.ones((8, 3, 32, 32))
    >>> nr.nn.functional.conv2d(x, nr.ones((16, 3, 3, 3)), stride=2, padding=1).shape
    (8, 16, 16, 16)
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Array:
    """3-D convolution of ``input (N, C_in, D, H, W)`` with ``weight (C_out, C_in / groups,
    kD, kH, kW)``; arguments as in :func:`conv2d`."""
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


# ------------------------------------------------------------- transposed convolution


def _conv_transpose(
    op: str,
    d: int,
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: Any,
    dilation: Any,
) -> Array:
    x, w, b = float_arrays(op, ("input", "weight", "bias"), (input, weight, bias))
    _check_weight(op, w, d, f"(in_channels, out_channels / groups, {_SPATIAL[d]}) ({d + 2}-D)")
    groups = _check_groups(op, groups, in_channels=w.shape[0])
    stride = int_tuple(op, "stride", stride, d, 1)
    dilation = int_tuple(op, "dilation", dilation, d, 1)
    pads = int_tuple(op, "padding", padding, d, 0)
    extra = int_tuple(op, "output_padding", output_padding, d, 0)
    for e, s, di in zip(extra, stride, dilation, strict=True):
        if e >= s and e >= di:
            raise InvalidArgumentError(
                f"{op}: argument 'output_padding' expected values smaller than stride or "
                f"dilation, got output_padding={extra}, stride={stride}, dilation={dilation}"
            )
    x, unbatched = batched_input(op, x, d, w.shape[0])
    c_out = w.shape[1] * groups
    _check_bias(op, b, c_out)
    kernel = tuple(w.shape[2:])
    full = tuple(
        (n - 1) * s + di * (k - 1) + 1 + e
        for n, k, s, di, e in zip(x.shape[2:], kernel, stride, dilation, extra, strict=True)
    )
    size = tuple(f - 2 * p for f, p in zip(full, pads, strict=True))
    if min(size) < 1:
        raise ShapeError(
            f"{op}: input spatial size {tuple(x.shape[2:])} gives output size {size} with "
            f"kernel {kernel}, stride {stride}, padding {pads}, dilation {dilation} and "
            f"output_padding {extra}; expected every size >= 1"
        )
    out = conv_transpose(x, w, stride, dilation, groups, full)
    if any(pads):
        out = out[(Ellipsis, *(slice(p, f - p) for p, f in zip(pads, full, strict=True)))]
    if b is not None:
        out = out + nr.reshape(b, (-1,) + (1,) * d)
    return nr.squeeze(out, 0) if unbatched else out


def conv_transpose1d(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Array:
    """1-D transposed convolution ("deconvolution") of ``input (N, C_in, L)`` with ``weight
    (C_in, C_out / groups, k)``: the derivative of :func:`conv1d` with respect to its input.

    Examples
    --------
    >>> nr.nn.functional.conv_transpose1d(nr.ones((2, 4, 5)), nr.ones((4, 3, 3)), stride=2).shape
    (2, 3, 11)
    """
    return _conv_transpose(
        "conv_transpose1d",
        1,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


def conv_transpose2d(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Array:
    """2-D transposed convolution of ``input (N, C_in, H, W)`` with ``weight (C_in,
    C_out / groups, kH, kW)``.

    The output size is ``(H - 1) * stride - 2 * padding + dilation * (kH - 1) +
    output_padding + 1`` (likewise for W); ``output_padding`` (smaller than stride or
    dilation) picks among the sizes a strided :func:`conv2d` maps to the same input size.

    Examples
    --------
    >>> w = nr.ones((16, 8, 4, 4))
    >>> nr.nn.functional.conv_transpose2d(nr.ones((1, 16, 7, 7)), w, stride=2, padding=1).shape
    (1, 8, 14, 14)
    """
    return _conv_transpose(
        "conv_transpose2d",
        2,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


def conv_transpose3d(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Array:
    """3-D transposed convolution of ``input (N, C_in, D, H, W)`` with ``weight (C_in,
    C_out / groups, kD, kH, kW)``; arguments as in :func:`conv_transpose2d`."""
    return _conv_transpose(
        "conv_transpose3d",
        3,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


# ------------------------------------------------------------------------------ layers


def _init_params(
    name: str, shape: Ints, bias_size: int | None, device: Any, dtype: Any, key: Any
) -> tuple[Array, Array | None]:
    """PyTorch's default initialisation: ``kaiming_uniform(a=sqrt(5))`` for the weight and
    ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` (fan_in from the weight's layout) for the bias."""
    k_w, k_b = nr.random.split(init.as_key(key, name))
    dtype = nr.float32 if dtype is None else dtype
    weight = init.kaiming_uniform(k_w, shape, a=math.sqrt(5), dtype=dtype)
    fan_in = shape[1] * math.prod(shape[2:])
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    b = None if bias_size is None else init.uniform(k_b, (bias_size,), -bound, bound, dtype)
    return nr.asarray(weight, device=device), None if b is None else nr.asarray(b, device=device)


def _input_or_error(input: Any, d: int, channels: int) -> Array:  # noqa: A002
    """``input`` as an Array after checking its rank and channels (the message has no op
    name: the layer's type prefixes it)."""
    x = nr.asarray(input)
    want = f"{d + 2}-D {layout(d)} or {d + 1}-D {layout(d, False)} with C={channels}"
    if x.ndim not in (d + 1, d + 2) or x.shape[x.ndim - d - 1] != channels:
        raise ShapeError(f"input expected {want}, got shape {tuple(x.shape)}")
    return x


class _ConvNd(Module):
    """The hyper-parameters and parameters shared by the convolution layers."""

    in_channels: int
    out_channels: int
    kernel_size: Ints
    stride: Ints
    padding: Any
    dilation: Ints
    groups: int
    padding_mode: str
    weight: Array
    bias: Array | None

    def __init__(
        self,
        d: int,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: int,
        padding_mode: str,
    ) -> None:
        name = type(self).__name__
        for arg, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise InvalidArgumentError(
                    f"{name}: argument '{arg}' expected a positive int, got {value!r}"
                )
        groups = _check_groups(name, groups, in_channels=in_channels, out_channels=out_channels)
        if padding_mode not in PADDING_MODES:
            raise InvalidArgumentError(
                f"{name}: argument 'padding_mode' expected one of "
                f"{', '.join(map(repr, PADDING_MODES))}, got {padding_mode!r}"
            )
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = int_tuple(name, "kernel_size", kernel_size, d, 1)
        self.stride = int_tuple(name, "stride", stride, d, 1)
        self.dilation = int_tuple(name, "dilation", dilation, d, 1)
        self.padding = (
            padding if isinstance(padding, str) else int_tuple(name, "padding", padding, d, 0)
        )
        conv_padding(name, self.padding, self.kernel_size, self.stride, self.dilation)
        self.groups = groups
        self.padding_mode = padding_mode


class _Conv(_ConvNd):
    """A convolution layer of ``_d`` spatial dimensions (see :class:`Conv2d`)."""

    _d = 0

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        super().__init__(
            self._d,
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            padding_mode,
        )
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight, self.bias = _init_params(
            type(self).__name__, shape, self.out_channels if bias else None, device, dtype, key
        )

    def __call__(self, input: Any) -> Array:  # noqa: A002
        d = self._d
        x = _input_or_error(input, d, self.in_channels)
        padding = self.padding
        if self.padding_mode != "zeros":
            pads = conv_padding("input", padding, self.kernel_size, self.stride, self.dilation)
            x = nr.pad(x, (((0, 0),) * (x.ndim - d)) + pads, mode=self.padding_mode)
            padding = 0
        return _conv(
            f"conv{d}d",
            d,
            x,
            self.weight,
            self.bias,
            self.stride,
            padding,
            self.dilation,
            self.groups,
        )


class Conv1d(_Conv):
    """1-D convolution layer over ``(N, C_in, L)`` inputs; see :class:`Conv2d`.

    Examples
    --------
    >>> nr.nn.Conv1d(3, 8, 5, padding="same", key=0)(nr.ones((2, 3, 20))).shape
    (2, 8, 20)
    """

    _d = 1


class Conv2d(_Conv):
    """2-D convolution layer: ``out = conv2d(pad(x), weight) + bias``.

    ``weight`` is ``(out_channels, in_channels / groups, kH, kW)``. ``padding`` is an int, a
    pair, ``"valid"`` or ``"same"``; ``padding_mode`` is ``"zeros"``, ``"reflect"``,
    ``"replicate"`` or ``"circular"`` (non-zero modes pad with ``nr.pad`` first).

    Examples
    --------
    >>> conv = nr.nn.Conv2d(1, 16, 3, padding=1, key=0)
    >>> conv.weight.shape, conv(nr.ones((4, 1, 28, 28))).shape
    ((16, 1, 3, 3), (4, 16, 28, 28))
    """

    _d = 2


class Conv3d(_Conv):
    """3-D convolution layer over ``(N, C_in, D, H, W)`` inputs; see :class:`Conv2d`."""

    _d = 3


class _ConvTranspose(_ConvNd):
    """A transposed convolution layer of ``d`` spatial dimensions (see
    :class:`ConvTranspose2d`)."""

    output_padding: Ints
    _d = 0

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        d = self._d
        name = type(self).__name__
        if padding_mode != "zeros":
            raise InvalidArgumentError(
                f"{name}: argument 'padding_mode' expected 'zeros' (the only mode of "
                f"transposed convolutions), got {padding_mode!r}"
            )
        if isinstance(padding, str):
            raise InvalidArgumentError(
                f"{name}: argument 'padding' expected an int or a tuple of {d} ints, got "
                f"{padding!r}"
            )
        super().__init__(
            d,
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            padding_mode,
        )
        self.output_padding = int_tuple(name, "output_padding", output_padding, d, 0)
        shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        self.weight, self.bias = _init_params(
            name, shape, self.out_channels if bias else None, device, dtype, key
        )

    def __call__(self, input: Any, output_size: Sequence[int] | None = None) -> Array:  # noqa: A002
        d = self._d
        x = _input_or_error(input, d, self.in_channels)
        extra = self.output_padding
        if output_size is not None:
            extra = self._padding_for(tuple(x.shape[x.ndim - d :]), output_size)
        return _conv_transpose(
            f"conv_transpose{d}d",
            d,
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            extra,
            self.groups,
            self.dilation,
        )

    def _padding_for(self, size: Ints, output_size: Sequence[int]) -> Ints:
        """The ``output_padding`` that gives ``output_size`` (PyTorch's ``output_size``)."""
        d = self._d
        want = tuple(int(s) for s in output_size)[-d:]
        smallest = tuple(
            (n - 1) * s - 2 * p + di * (k - 1) + 1
            for n, s, p, di, k in zip(
                size, self.stride, self.padding, self.dilation, self.kernel_size, strict=True
            )
        )
        largest = tuple(m + s - 1 for m, s in zip(smallest, self.stride, strict=True))
        if len(want) != d or any(
            not lo <= w <= hi for w, lo, hi in zip(want, smallest, largest, strict=True)
        ):
            raise ShapeError(
                f"argument 'output_size' expected {d} sizes between {smallest} and {largest} "
                f"for input size {size}, got {tuple(output_size)}"
            )
        return tuple(w - lo for w, lo in zip(want, smallest, strict=True))


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution layer over ``(N, C_in, L)``; see :class:`ConvTranspose2d`."""

    _d = 1


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution layer (the input-gradient of :class:`Conv2d`).

    ``weight`` is ``(in_channels, out_channels / groups, kH, kW)``. Calling it with
    ``output_size=`` picks the ``output_padding`` that gives that size.

    Examples
    --------
    >>> up = nr.nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1, key=0)
    >>> up(nr.ones((1, 16, 7, 7))).shape
    (1, 8, 14, 14)
    """

    _d = 2


class ConvTranspose3d(_ConvTranspose):
    """3-D transposed convolution layer over ``(N, C_in, D, H, W)``; see
    :class:`ConvTranspose2d`."""

    _d = 3


# ------------------------------------------------------------------------- OpInfos


def _np_conv_nd(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> np.ndarray:
    d = w.ndim - 2
    kernel = w.shape[2:]
    stride = int_tuple("ref", "stride", stride, d, 1)
    dilation = int_tuple("ref", "dilation", dilation, d, 1)
    pads = conv_padding("ref", padding, kernel, stride, dilation)
    x = np.pad(x, ((0, 0), (0, 0), *pads))
    return reference_conv(x, w, b, stride=stride, dilation=dilation, groups=groups)


def _np_conv_transpose_nd(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> np.ndarray:
    d = w.ndim - 2
    stride, padding, extra, dilation = (
        int_tuple("ref", "arg", v, d, 0) for v in (stride, padding, output_padding, dilation)
    )
    full = tuple(
        (n - 1) * s + di * (k - 1) + 1 + e
        for n, k, s, di, e in zip(x.shape[2:], w.shape[2:], stride, dilation, extra, strict=True)
    )
    y = reference_conv_transpose(x, w, stride=stride, dilation=dilation, groups=groups, size=full)
    y = y[(Ellipsis, *(slice(p, f - p) for p, f in zip(padding, full, strict=True)))]
    return y if b is None else y + b.reshape((-1,) + (1,) * d)


def _conv_nd_samples(d: int) -> Any:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        out = []
        for padding in (int(rng.integers(0, 3)), str(rng.choice(["same", "valid"]))):
            groups = int(rng.choice([1, 2]))
            kernel = tuple(int(k) for k in rng.integers(1, 4, size=d))
            dilation = tuple(int(k) for k in rng.integers(1, 3, size=d))
            stride = 1 if padding == "same" else tuple(int(k) for k in rng.integers(1, 3, size=d))
            size = tuple(
                di * (k - 1) + int(rng.integers(1, 4))
                for k, di in zip(kernel, dilation, strict=True)
            )
            x = rand(rng, (2, 2 * groups, *size), dtype)
            w = rand(rng, (3 * groups, 2, *kernel), dtype)
            b = rand(rng, (3 * groups,), dtype) if rng.random() < 0.5 else None
            kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
            out.append(Sample((x, w, b), kwargs))
        return out

    return samples


def _conv_transpose_nd_samples(d: int) -> Any:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        out = []
        for _ in range(2):
            groups = int(rng.choice([1, 2]))
            kernel = tuple(int(k) for k in rng.integers(1, 4, size=d))
            stride = tuple(int(k) for k in rng.integers(1, 3, size=d))
            dilation = tuple(int(k) for k in rng.integers(1, 3, size=d))
            extra = tuple(
                int(rng.integers(0, max(s, di))) for s, di in zip(stride, dilation, strict=True)
            )
            padding = tuple(
                int(rng.integers(0, (di * (k - 1)) // 2 + 1))
                for k, di in zip(kernel, dilation, strict=True)
            )
            x = rand(rng, (2, 2 * groups, *rng.integers(1, 4, size=d)), dtype)
            w = rand(rng, (2 * groups, 3, *kernel), dtype)
            b = rand(rng, (3 * groups,), dtype) if rng.random() < 0.5 else None
            kwargs = {
                "stride": stride,
                "padding": padding,
                "output_padding": extra,
                "groups": groups,
                "dilation": dilation,
            }
            out.append(Sample((x, w, b), kwargs))
        return out

    return samples


register(
    *(
        OpInfo(f"conv{d}d", fn, _np_conv_nd, ("conv",), _conv_nd_samples(d), rtol=1e-4, atol=1e-5)
        for d, fn in ((1, conv1d), (2, conv2d), (3, conv3d))
    ),
    *(
        OpInfo(
            f"conv_transpose{d}d",
            fn,
            _np_conv_transpose_nd,
            ("conv_transpose",),
            _conv_transpose_nd_samples(d),
            rtol=1e-4,
            atol=1e-5,
        )
        for d, fn in ((1, conv_transpose1d), (2, conv_transpose2d), (3, conv_transpose3d))
    ),
)
