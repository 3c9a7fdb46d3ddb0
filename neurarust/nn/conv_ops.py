"""Window primitives behind convolution and pooling, for any number of spatial dimensions.

Arrays are ``(N, C, *spatial)`` (pooling accepts any leading dimensions). Inputs arrive
already padded (the public functions pad with ``nr.pad``), so the primitives know nothing about
padding. Window ``q`` of the output grid holds the input elements ``q * stride + k * dilation``
for every kernel offset ``k``.

Convolution is a trio of bilinear primitives, each one's derivatives made of the three (so
derivatives of every order exist), as in JAX:

- ``conv(x, w)``: ``y[n, o, q] = sum_{c, k} w[o, c, k] x[n, c, q * stride + k * dilation]``
  (within each of ``groups`` channel groups);
- ``conv_transpose(y, w)``: its transpose in ``x``, each ``y`` value times the weight added
  back over its window (an output of spatial ``size``; the transposed convolution);
- ``conv_filter_grad(x, y)``: its transpose in ``w``, ``sum_{n, q} y[n, o, q] x[n, c, q *
  stride + k * dilation]``.

Their kernels work through the batch in blocks: each block's windows are copied into a
reused, cache-sized buffer (im2col) and contracted by one batched matmul, so no array of
all windows is ever built. The input transpose multiplies first and adds the windows back
(col2im), over whole rows of the output when the last stride is 1 so that the additions run
over long contiguous stretches.

Pooling primitives:

- ``window_sum`` (average pooling) and ``window_sum_transpose``, linear and each other's
  transpose;
- ``window_max``: the maximum of each window and the offset of its first maximum (NaN counts
  as the largest, as in PyTorch); its derivatives route through ``window_take`` (each
  window's element at given offsets, linear in the array) and its transpose ``window_put``.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..core.array import Array, wrap
from ..core.backend import namespace
from ..core.batching import Dims, batch_size, move_axis, to_front
from ..core.opinfo import OpInfo, Sample, rand, register
from ..core.ops import add, broadcast_to, getitem, reshape
from ..core.ops.reduction import reduce_sum
from ..core.ops.rules import linear
from ..core.primitive import Primitive, ShapedArray

__all__ = [
    "out_size",
    "conv",
    "conv_transpose",
    "conv_filter_grad",
    "window_sum",
    "window_sum_transpose",
    "window_max",
    "window_take",
    "window_put",
]

Ints = tuple[int, ...]
_BLOCK = 1 << 18  # window elements per block of the batch (1 MiB of float32)
_local = threading.local()


def out_size(size: Ints, kernel: Ints, stride: Ints, dilation: Ints) -> Ints:
    """How many whole windows fit along each spatial dimension of ``size``."""
    return tuple(
        (n - d * (k - 1) - 1) // s + 1
        for n, k, s, d in zip(size, kernel, stride, dilation, strict=True)
    )


def _extent(grid: Ints, kernel: Ints, stride: Ints, dilation: Ints) -> Ints:
    """The spatial size that windows of a ``grid`` output read (the least input size)."""
    return tuple(
        (q - 1) * s + d * (k - 1) + 1
        for q, k, s, d in zip(grid, kernel, stride, dilation, strict=True)
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


# ------------------------------------------------------------- kernel building blocks


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    """16-bit floats are multiplied and summed in float32 (NumPy has no fast half matmul)."""
    return np.dtype(np.float32) if dtype.itemsize < 4 else dtype


def _scratch(xp: Any, tag: str, shape: Ints, dtype: np.dtype) -> Any:
    """An uninitialised buffer for temporaries that never leave a kernel, kept per thread
    between calls so that repeated steps do not allocate (and page-fault) it again."""
    if xp is not np:
        return xp.empty(shape, dtype)
    cache = _local.__dict__.setdefault("buffers", {})
    key = (tag, shape, dtype)
    buf = cache.get(key)
    if buf is None:
        if len(cache) >= 16:
            cache.clear()
        buf = cache[key] = np.empty(shape, dtype)
    return buf


def _block(n: int, per_item: int) -> int:
    """How many batch items one block holds."""
    return max(1, min(n, _BLOCK // max(per_item, 1)))


def _unfold_into(cols: Any, x: Any, stride: Ints, dilation: Ints) -> None:
    """im2col: ``cols[b, c, k, q] = x[b, c, q * stride + k * dilation]`` (``cols`` has shape
    ``(B, C, *kernel, *grid)``)."""
    xp = namespace(x)
    spatial = x.strides[2:]
    view = xp.lib.stride_tricks.as_strided(
        x,
        cols.shape,
        x.strides[:2]
        + tuple(st * di for st, di in zip(spatial, dilation, strict=True))
        + tuple(st * sd for st, sd in zip(spatial, stride, strict=True)),
    )
    xp.copyto(cols, view)


def _fold_into(x: Any, cols: Any, stride: Ints, dilation: Ints) -> None:
    """col2im: adds ``cols (B, C, *kernel, *grid)`` into ``x`` at each window position."""
    d = len(stride)
    kernel = cols.shape[2 : 2 + d]
    grid = cols.shape[2 + d :]
    for k in _offsets(kernel):
        x[_window(k, grid, stride, dilation)] += cols[(slice(None), slice(None), *k)]


def _rows_view(x: Any, kernel: Ints, stride: Ints, dilation: Ints, rows: Ints) -> Any:
    """The view ``(B, C, *kernel, *rows, width)`` of a C-contiguous ``(B, C, *spatial)``: for
    offset ``k`` and output row ``r``, the ``width`` elements that start at row ``r``'s window
    (stride 1 along the last dimension; the last ones run into the next row)."""
    xp = namespace(x)
    d = len(kernel)
    size = x.shape[2:]
    flat = [x.itemsize * math.prod(size[i + 1 :]) for i in range(d)]
    strides = (
        tuple(f * di for f, di in zip(flat, dilation, strict=True))
        + tuple(f * s for f, s in zip(flat[:-1], stride[:-1], strict=True))
        + (x.itemsize,)
    )
    return xp.lib.stride_tricks.as_strided(
        x, x.shape[:2] + kernel + rows + (size[-1],), x.strides[:2] + strides
    )


def _use_rows(d: int, stride: Ints, grid: Ints, size: Ints) -> bool:
    """Whether col2im over whole rows pays: stride 1 along the last dimension and few
    positions past the last whole window."""
    return d >= 2 and stride[-1] == 1 and 2 * size[-1] <= 3 * grid[-1]


# ----------------------------------------------------------------------- convolution


def _conv_kernel(
    x: Any, w: Any, bias: Any = None, *, stride: Ints, dilation: Ints, groups: int
) -> Any:
    xp = namespace(x)
    dtype, ct = x.dtype, _compute_dtype(x.dtype)
    x, w = x.astype(ct, copy=False), w.astype(ct, copy=False)
    n, c = x.shape[:2]
    o, kernel = w.shape[0], w.shape[2:]
    grid = out_size(x.shape[2:], kernel, stride, dilation)
    p = math.prod(grid)
    depth = (c // groups) * math.prod(kernel)
    wm = w.reshape(groups, o // groups, depth)
    if bias is not None:
        bias = bias.astype(ct, copy=False).reshape(groups, o // groups, 1)
    y = xp.empty((n, o, *grid), dtype=ct)
    b = _block(n, c * math.prod(kernel) * p)
    cols = _scratch(xp, "cols", (b, c, *kernel, *grid), ct)
    for i in range(0, n, b):
        m = min(b, n - i)
        _unfold_into(cols[:m], x[i : i + m], stride, dilation)
        out = y[i : i + m].reshape(m, groups, o // groups, p)
        xp.matmul(wm, cols[:m].reshape(m, groups, depth, p), out=out)
        if bias is not None:
            out += bias
    return y.astype(dtype, copy=False)


def _conv_filter_grad_kernel(
    x: Any, y: Any, *, stride: Ints, dilation: Ints, groups: int, kernel: Ints
) -> Any:
    xp = namespace(x)
    dtype, ct = x.dtype, _compute_dtype(x.dtype)
    x, y = x.astype(ct, copy=False), y.astype(ct, copy=False)
    n, c = x.shape[:2]
    o, grid = y.shape[1], y.shape[2:]
    p = math.prod(grid)
    depth = (c // groups) * math.prod(kernel)
    total = xp.zeros((groups, depth, o // groups), dtype=ct)
    b = _block(n, c * math.prod(kernel) * p)
    cols = _scratch(xp, "cols", (b, c, *kernel, *grid), ct)
    for i in range(0, n, b):
        m = min(b, n - i)
        _unfold_into(cols[:m], x[i : i + m], stride, dilation)
        per_item = xp.matmul(
            cols[:m].reshape(m, groups, depth, p),
            xp.swapaxes(y[i : i + m].reshape(m, groups, o // groups, p), -1, -2),
        )
        total += per_item.sum(axis=0)
    dw = xp.swapaxes(total, 1, 2).reshape(o, c // groups, *kernel)
    return xp.ascontiguousarray(dw).astype(dtype, copy=False)


def _conv_transpose_kernel(
    y: Any, w: Any, *, stride: Ints, dilation: Ints, groups: int, size: Ints
) -> Any:
    xp = namespace(y)
    dtype, ct = y.dtype, _compute_dtype(y.dtype)
    y, w = y.astype(ct, copy=False), w.astype(ct, copy=False)
    n, o = y.shape[:2]
    grid, kernel = y.shape[2:], w.shape[2:]
    d = len(kernel)
    c = w.shape[1] * groups
    depth = w.shape[1] * math.prod(kernel)
    wt = xp.swapaxes(w.reshape(groups, o // groups, depth), 1, 2)
    if not _use_rows(d, stride, grid, size):
        x = xp.zeros((n, c, *size), dtype=ct)
        p = math.prod(grid)
        b = _block(n, c * math.prod(kernel) * p)
        cols = _scratch(xp, "cols", (b, groups, depth, p), ct)
        for i in range(0, n, b):
            m = min(b, n - i)
            part = cols[:m]
            xp.matmul(wt, y[i : i + m].reshape(m, groups, o // groups, p), out=part)
            _fold_into(x[i : i + m], part.reshape(m, c, *kernel, *grid), stride, dilation)
        return x.astype(dtype, copy=False)
    # Whole rows: the cotangent is widened to full rows (zeros past the last window), so
    # that each offset's columns add into x as long contiguous stretches; x has one spare
    # row for the last row's overrun.
    rows, width = grid[:-1], size[-1]
    x = xp.zeros((n, c, *size[:-2], size[-2] + 1, width), dtype=ct)
    p = math.prod(rows) * width
    b = _block(n, c * math.prod(kernel) * p)
    wide = _scratch(xp, "wide", (b, o, *rows, width), ct)
    wide[..., grid[-1] :] = 0
    cols = _scratch(xp, "cols", (b, groups, depth, p), ct)
    for i in range(0, n, b):
        m = min(b, n - i)
        wide[:m, ..., : grid[-1]] = y[i : i + m]
        part = cols[:m]
        xp.matmul(wt, wide[:m].reshape(m, groups, o // groups, p), out=part)
        part = part.reshape(m, c, *kernel, *rows, width)
        target = _rows_view(x[i : i + m], kernel, stride, dilation, rows)
        for k in _offsets(kernel):
            at = (slice(None), slice(None), *k)
            target[at] += part[at]
    return x[..., : size[-2], :].astype(dtype, copy=False)


def _conv_shape(
    x: ShapedArray,
    w: ShapedArray,
    b: ShapedArray | None = None,
    *,
    stride: Ints,
    dilation: Ints,
    groups: int,
) -> ShapedArray:
    grid = out_size(tuple(x.shape[2:]), tuple(w.shape[2:]), stride, dilation)
    return ShapedArray((x.shape[0], w.shape[0], *grid), x.dtype)


def _conv_transpose_shape(
    y: ShapedArray, w: ShapedArray, *, stride: Ints, dilation: Ints, groups: int, size: Ints
) -> ShapedArray:
    return ShapedArray((y.shape[0], w.shape[1] * groups, *size), y.dtype)


def _conv_filter_grad_shape(
    x: ShapedArray, y: ShapedArray, *, stride: Ints, dilation: Ints, groups: int, kernel: Ints
) -> ShapedArray:
    return ShapedArray((y.shape[1], x.shape[1] // groups, *kernel), x.dtype)


conv_p = Primitive("conv", _conv_kernel, _conv_shape)
conv_transpose_p = Primitive("conv_transpose", _conv_transpose_kernel, _conv_transpose_shape)
conv_filter_grad_p = Primitive(
    "conv_filter_grad", _conv_filter_grad_kernel, _conv_filter_grad_shape
)


def _crop(x: Array, size: Ints) -> Array:
    """``x`` cut down to ``size`` in its last dimensions (itself when it already fits)."""
    if tuple(x.shape[len(x.shape) - len(size) :]) == size:
        return x
    return getitem(x, (Ellipsis, *(slice(0, s) for s in size)))


def conv(x: Array, w: Array, b: Array | None, stride: Ints, dilation: Ints, groups: int) -> Array:
    """Windows of the (padded) ``x (N, C, *spatial)`` against ``w (O, C / groups, *kernel)``,
    plus ``b (O,)`` when given: ``(N, O, *grid)``."""
    params = {"stride": stride, "dilation": dilation, "groups": groups}
    args = (x, w) if b is None else (x, w, b)
    if all(a.__class__ is Array for a in args):
        return wrap(_conv_kernel(*(a._v for a in args), **params))
    return conv_p.bind(*args, **params)


def conv_transpose(
    y: Array, w: Array, stride: Ints, dilation: Ints, groups: int, size: Ints
) -> Array:
    """The transpose of :func:`conv` in its input: ``y (N, O, *grid)`` times ``w (O, C /
    groups, *kernel)`` added back over the windows of an ``(N, C, *size)`` array."""
    params = {"stride": stride, "dilation": dilation, "groups": groups, "size": size}
    if y.__class__ is Array and w.__class__ is Array:
        return wrap(_conv_transpose_kernel(y._v, w._v, **params))
    return conv_transpose_p.bind(y, w, **params)


def conv_filter_grad(
    x: Array, y: Array, stride: Ints, dilation: Ints, groups: int, kernel: Ints
) -> Array:
    """The transpose of :func:`conv` in its weight: ``(O, C / groups, *kernel)`` sums of
    ``y (N, O, *grid)`` times the windows of ``x (N, C, *spatial)``."""
    params = {"stride": stride, "dilation": dilation, "groups": groups, "kernel": kernel}
    if x.__class__ is Array and y.__class__ is Array:
        return wrap(_conv_filter_grad_kernel(x._v, y._v, **params))
    return conv_filter_grad_p.bind(x, y, **params)


def _conv_x(
    g: Any, out: Any, x: Any, w: Any, *b: Any, stride: Ints, dilation: Ints, groups: int
) -> Array:
    return conv_transpose(g, w, stride, dilation, groups, tuple(x.shape[2:]))


def _conv_w(
    g: Any, out: Any, x: Any, w: Any, *b: Any, stride: Ints, dilation: Ints, groups: int
) -> Array:
    return conv_filter_grad(x, g, stride, dilation, groups, tuple(w.shape[2:]))


def _conv_b(g: Any, out: Any, x: Any, w: Any, b: Any, **params: Any) -> Array:
    return reduce_sum(g, (0, *range(2, len(g.shape))))


def _conv_bias_tangent(t: Any, out: Any, x: Any, w: Any, b: Any, **params: Any) -> Array:
    shape = tuple(out.shape)
    return broadcast_to(reshape(t, (1, shape[1]) + (1,) * (len(shape) - 2)), shape)


def _transpose_y(
    g: Any, out: Any, y: Any, w: Any, *, stride: Ints, dilation: Ints, groups: int, size: Ints
) -> Array:
    reach = _extent(tuple(y.shape[2:]), tuple(w.shape[2:]), stride, dilation)
    return conv(_crop(g, reach), w, None, stride, dilation, groups)


def _transpose_w(
    g: Any, out: Any, y: Any, w: Any, *, stride: Ints, dilation: Ints, groups: int, size: Ints
) -> Array:
    return conv_filter_grad(g, y, stride, dilation, groups, tuple(w.shape[2:]))


def _filter_x(
    g: Any, out: Any, x: Any, y: Any, *, stride: Ints, dilation: Ints, groups: int, kernel: Ints
) -> Array:
    return conv_transpose(y, g, stride, dilation, groups, tuple(x.shape[2:]))


def _filter_y(
    g: Any, out: Any, x: Any, y: Any, *, stride: Ints, dilation: Ints, groups: int, kernel: Ints
) -> Array:
    reach = _extent(tuple(y.shape[2:]), kernel, stride, dilation)
    return conv(_crop(x, reach), g, None, stride, dilation, groups)


conv_p.defjvp(
    lambda t, out, x, w, *b, **p: conv(t, w, None, p["stride"], p["dilation"], p["groups"]),
    lambda t, out, x, w, *b, **p: conv(x, t, None, p["stride"], p["dilation"], p["groups"]),
    _conv_bias_tangent,
).defvjp(_conv_x, _conv_w, _conv_b)
conv_transpose_p.defjvp(
    lambda t, out, y, w, **p: conv_transpose(t, w, **p),
    lambda t, out, y, w, **p: conv_transpose(y, t, **p),
).defvjp(_transpose_y, _transpose_w)
conv_filter_grad_p.defjvp(
    lambda t, out, x, y, **p: conv_filter_grad(t, y, **p),
    lambda t, out, x, y, **p: conv_filter_grad(x, t, **p),
).defvjp(_filter_x, _filter_y)


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


def _window_sum_transpose_kernel(
    g: Any, *, kernel: Ints, stride: Ints, dilation: Ints, size: Ints
) -> Any:
    xp = namespace(g)
    d = len(kernel)
    out = g.shape[g.ndim - d :]
    x = xp.zeros(g.shape[: g.ndim - d] + size, dtype=g.dtype)
    for k in _offsets(kernel):
        x[_window(k, out, stride, dilation)] += g
    return x


def _window_sum_transpose_shape(
    g: ShapedArray, *, kernel: Ints, stride: Ints, dilation: Ints, size: Ints
) -> ShapedArray:
    return ShapedArray(tuple(g.shape[: len(g.shape) - len(kernel)]) + size, g.dtype)


window_sum_p = linear(
    Primitive("window_sum", _window_sum_kernel, _window_sum_shape),
    lambda g, out, x, *, kernel, stride, dilation: window_sum_transpose(
        g, kernel, stride, dilation, tuple(x.shape[len(x.shape) - len(kernel) :])
    ),
)
window_sum_transpose_p = linear(
    Primitive("window_sum_transpose", _window_sum_transpose_kernel, _window_sum_transpose_shape),
    lambda g, out, x, *, kernel, stride, dilation, size: window_sum(
        _crop(g, _extent(tuple(x.shape[len(x.shape) - len(kernel) :]), kernel, stride, dilation)),
        kernel,
        stride,
        dilation,
    ),
)


def window_sum(x: Array, kernel: Ints, stride: Ints, dilation: Ints) -> Array:
    """The sum of each window: ``(*lead, *spatial)`` to ``(*lead, *grid)``."""
    if x.__class__ is Array:
        return wrap(_window_sum_kernel(x._v, kernel=kernel, stride=stride, dilation=dilation))
    return window_sum_p.bind(x, kernel=kernel, stride=stride, dilation=dilation)


def window_sum_transpose(g: Array, kernel: Ints, stride: Ints, dilation: Ints, size: Ints) -> Array:
    """The transpose of :func:`window_sum`: each element of ``(*lead, *size)`` gets the sum of
    ``g`` over the windows that contain it."""
    params = {"kernel": kernel, "stride": stride, "dilation": dilation, "size": size}
    if g.__class__ is Array:
        return wrap(_window_sum_transpose_kernel(g._v, **params))
    return window_sum_transpose_p.bind(g, **params)


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
    windows = [x[_window(k, out, stride, dilation)] for k in _offsets(kernel)]
    best = windows[0].copy()
    arg = xp.zeros(best.shape, dtype=offset_dtype(kernel))
    better = xp.empty(best.shape, dtype=bool)
    chosen = xp.empty(best.shape, dtype=arg.dtype)
    for i, v in enumerate(windows[1:], 1):
        xp.greater(v, best, out=better)
        xp.multiply(better, arg.dtype.type(i), out=chosen)
        xp.maximum(arg, chosen, out=arg)  # offsets grow, so the latest better one wins
        xp.maximum(best, v, out=best)
    if best.dtype.kind in "fV" and bool(xp.isnan(best).any()):
        arg = _nan_first(windows, arg.dtype)
    return best, arg


def _nan_first(windows: list[Any], dtype: np.dtype) -> Any:
    """Offsets of the maxima where NaN counts as larger than anything (PyTorch's scan keeps
    the first maximum but moves to every NaN it meets)."""
    xp = namespace(windows[0])
    best = windows[0].copy()
    arg = xp.zeros(best.shape, dtype=dtype)
    for i, v in enumerate(windows[1:], 1):
        better = (v > best) | (v != v)
        arg[better] = i
        best = xp.where(better, v, best)
    return arg


def _window_max_shape(
    x: ShapedArray, *, kernel: Ints, stride: Ints, dilation: Ints
) -> tuple[ShapedArray, ShapedArray]:
    d = len(kernel)
    shape = tuple(x.shape[:-d]) + out_size(x.shape[-d:], kernel, stride, dilation)
    return ShapedArray(shape, x.dtype), ShapedArray(shape, offset_dtype(kernel))


window_max_p = Primitive("window_max", _window_max_kernel, _window_max_shape, multiple_results=True)
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
    out = arg.shape[arg.ndim - len(kernel) :]
    taken = xp.zeros(arg.shape, dtype=x.dtype)
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
    shape = g.shape[: g.ndim - d] + size
    tiles = all(
        k == s and (k == 1 or di == 1) for k, s, di in zip(kernel, stride, dilation, strict=True)
    )
    tiles = tiles and all(o * s == n for o, s, n in zip(out, stride, size, strict=True))
    x = xp.empty(shape, dtype=g.dtype) if tiles else xp.zeros(shape, dtype=g.dtype)
    assign = _overlap_free(kernel, stride, dilation)
    finite = g.dtype.kind not in "fcV" or bool(xp.isfinite(g).all())
    hit = xp.empty(g.shape, dtype=bool)
    for i, k in enumerate(_offsets(kernel)):
        window = x[_window(k, out, stride, dilation)]
        xp.equal(arg, arg.dtype.type(i), out=hit)
        if not finite:  # g * 0 would turn inf into NaN at the elements that were not chosen
            picked = xp.where(hit, g, xp.zeros((), dtype=g.dtype))
            window[...] = picked if assign else window + picked
        elif assign:
            xp.multiply(g, hit, out=window)
        else:
            window += g * hit
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


# ------------------------------------------------------------------------- batching
# The convolution primitives already take a batch ``N``: a batched input folds its batch
# into ``N`` (or next to it), a batched weight folds into the channels, and two batched
# operands become a grouped convolution with ``B * groups`` groups. The window primitives
# accept any leading dimensions, so a batch axis among them passes straight through.


def _merge(x: Any, pos: int) -> Any:
    """``x`` with axes ``pos`` and ``pos + 1`` merged into one."""
    shape = tuple(x.shape)
    return reshape(x, (*shape[:pos], shape[pos] * shape[pos + 1], *shape[pos + 2 :]))


def _fold(x: Any, dim: int, pos: int) -> Any:
    """``x`` with its batch axis ``dim`` moved to ``pos`` and merged with the axis after it."""
    return _merge(move_axis(x, dim, pos), pos)


def _split(x: Any, pos: int, size: int) -> Any:
    """The inverse of :func:`_fold`: axis ``pos`` split into ``(size, rest)``."""
    shape = tuple(x.shape)
    return reshape(x, (*shape[:pos], size, shape[pos] // size, *shape[pos + 1 :]))


def _fold_examples(x: Any, dim: int) -> tuple[Any, int, int]:
    """A batched ``(N, C, ...)`` operand with its batch folded into ``N``: the folded array,
    the size of its leading factor and where the batch axis is once it is split again (a
    batch axis right after ``N`` stays there, so no transpose)."""
    if dim == 1:
        return _merge(x, 0), int(x.shape[0]), 1
    return _fold(x, dim, 0), int(x.shape[dim]), 0


def _swap_groups(x: Any, pos: int, first: int, second: int) -> Any:
    """Axis ``pos``, laid out as ``(first, second, rest)``, relaid as ``(second, first, rest)``
    (no-op when either factor is 1)."""
    if first == 1 or second == 1:
        return x
    shape = tuple(x.shape)
    split = reshape(
        x, (*shape[:pos], first, second, shape[pos] // (first * second), *shape[pos + 1 :])
    )
    return reshape(move_axis(split, pos, pos + 1), shape)


def _channels_last_batch(x: Any, dim: int, groups: int) -> Any:
    """A batched ``(N, C, ...)`` operand as ``(N, groups * B * C / groups, ...)``: each of
    ``groups`` channel groups holds every example's channels of that group in turn."""
    size = x.shape[dim]
    x = _fold(x, dim, 1)
    return _swap_groups(x, 1, size, groups)


