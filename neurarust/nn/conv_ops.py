"""Window primitives behind convolution and pooling, for any number of spatial dimensions.

Arrays are ``(*lead, *spatial)``: the last ``d = len(kernel)`` dimensions are spatial and the
leading ones (batch, channels) are carried along. Inputs arrive already padded (the public
functions pad with ``nr.pad``), so the primitives know nothing about padding. Window ``o``
(a position of the output grid) holds the input elements ``o * stride + k * dilation`` for
every kernel offset ``k``.

- ``conv_unfold`` (im2col): ``cols[..., k, o] = x[..., o * stride + k * dilation]``, shape
  ``(*lead, *kernel, *out)``; linear, its transpose is ``conv_fold``.
- ``conv_fold`` (col2im): each column added back at its window position, into an array of
  spatial ``size``; linear, its transpose is ``conv_unfold``.
- ``window_sum``: the sum of each window (average pooling); linear, its transpose is
  ``conv_fold`` of the cotangent broadcast over the kernel offsets.
- ``window_max``: the maximum of each window and the offset of its first maximum (NaN counts
  as the largest, as in PyTorch); its derivatives route through
- ``window_take`` (each window's element at a given offset; linear in the array) and
- ``window_put`` (its transpose: values added at those offsets, zeros elsewhere).

A convolution is ``conv_unfold`` followed by a matmul, so its derivatives of every order are
these primitives and matmul again.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..core.array import Array, wrap
from ..core.backend import namespace
from ..core.opinfo import OpInfo, Sample, rand, register
from ..core.ops import broadcast_to, reshape
from ..core.primitive import Primitive, ShapedArray
from ..core.ops.rules import linear

__all__ = [
    "out_size",
    "unfold",
    "fold",
    "window_sum",
    "window_max",
    "window_take",
    "window_put",
]

Ints = tuple[int, ...]


def out_size(size: Ints, kernel: Ints, stride: Ints, dilation: Ints) -> Ints:
    """How many whole windows fit along each spatial dimension of ``size``."""
    return tuple(
        (n - d * (k - 1) - 1) // s + 1
        for n, k, s, d in zip(size, kernel, stride, dilation, strict=True)
    )


def _offsets(kernel: Ints) -> Iterator[Ints]:
    """Every kernel offset, in row-major order (the order of PyTorch's window scan)."""
    return itertools.product(*(range(k) for k in kernel))


def _window(offset: Ints, out: Ints, stride: Ints, dilation: Ints) -> tuple[Any, ...]:
    """The index of the input elements at ``offset`` in every window: strided slices."""
    return (
        Ellipsis,
        *(
            slice(j * d, j * d + (o - 1) * s + 1, s)
            for j, o, s, d in zip(offset, out, stride, dilation, strict=True)
        ),
    )


def _overlap_free(kernel: Ints, stride: Ints, dilation: Ints) -> bool:
    """Whether no input element belongs to two windows (then scatters can assign)."""
    return all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation, strict=True))


# ------------------------------------------------------------------ unfold and fold


def _unfold_kernel(x: Any, *, kernel: Ints, stride: Ints, dilation: Ints) -> Any:
    xp = namespace(x)
    d = len(kernel)
    out = out_size(x.shape[-d:], kernel, stride, dilation)
    spatial = x.strides[-d:]
    view = xp.lib.stride_tricks.as_strided(
        x,
        x.shape[:-d] + kernel + out,
        x.strides[:-d]
        + tuple(st * di for st, di in zip(spatial, dilation, strict=True))
        + tuple(st * sd for st, sd in zip(spatial, stride, strict=True)),
    )
    return xp.ascontiguousarray(view)


def _unfold_shape(x: ShapedArray, *, kernel: Ints, stride: Ints, dilation: Ints) -> ShapedArray:
    d = len(kernel)
    out = out_size(x.shape[-d:], kernel, stride, dilation)
    return ShapedArray(tuple(x.shape[:-d]) + kernel + out, x.dtype)


def _fold_kernel(cols: Any, *, kernel: Ints, stride: Ints, dilation: Ints, size: Ints) -> Any:
    xp = namespace(cols)
    d = len(kernel)
    out = cols.shape[cols.ndim - d :]
    x = xp.zeros(cols.shape[: cols.ndim - 2 * d] + size, dtype=cols.dtype)
    assign = _overlap_free(kernel, stride, dilation)
    for k in _offsets(kernel):
        window = _window(k, out, stride, dilation)
        if assign:
            x[window] = cols[(Ellipsis, *k) + (slice(None),) * d]
        else:
            x[window] += cols[(Ellipsis, *k) + (slice(None),) * d]
    return x


def _fold_shape(
    cols: ShapedArray, *, kernel: Ints, stride: Ints, dilation: Ints, size: Ints
) -> ShapedArray:
    return ShapedArray(tuple(cols.shape[: len(cols.shape) - 2 * len(kernel)]) + size, cols.dtype)


