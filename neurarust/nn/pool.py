"""Pooling: ``max_pool1d/2d/3d``, ``avg_pool1d/2d/3d``, ``adaptive_avg_pool1d/2d/3d``,
``adaptive_max_pool1d/2d/3d`` and their layers (PyTorch's names, arguments and semantics).

One N-d implementation serves every rank. Max pooling pads with ``-inf`` and takes each
window's maximum with the ``window_max`` primitive, whose derivative sends the cotangent to
the first maximum of each window (PyTorch's tie rule); average pooling pads with zeros, sums
windows with ``window_sum`` and divides by the window count (``count_include_pad``,
``divisor_override``). Adaptive average pooling is a product of averaging matrices, one per
spatial dimension; adaptive max pooling gathers each (variable-size) window into a regular
grid and max-pools that.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

import neurarust as nr

from ..core import dtypes
from ..core.array import Array
from ..core.errors import DTypeError, InvalidArgumentError, ShapeError
from ..core.opinfo import OpInfo, Sample, rand, register
from ..core.ops.arguments import device_of
from .conv import batched_input, int_tuple
from .conv_ops import separated, window_max, window_sum
from .module import Module

__all__ = [
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
]

Ints = tuple[int, ...]


class _Windows:
    """Checked pooling geometry of one call: kernel, stride, padding, dilation, the output
    grid, and the padding ``(before, after)`` that makes every window (``ceil_mode`` ones
    too) fit inside the padded input."""

    def __init__(
        self,
        op: str,
        size: Ints,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        ceil_mode: bool,
    ) -> None:
        d = len(size)
        self.kernel = int_tuple(op, "kernel_size", kernel_size, d, 1)
        no_stride = stride is None or (isinstance(stride, (tuple, list)) and not stride)
        self.stride = self.kernel if no_stride else int_tuple(op, "stride", stride, d, 1)
        self.padding = int_tuple(op, "padding", padding, d, 0)
        self.dilation = int_tuple(op, "dilation", dilation, d, 1)
        if any(p > k // 2 for p, k in zip(self.padding, self.kernel, strict=True)):
            raise InvalidArgumentError(
                f"{op}: argument 'padding' expected at most half of kernel_size "
                f"{self.kernel}, got {self.padding}"
            )
        self.out = tuple(
            _pooled_size(n, k, s, p, di, ceil_mode)
            for n, k, s, p, di in zip(
                size, self.kernel, self.stride, self.padding, self.dilation, strict=True
            )
        )
        if min(self.out) < 1:
            raise ShapeError(
                f"{op}: input spatial size {size} gives output size {self.out} with kernel "
                f"{self.kernel}, stride {self.stride}, padding {self.padding} and dilation "
                f"{self.dilation}; expected every size >= 1"
            )
        self.widths = tuple(
            (p, max(p, (o - 1) * s + di * (k - 1) + 1 - p - n))
            for n, k, s, p, di, o in zip(
                size,
                self.kernel,
                self.stride,
                self.padding,
                self.dilation,
                self.out,
                strict=True,
            )
        )


def _pooled_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's ``pooling_output_shape``: with ``ceil_mode`` a last partial window counts
    unless it would start in the right padding."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _pool_input(op: str, input: Any, d: int, floats_only: bool) -> tuple[Array, bool]:  # noqa: A002
    x = nr.asarray(input)
    ok = dtypes.is_float(x.dtype) or (not floats_only and x.dtype.kind in "iu")
    if not ok:
        kind = "floating-point" if floats_only else "real (integer or floating-point)"
        raise DTypeError(f"{op}: argument 'input' expected a {kind} array, got dtype {x.dtype}")
    return batched_input(op, x, d)


def _lowest(dtype: np.dtype) -> Any:
    """The padding value of max pooling: ``-inf``, or the smallest integer."""
    return -math.inf if dtype.kind in "fV" else int(np.iinfo(dtype).min)


# ------------------------------------------------------------------------ max pooling


def _max_pool(
    op: str,
    d: int,
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    return_indices: bool,
) -> Any:
    x, unbatched = _pool_input(op, input, d, floats_only=False)
    size = tuple(x.shape[2:])
    win = _Windows(op, size, kernel_size, stride, padding, dilation, ceil_mode)
    padded = nr.pad(x, ((0, 0), (0, 0), *win.widths), value=_lowest(x.dtype))
    out, arg = window_max(padded, win.kernel, win.stride, win.dilation)
    if unbatched:
        out, arg = nr.squeeze(out, 0), nr.squeeze(arg, 0)
    if not return_indices:
        return out
    positions = [
        nr.reshape(nr.arange(o) * s - p, (o,) + (1,) * (d - 1 - i))
        for i, (o, s, p) in enumerate(zip(win.out, win.stride, win.padding, strict=True))
    ]
    return out, _flat_indices(arg, win.kernel, win.dilation, positions, size)


def _flat_indices(
    arg: Array, kernel: Ints, dilation: Ints, starts: list[Array], size: Ints
) -> Array:
    """Row-major indices into the input's spatial dimensions (PyTorch's ``return_indices``)
    of the elements at window offsets ``arg``, for windows starting at ``starts`` (one
    broadcastable array per spatial dimension)."""
    arg = nr.astype(arg, nr.int64)
    flat = nr.zeros((), dtype=nr.int64)
    inner = math.prod(kernel)
    for i, (k, di) in enumerate(zip(kernel, dilation, strict=True)):
        inner //= k
        position = starts[i] + (arg // inner) % k * di
        flat = flat * size[i] + position
    return flat


def max_pool1d(
    input: Any,  # noqa: A002 - PyTorch's argument names
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """1-D max pooling of ``(N, C, L)`` (or ``(C, L)``); see :func:`max_pool2d`."""
    return _max_pool(
        "max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool2d(
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """2-D max pooling of ``(N, C, H, W)`` (or ``(C, H, W)``) inputs.

    ``stride`` defaults to ``kernel_size``; ``padding`` (at most half the kernel) counts as
    ``-inf``; ``ceil_mode`` keeps a last partial window. The gradient goes to the first
    maximum of each window. With ``return_indices`` it returns ``(out, indices)``, the
    indices into each flattened ``H * W`` input plane (as PyTorch, for ``max_unpool``).

    Examples
    --------
    >>> nr.nn.functional.max_pool2d(nr.ones((1, 3, 28, 28)), 2).shape
    (1, 3, 14, 14)
    """
    return _max_pool(
        "max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool3d(
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """3-D max pooling of ``(N, C, D, H, W)`` inputs; see :func:`max_pool2d`."""
    return _max_pool(
        "max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


# -------------------------------------------------------------------- average pooling


def _window_counts(win: _Windows, size: Ints, include_pad: bool) -> np.ndarray:
    """How many elements each window averages (PyTorch's rule: windows are clipped to the
    padded input, and to the input itself unless ``include_pad``), as a grid of counts."""
    counts = np.ones(win.out)
    for i, (n, k, s, p, o) in enumerate(
        zip(size, win.kernel, win.stride, win.padding, win.out, strict=True)
    ):
        start = np.arange(o) * s - p
        stop = np.minimum(start + k, n + p)
        if not include_pad:
            start, stop = np.maximum(start, 0), np.minimum(stop, n)
        counts = counts * (stop - start).reshape((o,) + (1,) * (len(size) - 1 - i))
    return counts


def _avg_pool(
    op: str,
    d: int,
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Any,
) -> Array:
    x, unbatched = _pool_input(op, input, d, floats_only=True)
    size = tuple(x.shape[2:])
    win = _Windows(op, size, kernel_size, stride, padding, 1, ceil_mode)
    padded = nr.pad(x, ((0, 0), (0, 0), *win.widths))
    total = window_sum(padded, win.kernel, win.stride, win.dilation)
    if divisor_override is not None:
        if (
            isinstance(divisor_override, bool)
            or not isinstance(divisor_override, int)
            or (divisor_override == 0)
        ):
            raise InvalidArgumentError(
                f"{op}: argument 'divisor_override' expected a non-zero int, got "
                f"{divisor_override!r}"
            )
        out = total / divisor_override
    else:
        counts = _window_counts(win, size, count_include_pad)
        out = total / nr.asarray(counts, dtype=x.dtype, device=device_of(x))
    return nr.squeeze(out, 0) if unbatched else out


def avg_pool1d(
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Array:
    """1-D average pooling of ``(N, C, L)`` (or ``(C, L)``); see :func:`avg_pool2d`."""
    return _avg_pool(
        "avg_pool1d",
        1,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def avg_pool2d(
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Array:
    """2-D average pooling of ``(N, C, H, W)`` (or ``(C, H, W)``) inputs.

    Zero padding counts in the divisor when ``count_include_pad`` (windows of ``ceil_mode``
    that reach past the padding count only what they cover); ``divisor_override`` replaces
    the divisor.

    Examples
    --------
    >>> nr.nn.functional.avg_pool2d(nr.ones((1, 1, 4, 4)), 2).tolist()
    [[[[1.0, 1.0], [1.0, 1.0]]]]
    """
    return _avg_pool(
        "avg_pool2d",
        2,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def avg_pool3d(
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Array:
    """3-D average pooling of ``(N, C, D, H, W)`` inputs; see :func:`avg_pool2d`."""
    return _avg_pool(
        "avg_pool3d",
        3,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


# ------------------------------------------------------------------- adaptive pooling


def _adaptive_size(op: str, output_size: Any, size: Ints) -> Ints:
    """``output_size`` (an int or a tuple whose None entries keep the input size) as ints."""
    d = len(size)
    items = (output_size,) * d if not isinstance(output_size, (tuple, list)) else output_size
    items = tuple(items) * (d if len(items) == 1 else 1)
    ok = len(items) == d and all(
        v is None or (isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1)
        for v in items
    )
    if not ok:
        raise InvalidArgumentError(
            f"{op}: argument 'output_size' expected a positive int or a tuple of {d} positive "
            f"ints (or None), got {output_size!r}"
        )
    return tuple(n if v is None else int(v) for v, n in zip(items, size, strict=True))


def _bounds(n: int, o: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive windows: ``[floor(i * n / o), ceil((i + 1) * n / o))``."""
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)