def _batch_rows(w: Any, dim: int, groups: int) -> Any:
    """A batched ``(O, ...)`` weight or bias as ``(groups * B * O / groups, ...)``."""
    size = w.shape[dim]
    return _swap_groups(_fold(w, dim, 0), 0, size, groups)


def _unbatch_rows(y: Any, pos: int, size: int, groups: int) -> Any:
    """The inverse of the channel layout of :func:`_channels_last_batch` at axis ``pos``:
    ``(groups * B * K)`` back to ``(B, groups * K)``."""
    return _split(_swap_groups(y, pos, groups, size), pos, size)


def _conv_batch(
    args: Sequence[Any], dims: Dims, *, stride: Ints, dilation: Ints, groups: int
) -> tuple[Any, int]:
    """Batched :func:`conv`: see the section comment. A bias batched while the weight is not
    is added after the convolution."""
    x, w, *rest = args
    xd, wd, *rest_d = dims
    b = rest[0] if rest else None
    bd = rest_d[0] if rest_d else None
    params = {"stride": stride, "dilation": dilation}
    if wd is None and bd is not None:
        if xd is None:
            y, yd = conv(x, w, None, groups=groups, **params), None
        else:
            y, yd = _conv_batch([x, w], [xd, None], groups=groups, **params)
        size = b.shape[bd]
        y = to_front(y, yd, size)
        bias = reshape(to_front(b, bd), (size, 1, b.shape[1 - bd]) + (1,) * len(stride))
        return add(y, broadcast_to(bias, tuple(y.shape))), 0
    if wd is None:
        folded, lead, at = _fold_examples(x, xd)
        return _split(conv(folded, w, b, groups=groups, **params), 0, lead), at
    size = w.shape[wd]
    if b is not None and bd is None:
        b = broadcast_to(b, (size, *b.shape))
        bd = 0
    if b is not None:
        b = _batch_rows(b, bd, 1 if xd is not None else groups)
    if xd is None:
        y = conv(x, _batch_rows(w, wd, groups), b, groups=groups, **params)
        return _unbatch_rows(y, 1, size, groups), 1
    y = conv(_fold(x, xd, 1), _fold(w, wd, 0), b, groups=size * groups, **params)
    return _split(y, 1, size), 1