unfold_p = linear(
    Primitive("conv_unfold", _unfold_kernel, _unfold_shape),
    lambda g, out, x, *, kernel, stride, dilation: fold(
        g, kernel, stride, dilation, tuple(x.shape[len(x.shape) - len(kernel) :])
    ),
)
fold_p = linear(
    Primitive("conv_fold", _fold_kernel, _fold_shape),
    lambda g, out, cols, *, kernel, stride, dilation, size: unfold(g, kernel, stride, dilation),
)


def unfold(x: Array, kernel: Ints, stride: Ints, dilation: Ints) -> Array:
    """im2col: ``(*lead, *spatial)`` to windows ``(*lead, *kernel, *out)`` (a copy)."""
    if x.__class__ is Array:
        return wrap(_unfold_kernel(x._v, kernel=kernel, stride=stride, dilation=dilation))
    return unfold_p.bind(x, kernel=kernel, stride=stride, dilation=dilation)


def fold(cols: Array, kernel: Ints, stride: Ints, dilation: Ints, size: Ints) -> Array:
    """col2im: windows ``(*lead, *kernel, *out)`` summed back into ``(*lead, *size)``."""
    params = {"kernel": kernel, "stride": stride, "dilation": dilation, "size": size}
    if cols.__class__ is Array:
        return wrap(_fold_kernel(cols._v, **params))
    return fold_p.bind(cols, **params)


# ------------------------------------------------------------------------ window sum


def _accumulator(dtype: np.dtype) -> np.dtype:
    """Sums of 16-bit floats accumulate in float32 (as PyTorch's pooling kernels do)."""
    return np.dtype(np.float32) if dtype.itemsize < 4 else dtype


def _window_sum_kernel(x: Any, *, kernel: Ints, stride: Ints, dilation: Ints) -> Any:
    xp = namespace(x)
    d = len(kernel)
    out = out_size(x.shape[-d:], kernel, stride, dilation)
    acc = xp.zeros(x.shape[:-d] + out, dtype=_accumulator(x.dtype))
    for k in _offsets(kernel):
        acc += x[_window(k, out, stride, dilation)]
    return acc.astype(x.dtype, copy=False)


def _window_sum_shape(x: ShapedArray, *, kernel: Ints, stride: Ints, dilation: Ints) -> ShapedArray:
    d = len(kernel)
    return ShapedArray(
        tuple(x.shape[:-d]) + out_size(x.shape[-d:], kernel, stride, dilation), x.dtype
    )


def _window_sum_transpose(
    g: Array, out: Any, x: Any, *, kernel: Ints, stride: Ints, dilation: Ints
) -> Array:
    d = len(kernel)
    lead, grid = tuple(g.shape[:-d]), tuple(g.shape[-d:])
    spread = broadcast_to(reshape(g, lead + (1,) * d + grid), lead + kernel + grid)
    return fold(spread, kernel, stride, dilation, tuple(x.shape[len(x.shape) - d :]))


window_sum_p = linear(
    Primitive("window_sum", _window_sum_kernel, _window_sum_shape), _window_sum_transpose
)


def window_sum(x: Array, kernel: Ints, stride: Ints, dilation: Ints) -> Array:
    """The sum of each window: ``(*lead, *spatial)`` to ``(*lead, *out)``."""
    if x.__class__ is Array:
        return wrap(_window_sum_kernel(x._v, kernel=kernel, stride=stride, dilation=dilation))
    return window_sum_p.bind(x, kernel=kernel, stride=stride, dilation=dilation)


# ------------------------------------------------------------------------ window max


def offset_dtype(kernel: Ints) -> np.dtype:
    """The smallest integer dtype that holds every kernel offset index."""
    n = math.prod(kernel)
    for dt in (np.int8, np.int16, np.int32):
        if n <= np.iinfo(dt).max:
            return np.dtype(dt)
    return np.dtype(np.int64)


def _window_max_kernel(x: Any, *, kernel: Ints, stride: Ints, dilation: Ints) -> tuple[Any, Any]:
    xp = namespace(x)
    d = len(kernel)
    out = out_size(x.shape[-d:], kernel, stride, dilation)
    offsets = _offsets(kernel)
    best = x[_window(next(offsets), out, stride, dilation)].copy()
    arg = xp.zeros(best.shape, dtype=offset_dtype(kernel))
    nan_aware = best.dtype.kind == "f" or best.dtype.kind == "V" or best.dtype.kind == "c"
    for i, k in enumerate(offsets, 1):
        v = x[_window(k, out, stride, dilation)]
        better = v > best
        if nan_aware:
            better |= v != v
        xp.maximum(arg, xp.multiply(better, arg.dtype.type(i)), out=arg)
        xp.maximum(best, v, out=best)
    return best, arg


def _window_max_shape(
    x: ShapedArray, *, kernel: Ints, stride: Ints, dilation: Ints
) -> tuple[ShapedArray, ShapedArray]:
    d = len(kernel)
    shape = tuple(x.shape[:-d]) + out_size(x.shape[-d:], kernel, stride, dilation)
    return ShapedArray(shape, x.dtype), ShapedArray(shape, offset_dtype(kernel))