def _adaptive_avg_pool(op: str, d: int, input: Any, output_size: Any) -> Array:  # noqa: A002
    x, unbatched = _pool_input(op, input, d, floats_only=True)
    size = tuple(x.shape[2:])
    out = _adaptive_size(op, output_size, size)
    if all(n % o == 0 for n, o in zip(size, out, strict=True)):
        kernel = tuple(n // o for n, o in zip(size, out, strict=True))
        y = window_sum(x, kernel, kernel, (1,) * d) / math.prod(kernel)
    else:
        letters = "abcdefgh"[:d]
        outs = "ijklmnop"[:d]
        mats = []
        for n, o in zip(size, out, strict=True):
            start, stop = _bounds(n, o)
            cols = np.arange(n)
            inside = (cols >= start[:, None]) & (cols < stop[:, None])
            mats.append(
                nr.asarray(inside / (stop - start)[:, None], dtype=x.dtype, device=device_of(x))
            )
        spec = (
            f"...{letters},"
            + ",".join(f"{i}{a}" for i, a in zip(outs, letters, strict=True))
            + f"->...{outs}"
        )
        y = nr.einsum(spec, x, *mats)
    return nr.squeeze(y, 0) if unbatched else y


def _adaptive_max_pool(
    op: str,
    d: int,
    input: Any,  # noqa: A002
    output_size: Any,
    return_indices: bool,
) -> Any:
    x, unbatched = _pool_input(op, input, d, floats_only=False)
    size = tuple(x.shape[2:])
    out = _adaptive_size(op, output_size, size)
    tables = []
    for n, o in zip(size, out, strict=True):
        start, stop = _bounds(n, o)
        length = int((stop - start).max())
        tables.append(np.minimum(start[:, None] + np.arange(length), stop[:, None] - 1))
    kernel = tuple(t.shape[1] for t in tables)
    gathered = x
    for i, (n, o, t) in enumerate(zip(size, out, tables, strict=True)):
        if n % o:  # windows of unequal length: gather them into a regular grid
            gathered = nr.take(gathered, nr.asarray(t.reshape(-1)), axis=2 + i)
    y, arg = window_max(gathered, kernel, kernel, (1,) * d)
    if unbatched:
        y, arg = nr.squeeze(y, 0), nr.squeeze(arg, 0)
    if not return_indices:
        return y
    return y, _adaptive_indices(arg, tables, size)


def _adaptive_indices(arg: Array, tables: list[np.ndarray], size: Ints) -> Array:
    """Flat input indices of the chosen elements: offset ``arg`` in window ``o`` is
    ``tables[i][o_i, l_i]`` along each spatial dimension."""
    d = len(tables)
    arg = nr.astype(arg, nr.int64)
    inner = math.prod(t.shape[1] for t in tables)
    flat = nr.zeros((), dtype=nr.int64)
    for i, t in enumerate(tables):
        o, length = t.shape
        inner //= length
        step = (arg // inner) % length
        rows = nr.reshape(nr.arange(o), (o,) + (1,) * (d - 1 - i))
        position = nr.asarray(t)[rows, step]
        flat = flat * size[i] + position
    return flat


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Array:  # noqa: A002
    """Average pooling of ``(N, C, L)`` to length ``output_size`` with PyTorch's windows."""
    return _adaptive_avg_pool("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Array:  # noqa: A002
    """Average pooling of ``(N, C, H, W)`` to ``output_size`` (an int, or a pair whose None
    entries keep the input size); window ``i`` of ``n`` inputs to ``o`` outputs covers
    ``[floor(i n / o), ceil((i + 1) n / o))``.

    Examples
    --------
    >>> nr.nn.functional.adaptive_avg_pool2d(nr.ones((2, 8, 7, 9)), (3, None)).shape
    (2, 8, 3, 9)
    """
    return _adaptive_avg_pool("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input: Any, output_size: Any) -> Array:  # noqa: A002
    """Average pooling of ``(N, C, D, H, W)`` to ``output_size``; see
    :func:`adaptive_avg_pool2d`."""
    return _adaptive_avg_pool("adaptive_avg_pool3d", 3, input, output_size)


def adaptive_max_pool1d(input: Any, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """Max pooling of ``(N, C, L)`` to length ``output_size``; see
    :func:`adaptive_max_pool2d`."""
    return _adaptive_max_pool("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Any, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """Max pooling of ``(N, C, H, W)`` to ``output_size`` with the windows of
    :func:`adaptive_avg_pool2d`; ``return_indices`` also returns flat ``H * W`` indices.

    Examples
    --------
    >>> nr.nn.functional.adaptive_max_pool2d(nr.ones((2, 8, 7, 9)), 4).shape
    (2, 8, 4, 4)
    """
    return _adaptive_max_pool("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Any, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """Max pooling of ``(N, C, D, H, W)`` to ``output_size``; see
    :func:`adaptive_max_pool2d`."""
    return _adaptive_max_pool("adaptive_max_pool3d", 3, input, output_size, return_indices)


# ------------------------------------------------------------------------------ layers


class _MaxPool(Module):
    """Max pooling over ``_d`` spatial dimensions (see :func:`max_pool2d`)."""

    kernel_size: Any
    stride: Any
    padding: Any
    dilation: Any
    return_indices: bool
    ceil_mode: bool
    _d = 0

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        name = type(self).__name__
        int_tuple(name, "kernel_size", kernel_size, self._d, 1)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.dilation = dilation
        self.return_indices = bool(return_indices)
        self.ceil_mode = bool(ceil_mode)

    def __call__(self, input: Any) -> Any:  # noqa: A002
        d = self._d
        return _max_pool(
            f"max_pool{d}d",
            d,
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )


class MaxPool1d(_MaxPool):
    """1-D max pooling layer; see :func:`max_pool1d`."""

    _d = 1


class MaxPool2d(_MaxPool):
    """2-D max pooling layer; see :func:`max_pool2d`.

    Examples
    --------
    >>> nr.nn.MaxPool2d(2)(nr.ones((8, 16, 28, 28))).shape
    (8, 16, 14, 14)
    """

    _d = 2


class MaxPool3d(_MaxPool):
    """3-D max pooling layer; see :func:`max_pool3d`."""

    _d = 3


class _AvgPool(Module):
    """Average pooling over ``_d`` spatial dimensions (see :func:`avg_pool2d`)."""

    kernel_size: Any
    stride: Any
    padding: Any
    ceil_mode: bool
    count_include_pad: bool
    divisor_override: int | None
    _d = 0

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        int_tuple(type(self).__name__, "kernel_size", kernel_size, self._d, 1)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = bool(ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        self.divisor_override = divisor_override

    def __call__(self, input: Any) -> Array:  # noqa: A002
        d = self._d
        return _avg_pool(
            f"avg_pool{d}d",
            d,
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )


class AvgPool1d(_AvgPool):
    """1-D average pooling layer; see :func:`avg_pool1d`."""

    _d = 1


class AvgPool2d(_AvgPool):
    """2-D average pooling layer; see :func:`avg_pool2d`.

    Examples
    --------
    >>> nr.nn.AvgPool2d(3, stride=2, padding=1)(nr.ones((1, 4, 8, 8))).shape
    (1, 4, 4, 4)
    """

    _d = 2


class AvgPool3d(_AvgPool):
    """3-D average pooling layer; see :func:`avg_pool3d`."""

    _d = 3


class _AdaptiveAvgPool(Module):
    """Adaptive average pooling over ``_d`` spatial dimensions."""

    output_size: Any
    _d = 0

    def __init__(self, output_size: Any) -> None:
        self.output_size = output_size

    def __call__(self, input: Any) -> Array:  # noqa: A002
        d = self._d
        return _adaptive_avg_pool(f"adaptive_avg_pool{d}d", d, input, self.output_size)


class AdaptiveAvgPool1d(_AdaptiveAvgPool):
    """1-D adaptive average pooling layer; see :func:`adaptive_avg_pool1d`."""

    _d = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPool):
    """2-D adaptive average pooling layer; see :func:`adaptive_avg_pool2d`.

    Examples
    --------
    >>> nr.nn.AdaptiveAvgPool2d(1)(nr.ones((8, 512, 7, 7))).shape
    (8, 512, 1, 1)
    """

    _d = 2


class AdaptiveAvgPool3d(_AdaptiveAvgPool):
    """3-D adaptive average pooling layer; see :func:`adaptive_avg_pool3d`."""

    _d = 3


class _AdaptiveMaxPool(Module):
    """Adaptive max pooling over ``_d`` spatial dimensions."""

    output_size: Any
    return_indices: bool
    _d = 0

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        self.output_size = output_size
        self.return_indices = bool(return_indices)

    def __call__(self, input: Any) -> Any:  # noqa: A002
        d = self._d
        return _adaptive_max_pool(
            f"adaptive_max_pool{d}d", d, input, self.output_size, self.return_indices
        )


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """1-D adaptive max pooling layer; see :func:`adaptive_max_pool1d`."""

    _d = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """2-D adaptive max pooling layer; see :func:`adaptive_max_pool2d`."""

    _d = 2


class AdaptiveMaxPool3d(_AdaptiveMaxPool):
    """3-D adaptive max pooling layer; see :func:`adaptive_max_pool3d`."""

    _d = 3


# ------------------------------------------------------------------------- OpInfos
# NumPy references: padded inputs scanned offset by offset, and loops over the output for
# the adaptive windows.


def _np_geometry(
    x: np.ndarray, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool
) -> _Windows:
    return _Windows("ref", x.shape[2:], kernel_size, stride, padding, dilation, ceil_mode)


def _np_max_pool(
    x: np.ndarray,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    win = _np_geometry(x, kernel_size, stride, padding, dilation, ceil_mode)
    padded = np.pad(x, ((0, 0), (0, 0), *win.widths), constant_values=_lowest(x.dtype))
    flat = np.arange(math.prod(x.shape[2:])).reshape(x.shape[2:])
    where = np.pad(flat, win.widths, constant_values=-1)
    values, places = [], []
    for k in itertools.product(*(range(k) for k in win.kernel)):
        index = tuple(
            slice(j * di, j * di + (o - 1) * s + 1, s)
            for j, o, s, di in zip(k, win.out, win.stride, win.dilation, strict=True)
        )
        values.append(padded[(Ellipsis, *index)])
        places.append(where[index])
    stacked = np.stack(values)
    best = stacked.argmax(axis=0)
    out = np.take_along_axis(stacked, best[None], axis=0)[0]
    indices = np.stack(np.broadcast_arrays(*places, subok=True))[best, *np.indices(win.out)]
    return (out, indices.astype(np.int64)) if return_indices else out


def _np_avg_pool(
    x: np.ndarray,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    win = _np_geometry(x, kernel_size, stride, padding, 1, ceil_mode)
    padded = np.pad(x, ((0, 0), (0, 0), *win.widths))
    real = np.pad(np.ones(x.shape[2:]), win.widths)
    covered = np.pad(np.ones(x.shape[2:]), [(p, p) for p in win.padding], constant_values=1)
    covered = np.pad(
        covered, [(0, hi - p) for (_, hi), p in zip(win.widths, win.padding, strict=True)]
    )
    total = np.zeros(x.shape[:2] + win.out)
    counts = np.zeros(win.out)
    for k in itertools.product(*(range(k) for k in win.kernel)):
        index = tuple(
            slice(j, j + (o - 1) * s + 1, s) for j, o, s in zip(k, win.out, win.stride, strict=True)
        )
        total += padded[(Ellipsis, *index)]
        counts += (covered if count_include_pad else real)[index]
    divisor = divisor_override if divisor_override is not None else counts
    return (total / divisor).astype(x.dtype)


def _np_adaptive(reduce: str) -> Any:
    def ref(x: np.ndarray, output_size: Any, return_indices: bool = False) -> Any:
        size = x.shape[2:]
        out_shape = _adaptive_size("ref", output_size, size)
        out = np.zeros(x.shape[:2] + out_shape, dtype=x.dtype)
        indices = np.zeros(x.shape[:2] + out_shape, dtype=np.int64)
        flat = np.arange(math.prod(size)).reshape(size)
        for o in itertools.product(*(range(n) for n in out_shape)):
            box = tuple(
                slice(i * n // m, -(-(i + 1) * n // m))
                for i, n, m in zip(o, size, out_shape, strict=True)
            )
            window = x[(Ellipsis, *box)].reshape(*x.shape[:2], -1)
            if reduce == "mean":
                out[(Ellipsis, *o)] = window.mean(axis=-1)
            else:
                best = window.argmax(axis=-1)
                out[(Ellipsis, *o)] = np.take_along_axis(window, best[..., None], -1)[..., 0]
                indices[(Ellipsis, *o)] = flat[box].reshape(-1)[best]
        return (out, indices) if return_indices else out

    return ref


def _pool_samples(d: int, kind: str) -> Any:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        out = []
        for ceil_mode in (False, True):
            kernel = tuple(int(k) for k in rng.integers(1, 4, size=d))
            stride = tuple(int(k) for k in rng.integers(1, 4, size=d))
            padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
            dilation = tuple(int(k) for k in rng.integers(1, 3, size=d)) if kind == "max" else 1
            span = [
                di * (k - 1) + 1
                for k, di in zip(kernel, int_tuple("", "", dilation, d, 1), strict=True)
            ]
            size = tuple(s + int(rng.integers(0, 4)) for s in span)
            x = (separated if kind == "max" else rand)(rng, (2, 3, *size), dtype)
            kwargs: dict[str, Any] = {"stride": stride, "padding": padding, "ceil_mode": ceil_mode}
            if kind == "max":
                kwargs.update(dilation=dilation, return_indices=bool(rng.random() < 0.5))
            else:
                kwargs.update(count_include_pad=bool(rng.random() < 0.5))
                if rng.random() < 0.3:
                    kwargs["divisor_override"] = int(rng.integers(1, 5))
            out.append(Sample((x, kernel), kwargs))
        return out

    return samples


def _adaptive_samples(d: int, kind: str) -> Any:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        size = tuple(int(n) for n in rng.integers(1, 7, size=d))
        x = (separated if kind == "max" else rand)(rng, (2, 3, *size), dtype)
        target = tuple(int(rng.integers(1, n + 2)) for n in size)
        extra = {"return_indices": True} if kind == "max" else {}
        return [Sample((x, target), extra), Sample((x, 1))]

    return samples


def _values_only(fn: Any) -> Any:
    return lambda *args, **kwargs: fn(*args, **{**kwargs, "return_indices": False})


register(
    *(
        OpInfo(
            f"max_pool{d}d", fn, _np_max_pool, ("window_max",), _pool_samples(d, "max"), grad=False
        )
        for d, fn in ((1, max_pool1d), (2, max_pool2d), (3, max_pool3d))
    ),
    *(
        OpInfo(
            f"max_pool{d}d_values",
            _values_only(fn),
            _values_only(_np_max_pool),
            ("window_max",),
            _pool_samples(d, "max"),
        )
        for d, fn in ((1, max_pool1d), (2, max_pool2d))
    ),
    *(
        OpInfo(f"avg_pool{d}d", fn, _np_avg_pool, ("window_sum",), _pool_samples(d, "avg"))
        for d, fn in ((1, avg_pool1d), (2, avg_pool2d), (3, avg_pool3d))
    ),
    *(
        OpInfo(f"adaptive_avg_pool{d}d", fn, _np_adaptive("mean"), (), _adaptive_samples(d, "avg"))
        for d, fn in ((1, adaptive_avg_pool1d), (2, adaptive_avg_pool2d), (3, adaptive_avg_pool3d))
    ),
    *(
        OpInfo(
            f"adaptive_max_pool{d}d",
            fn,
            _np_adaptive("max"),
            ("window_max",),
            _adaptive_samples(d, "max"),
            grad=False,
        )
        for d, fn in ((1, adaptive_max_pool1d), (2, adaptive_max_pool2d), (3, adaptive_max_pool3d))
    ),
    OpInfo(
        "adaptive_max_pool2d_values",
        _values_only(adaptive_max_pool2d),
        _values_only(_np_adaptive("max")),
        ("window_max",),
        _adaptive_samples(2, "max"),
    ),
)