def _conv_transpose_batch(
    args: Sequence[Any], dims: Dims, *, stride: Ints, dilation: Ints, groups: int, size: Ints
) -> tuple[Any, int]:
    """Batched :func:`conv_transpose`: see the section comment."""
    (y, w), (yd, wd) = args, dims
    params = {"stride": stride, "dilation": dilation, "size": size}
    if wd is None:
        folded, lead, at = _fold_examples(y, yd)
        return _split(conv_transpose(folded, w, groups=groups, **params), 0, lead), at
    b = w.shape[wd]
    if yd is None:
        x = conv_transpose(y, _fold(w, wd, 1), groups=groups, **params)
        return _unbatch_rows(x, 1, b, groups), 1
    x = conv_transpose(_fold(y, yd, 1), _fold(w, wd, 0), groups=b * groups, **params)
    return _split(x, 1, b), 1


def _conv_filter_grad_batch(
    args: Sequence[Any], dims: Dims, *, stride: Ints, dilation: Ints, groups: int, kernel: Ints
) -> tuple[Any, int]:
    """Batched :func:`conv_filter_grad`: see the section comment."""
    (x, y), (xd, yd) = args, dims
    params = {"stride": stride, "dilation": dilation, "kernel": kernel}
    if yd is None:
        b = x.shape[xd]
        w = conv_filter_grad(_channels_last_batch(x, xd, groups), y, groups=groups, **params)
        return _split(w, 1, b), 1
    b = y.shape[yd]
    if xd is None:
        w = conv_filter_grad(x, _channels_last_batch(y, yd, groups), groups=groups, **params)
        return _unbatch_rows(w, 0, b, groups), 0
    w = conv_filter_grad(_fold(x, xd, 1), _fold(y, yd, 1), groups=b * groups, **params)
    return _split(w, 0, b), 0