window_max_p = Primitive(
    "window_max", _window_max_kernel, _window_max_shape, multiple_results=True
)
window_max_p.defjvp(
    lambda t, out, x, *, kernel, stride, dilation: (
        window_take(t, out[1], kernel, stride, dilation),
        None,
    )
)
window_max_p.defvjp(
    lambda g, out, x, *, kernel, stride, dilation: window_put(
        g[0], out[1], kernel, stride, dilation, tuple(x.shape[len(x.shape) - len(kernel) :])
    )
)


def window_max(x: Array, kernel: Ints, stride: Ints, dilation: Ints) -> tuple[Array, Array]:
    """The maximum of each window and the offset index (row-major over the kernel) of the
    first element that attains it."""
    if x.__class__ is Array:
        best, arg = _window_max_kernel(x._v, kernel=kernel, stride=stride, dilation=dilation)
        return wrap(best), wrap(arg)
    return window_max_p.bind(x, kernel=kernel, stride=stride, dilation=dilation)


def _window_take_kernel(x: Any, arg: Any, *, kernel: Ints, stride: Ints, dilation: Ints) -> Any:
    xp = namespace(x)
    d = len(kernel)
    out = out_size(x.shape[-d:], kernel, stride, dilation)
    taken = xp.zeros(x.shape[:-d] + out, dtype=x.dtype)
    for i, k in enumerate(_offsets(kernel)):
        xp.copyto(taken, x[_window(k, out, stride, dilation)], where=arg == i)
    return taken


def _window_take_shape(
    x: ShapedArray, arg: ShapedArray, *, kernel: Ints, stride: Ints, dilation: Ints
) -> ShapedArray:
    return ShapedArray(tuple(arg.shape), x.dtype)


def _window_put_kernel(
    g: Any, arg: Any, *, kernel: Ints, stride: Ints, dilation: Ints, size: Ints
) -> Any:
    xp = namespace(g)
    d = len(kernel)
    out = g.shape[g.ndim - d :]
    x = xp.zeros(g.shape[: g.ndim - d] + size, dtype=g.dtype)
    assign = _overlap_free(kernel, stride, dilation)
    finite = bool(xp.isfinite(g).all()) if g.dtype.kind in "fcV" else True
    for i, k in enumerate(_offsets(kernel)):
        window = _window(k, out, stride, dilation)
        hit = arg == i
        if not finite:  # inf * 0 would spread NaN to the elements that were not chosen
            x[window] += xp.where(hit, g, 0)
        elif assign:
            xp.multiply(g, hit, out=x[window])
        else:
            x[window] += g * hit
    return x


def _window_put_shape(
    g: ShapedArray, arg: ShapedArray, *, kernel: Ints, stride: Ints, dilation: Ints, size: Ints
) -> ShapedArray:
    return ShapedArray(tuple(g.shape[: len(g.shape) - len(kernel)]) + size, g.dtype)


window_take_p = Primitive("window_take", _window_take_kernel, _window_take_shape)
window_put_p = Primitive("window_put", _window_put_kernel, _window_put_shape)
window_take_p.defjvp(
    lambda t, out, x, arg, **p: window_take(t, arg, p["kernel"], p["stride"], p["dilation"]),
    None,
)
window_take_p.defvjp(
    lambda g, out, x, arg, *, kernel, stride, dilation: window_put(
        g, arg, kernel, stride, dilation, tuple(x.shape[len(x.shape) - len(kernel) :])
    ),
    None,
)
window_put_p.defjvp(
    lambda t, out, g, arg, **p: window_put(
        t, arg, p["kernel"], p["stride"], p["dilation"], p["size"]
    ),
    None,
)
window_put_p.defvjp(
    lambda ct, out, g, arg, *, kernel, stride, dilation, size: window_take(
        ct, arg, kernel, stride, dilation
    ),
    None,
)


def window_take(x: Array, arg: Array, kernel: Ints, stride: Ints, dilation: Ints) -> Array:
    """Each window's element at offset index ``arg`` (shape ``(*lead, *out)``)."""
    params = {"kernel": kernel, "stride": stride, "dilation": dilation}
    if x.__class__ is Array and arg.__class__ is Array:
        return wrap(_window_take_kernel(x._v, arg._v, **params))
    return window_take_p.bind(x, arg, **params)


def window_put(
    g: Array, arg: Array, kernel: Ints, stride: Ints, dilation: Ints, size: Ints
) -> Array:
    """Zeros of spatial ``size`` with ``g`` added at each window's offset index ``arg``."""
    params = {"kernel": kernel, "stride": stride, "dilation": dilation, "size": size}
    if g.__class__ is Array and arg.__class__ is Array:
        return wrap(_window_put_kernel(g._v, arg._v, **params))
    return window_put_p.bind(g, arg, **params)