def _window_dim(args: Sequence[Any], dims: Dims, spatial: int) -> int:
    """Where the batch axis goes for a window primitive: the operands' common batch axis when
    it is a leading (non-spatial) axis of every batched operand, else 0."""
    batched = {(d, len(a.shape)) for a, d in zip(args, dims, strict=True) if d is not None}
    if len(batched) == 1:
        ((d, ndim),) = batched
        if d < ndim - spatial:
            return d
    return 0


def _window_operands(args: Sequence[Any], dims: Dims, at: int) -> list[Any]:
    """Every operand with its batch axis at ``at`` (unbatched ones broadcast there)."""
    size = batch_size(args, dims)
    return [
        move_axis(to_front(a, d, size), 0, at) if d is None else move_axis(a, d, at)
        for a, d in zip(args, dims, strict=True)
    ]


def _window_rule(prim: Primitive) -> Any:
    """The rule of a window primitive: its operands share their leading dimensions, so the
    batch axis becomes (or stays) one of them."""

    def rule(args: Sequence[Any], dims: Dims, **params: Any) -> tuple[Any, Any]:
        at = _window_dim(args, dims, len(params["kernel"]))
        out = prim.bind(*_window_operands(args, dims, at), **params)
        return out, (at,) * len(out) if prim.multiple_results else at

    rule.__doc__ = f"Batched ``{prim.name}``: the batch axis is one more leading dimension."
    return rule


conv_p.defbatch(_conv_batch)
conv_transpose_p.defbatch(_conv_transpose_batch)
conv_filter_grad_p.defbatch(_conv_filter_grad_batch)
for _prim in (window_sum_p, window_sum_transpose_p, window_max_p, window_take_p, window_put_p):
    _prim.defbatch(_window_rule(_prim))


# ------------------------------------------------------------------------- OpInfos
# NumPy references that loop over kernel offsets and contract with einsum, and samples of
# tiny random geometries (1-D and 2-D, strides, dilations, groups).


def _np_window(x: np.ndarray, k: Ints, grid: Ints, stride: Ints, dilation: Ints) -> np.ndarray:
    return x[_window(k, grid, stride, dilation)]


def reference_conv(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    *,
    stride: Ints,
    dilation: Ints,
    groups: int,
) -> np.ndarray:
    kernel = w.shape[2:]
    grid = out_size(x.shape[2:], kernel, stride, dilation)
    xs = np.split(x, groups, axis=1)
    ws = np.split(w, groups, axis=0)
    y = np.zeros((x.shape[0], w.shape[0], *grid), dtype=x.dtype)
    for k in _offsets(kernel):
        parts = [
            np.einsum("nc...,oc->no...", _np_window(xg, k, grid, stride, dilation), wg[:, :, *k])
            for xg, wg in zip(xs, ws, strict=True)
        ]
        y += np.concatenate(parts, axis=1)
    return y if b is None else y + b.reshape((-1,) + (1,) * len(kernel))


def reference_conv_transpose(
    y: np.ndarray, w: np.ndarray, *, stride: Ints, dilation: Ints, groups: int, size: Ints
) -> np.ndarray:
    kernel, grid = w.shape[2:], y.shape[2:]
    x = np.zeros((y.shape[0], w.shape[1] * groups, *size), dtype=y.dtype)
    ys = np.split(y, groups, axis=1)
    ws = np.split(w, groups, axis=0)
    for k in _offsets(kernel):
        part = np.concatenate(
            [np.einsum("no...,oc->nc...", yg, wg[:, :, *k]) for yg, wg in zip(ys, ws, strict=True)],
            axis=1,
        )
        x[_window(k, grid, stride, dilation)] += part
    return x


def _np_conv_filter_grad(
    x: np.ndarray, y: np.ndarray, *, stride: Ints, dilation: Ints, groups: int, kernel: Ints
) -> np.ndarray:
    grid = y.shape[2:]
    xs = np.split(x, groups, axis=1)
    ys = np.split(y, groups, axis=1)
    w = np.zeros((y.shape[1], x.shape[1] // groups, *kernel), dtype=x.dtype)
    for k in _offsets(kernel):
        w[:, :, *k] = np.concatenate(
            [
                np.einsum(
                    "nop,ncp->oc",
                    yg.reshape(*yg.shape[:2], -1),
                    _np_window(xg, k, grid, stride, dilation).reshape(*xg.shape[:2], -1),
                )
                for xg, yg in zip(xs, ys, strict=True)
            ]
        )
    return w


def _geometry(rng: np.random.Generator, d: int) -> dict[str, Any]:
    """A random small geometry: kernel, stride, dilation, groups and input/output sizes."""
    kernel = tuple(int(k) for k in rng.integers(1, 4, size=d))
    stride = tuple(int(s) for s in rng.integers(1, 3, size=d))
    dilation = tuple(int(s) for s in rng.integers(1, 3, size=d))
    grid = tuple(int(q) for q in rng.integers(1, 4, size=d))
    extra = tuple(int(e) for e in rng.integers(0, 2, size=d))
    size = tuple(e + r for e, r in zip(_extent(grid, kernel, stride, dilation), extra, strict=True))
    groups = int(rng.choice([1, 2]))
    return {
        "kernel": kernel,
        "stride": stride,
        "dilation": dilation,
        "grid": grid,
        "size": size,
        "groups": groups,
    }


def _conv_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    samples = []
    for d in (1, 2):
        g = _geometry(rng, d)
        groups = g["groups"]
        x = rand(rng, (2, 2 * groups, *g["size"]), dtype)
        w = rand(rng, (2 * groups, 2, *g["kernel"]), dtype)
        params = {"stride": g["stride"], "dilation": g["dilation"], "groups": groups}
        bias = rand(rng, (2 * groups,), dtype) if d == 2 else None
        samples.append(Sample((x, w, bias), params))
    return samples


def _conv_transpose_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    samples = []
    for d in (1, 2):
        g = _geometry(rng, d)
        groups = g["groups"]
        y = rand(rng, (2, 2 * groups, *g["grid"]), dtype)
        w = rand(rng, (2 * groups, 2, *g["kernel"]), dtype)
        params = {
            "stride": g["stride"],
            "dilation": g["dilation"],
            "groups": groups,
            "size": g["size"],
        }
        samples.append(Sample((y, w), params))
    return samples


def _conv_filter_grad_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    samples = []
    for d in (1, 2):
        g = _geometry(rng, d)
        groups = g["groups"]
        x = rand(rng, (2, 2 * groups, *g["size"]), dtype)
        y = rand(rng, (2, 2 * groups, *g["grid"]), dtype)
        params = {
            "stride": g["stride"],
            "dilation": g["dilation"],
            "groups": groups,
            "kernel": g["kernel"],
        }
        samples.append(Sample((x, y), params))
    return samples


def _np_window_sum(x: np.ndarray, *, kernel: Ints, stride: Ints, dilation: Ints) -> np.ndarray:
    grid = out_size(x.shape[2:], kernel, stride, dilation)
    return sum(_np_window(x, k, grid, stride, dilation) for k in _offsets(kernel))


def _np_window_sum_transpose(
    g: np.ndarray, *, kernel: Ints, stride: Ints, dilation: Ints, size: Ints
) -> np.ndarray:
    x = np.zeros((*g.shape[:2], *size), dtype=g.dtype)
    for k in _offsets(kernel):
        x[_window(k, g.shape[2:], stride, dilation)] += g
    return x


def _np_window_max(x: np.ndarray, *, kernel: Ints, stride: Ints, dilation: Ints) -> tuple:
    grid = out_size(x.shape[2:], kernel, stride, dilation)
    stacked = np.stack([_np_window(x, k, grid, stride, dilation) for k in _offsets(kernel)])
    return stacked.max(axis=0), stacked.argmax(axis=0).astype(offset_dtype(kernel))


def _np_window_take(
    x: np.ndarray, arg: np.ndarray, *, kernel: Ints, stride: Ints, dilation: Ints
) -> np.ndarray:
    grid = arg.shape[2:]
    stacked = np.stack([_np_window(x, k, grid, stride, dilation) for k in _offsets(kernel)])
    return np.take_along_axis(stacked, arg[None].astype(np.int64), axis=0)[0]


def _np_window_put(
    g: np.ndarray, arg: np.ndarray, *, kernel: Ints, stride: Ints, dilation: Ints, size: Ints
) -> np.ndarray:
    x = np.zeros((*g.shape[:2], *size), dtype=g.dtype)
    for i, k in enumerate(_offsets(kernel)):
        x[_window(k, g.shape[2:], stride, dilation)] += np.where(arg == i, g, 0)
    return x


def separated(rng: np.random.Generator, shape: Ints, dtype: np.dtype) -> np.ndarray:
    """Random values 0.01 apart (no near-ties), so that finite differences of maxima are
    exact."""
    n = math.prod(shape)
    return ((rng.permutation(n) - n / 2) * 0.01).reshape(shape).astype(dtype)


def _window_samples(kind: str) -> Any:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        out = []
        for d in (1, 2):
            g = _geometry(rng, d)
            params = {"kernel": g["kernel"], "stride": g["stride"], "dilation": g["dilation"]}
            lead = (2, 2)
            arg = rng.integers(0, math.prod(g["kernel"]), size=(*lead, *g["grid"]))
            arg = arg.astype(offset_dtype(g["kernel"]))
            if kind == "sum":
                out.append(Sample((rand(rng, (*lead, *g["size"]), dtype),), params))
            elif kind == "max":
                out.append(Sample((separated(rng, (*lead, *g["size"]), dtype),), params))
            elif kind == "sum_transpose":
                g_in = rand(rng, (*lead, *g["grid"]), dtype)
                out.append(Sample((g_in,), {**params, "size": g["size"]}))
            elif kind == "take":
                out.append(Sample((rand(rng, (*lead, *g["size"]), dtype), arg), params))
            else:
                g_in = rand(rng, (*lead, *g["grid"]), dtype)
                out.append(Sample((g_in, arg), {**params, "size": g["size"]}))
        return out

    return samples


register(
    OpInfo(
        "conv",
        lambda x, w, b=None, **p: conv(x, w, b, **p),
        reference_conv,
        ("conv",),
        _conv_samples,
        rtol=1e-4,
        atol=1e-5,
    ),
    OpInfo(
        "conv_transpose",
        lambda y, w, **p: conv_transpose(y, w, **p),
        reference_conv_transpose,
        ("conv_transpose",),
        _conv_transpose_samples,
        rtol=1e-4,
        atol=1e-5,
    ),
    OpInfo(
        "conv_filter_grad",
        lambda x, y, **p: conv_filter_grad(x, y, **p),
        _np_conv_filter_grad,
        ("conv_filter_grad",),
        _conv_filter_grad_samples,
        rtol=1e-4,
        atol=1e-5,
    ),
    OpInfo(
        "window_sum",
        lambda x, **p: window_sum(x, **p),
        _np_window_sum,
        ("window_sum",),
        _window_samples("sum"),
    ),
    OpInfo(
        "window_sum_transpose",
        lambda g, **p: window_sum_transpose(g, **p),
        _np_window_sum_transpose,
        ("window_sum_transpose",),
        _window_samples("sum_transpose"),
    ),
    OpInfo(
        "window_max",
        lambda x, **p: window_max(x, **p),
        _np_window_max,
        ("window_max",),
        _window_samples("max"),
        grad=False,
    ),
    OpInfo(
        "window_max_values",
        lambda x, **p: window_max(x, **p)[0],
        lambda x, **p: _np_window_max(x, **p)[0],
        ("window_max",),
        _window_samples("max"),
    ),
    OpInfo(
        "window_take",
        lambda x, arg, **p: window_take(x, arg, **p),
        _np_window_take,
        ("window_take",),
        _window_samples("take"),
    ),
    OpInfo(
        "window_put",
        lambda g, arg, **p: window_put(g, arg, **p),
        _np_window_put,
        ("window_put",),
        _window_samples("put"),
    ),
)
