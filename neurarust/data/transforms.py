"""Keyed, functional image augmentation.

Every function takes an image ``(C, H, W)`` or a batch ``(N, C, H, W)`` and returns a new
Array of the same kind. Random functions take a key first, as ``nr.random`` does; in a batch
each image gets its own random draw, and an image transformed alone gets the draw of a batch
of one (``f(key, x)`` equals ``f(key, x[None])[0]``). These are data-side transforms: they run
on concrete arrays (NumPy or CuPy) and are not differentiable.

>>> from neurarust.data import transforms as T
>>> augment = T.compose(
...     functools.partial(T.random_crop, size=8, padding=1),
...     T.random_flip,
...     functools.partial(T.normalize, mean=0.5, std=0.25),
... )
>>> batch = augment(nr.random.key(0), images)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import random
from ..core import backend, dtypes
from ..core.array import Array, wrap
from ..core.errors import DTypeError, ShapeError
from ..core.ops import asarray
from .checks import as_key, takes_key
from .errors import DataError

__all__ = [
    "random_crop",
    "random_flip",
    "random_rotation",
    "normalize",
    "color_jitter",
    "compose",
]


def _batch(op: str, x: Any) -> tuple[Any, bool]:
    """The backend buffer of ``x`` as a batch ``(N, C, H, W)`` and whether ``x`` was one image."""
    a = asarray(x)
    if a.ndim not in (3, 4):
        raise ShapeError(
            f"{op}: argument 'x' expected an image (C, H, W) or a batch (N, C, H, W), got "
            f"shape {tuple(a.shape)}"
        )
    buf = a._buffer()
    return (buf[None], True) if a.ndim == 3 else (buf, False)


def _done(out: Any, single: bool) -> Array:
    return wrap(out[0] if single else out)


def _pair(op: str, name: str, value: Any, minimum: int) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum for v in pair
    ):
        raise DataError(
            f"{op}: argument '{name}' expected an int >= {minimum} or a pair of them, got {value!r}"
        )
    return int(pair[0]), int(pair[1])


def _on(xp: Any, host: Array) -> Any:
    """A random draw (a CPU Array) as a buffer of the namespace ``xp``."""
    return xp.asarray(host.numpy())


def random_crop(key: Any, x: Any, size: int | Sequence[int], padding: Any = 0) -> Array:
    """A random ``size`` window (an int or ``(h, w)``) of each image, after zero-padding
    ``padding`` pixels (an int or ``(ph, pw)``) on every side.

    Examples
    --------
    >>> T.random_crop(nr.random.key(0), nr.ones((3, 32, 32)), size=32, padding=4).shape
    (3, 32, 32)
    """
    op = "random_crop"
    key = as_key(op, key)
    buf, single = _batch(op, x)
    h, w = _pair(op, "size", size, 1)
    ph, pw = _pair(op, "padding", padding, 0)
    xp = backend.namespace(buf)
    n, c, height, width = buf.shape
    if h > height + 2 * ph or w > width + 2 * pw:
        raise ShapeError(
            f"{op}: argument 'size' expected at most the padded image size "
            f"({height + 2 * ph}, {width + 2 * pw}), got ({h}, {w})"
        )
    if ph or pw:  # zero padding, written into a buffer allocated here
        padded = xp.zeros((n, c, height + 2 * ph, width + 2 * pw), dtype=buf.dtype)
        padded[:, :, ph : ph + height, pw : pw + width] = buf
    else:
        padded = buf
    spans = [height + 2 * ph - h + 1, width + 2 * pw - w + 1]
    offsets = _on(xp, random.randint(key, (n, 2), 0, spans))
    top, left = offsets[:, 0], offsets[:, 1]
    rows = top[:, None] + xp.arange(h)
    cols = left[:, None] + xp.arange(w)
    out = padded[
        xp.arange(n)[:, None, None, None],
        xp.arange(c)[None, :, None, None],
        rows[:, None, :, None],
        cols[:, None, None, :],
    ]
    return _done(out, single)


def _image_axis(op: str, axis: Any) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -3 <= axis < 3:
        raise DataError(
            f"{op}: argument 'axis' expected an axis of the image (C, H, W) in [-3, 3), got "
            f"{axis!r}"
        )
    return int(axis) - 3 if axis >= 0 else int(axis)


def random_flip(key: Any, x: Any, axis: int = -1, p: float = 0.5) -> Array:
    """Each image reversed along ``axis`` of ``(C, H, W)`` with probability ``p``: ``-1``
    (the default) flips horizontally, ``-2`` vertically.

    Examples
    --------
    >>> T.random_flip(nr.random.key(0), nr.ones((8, 3, 4, 4))).shape
    (8, 3, 4, 4)
    """
    op = "random_flip"
    key = as_key(op, key)
    buf, single = _batch(op, x)
    ax = _image_axis(op, axis)
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise DataError(f"{op}: argument 'p' expected a probability in [0, 1], got {p!r}")
    xp = backend.namespace(buf)
    flip = _on(xp, random.bernoulli(key, p, (buf.shape[0],)))
    return _done(xp.where(flip[:, None, None, None], xp.flip(buf, axis=ax), buf), single)


def random_rotation(key: Any, x: Any) -> Array:
    """Each image rotated by a random multiple of 90 degrees (0, 90, 180 or 270,
    counter-clockwise, equally likely). Images must be square.

    Examples
    --------
    >>> T.random_rotation(nr.random.key(0), nr.ones((1, 8, 8))).shape
    (1, 8, 8)
    """
    op = "random_rotation"
    key = as_key(op, key)
    buf, single = _batch(op, x)
    if buf.shape[-1] != buf.shape[-2]:
        raise ShapeError(
            f"{op}: argument 'x' expected square images (H == W), got H={buf.shape[-2]}, "
            f"W={buf.shape[-1]}"
        )
    xp = backend.namespace(buf)
    turns = _on(xp, random.randint(key, (buf.shape[0],), 0, 4))
    rotations = xp.stack([xp.rot90(buf, k, axes=(-2, -1)) for k in range(4)])
    return _done(rotations[turns, xp.arange(buf.shape[0])], single)


def _channel_values(op: str, name: str, value: Any, c: int, xp: Any, dtype: Any) -> Any:
    v = np.asarray(value.numpy() if isinstance(value, Array) else value, dtype=np.float64)
    if v.ndim > 1 or (v.ndim == 1 and v.shape[0] not in (1, c)):
        raise ShapeError(
            f"{op}: argument '{name}' expected a number or one value per channel ({c}), got "
            f"shape {v.shape}"
        )
    return xp.asarray(v.reshape(-1, 1, 1), dtype=dtype)


def normalize(x: Any, mean: Any, std: Any) -> Array:
    """``(x - mean) / std`` per channel; ``mean`` and ``std`` are numbers or one value per
    channel. Integer images become ``float32``.

    Examples
    --------
    >>> T.normalize(nr.ones((3, 2, 2)), mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])[0, 0, 0]
    Array(1., dtype=float32)
    """
    op = "normalize"
    buf, single = _batch(op, x)
    xp = backend.namespace(buf)
    dtype = buf.dtype if dtypes.is_float(buf.dtype) else dtypes.float32
    c = buf.shape[1]
    m = _channel_values(op, "mean", mean, c, xp, dtype)
    s = _channel_values(op, "std", std, c, xp, dtype)
    if not bool((s > 0).all()):
        raise DataError(f"{op}: argument 'std' expected positive values, got {std!r}")
    return _done((buf.astype(dtype) - m) / s, single)


def _strength(op: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise DataError(f"{op}: argument '{name}' expected a number >= 0, got {value!r}")
    return float(value)


def color_jitter(key: Any, x: Any, brightness: float = 0.0, contrast: float = 0.0) -> Array:
    """Random brightness then contrast changes per image, for float images in ``[0, 1]``.

    Brightness multiplies by ``b`` uniform in ``[max(0, 1 - brightness), 1 + brightness]``;
    contrast blends with the image's mean grey level by ``c`` drawn the same way from
    ``contrast`` (torchvision's definitions); results are clipped to ``[0, 1]``.

    Examples
    --------
    >>> T.color_jitter(nr.random.key(0), nr.full((3, 4, 4), 0.5), brightness=0.2).shape
    (3, 4, 4)
    """
    op = "color_jitter"
    key = as_key(op, key)
    buf, single = _batch(op, x)
    if not dtypes.is_float(buf.dtype):
        raise DTypeError(
            f"{op}: argument 'x' expected a floating image with values in [0, 1], got dtype "
            f"{buf.dtype} (convert with x.astype(nr.float32) / 255)"
        )
    xp = backend.namespace(buf)
    n = buf.shape[0]
    kb, kc = random.split(key)
    out = buf
    for k, amount, is_contrast in ((kb, brightness, False), (kc, contrast, True)):
        amount = _strength(op, "contrast" if is_contrast else "brightness", amount)
        if amount == 0:
            continue
        factor = random.uniform(k, (n, 1, 1, 1), minval=max(0.0, 1 - amount), maxval=1 + amount)
        f = _on(xp, factor).astype(buf.dtype)
        if is_contrast:
            grey = out.mean(axis=1, keepdims=True)
            if out.shape[1] == 3:
                weights = xp.asarray([0.299, 0.587, 0.114], dtype=buf.dtype).reshape(1, 3, 1, 1)
                grey = (out * weights).sum(axis=1, keepdims=True)
            level = grey.mean(axis=(1, 2, 3), keepdims=True)
            out = (out - level) * f + level
        else:
            out = out * f
        out = xp.clip(out, 0, 1).astype(buf.dtype)
    return _done(out, single)


def compose(*fns: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    """One transform ``f(key, x)`` applying ``fns`` in order, each random one with its own
    key split from ``key``. Functions taking two required positional arguments are called
    ``fn(key, x)``; others ``fn(x)``.

    Examples
    --------
    >>> flip_then_scale = T.compose(T.random_flip, lambda x: x * 2)
    >>> flip_then_scale(nr.random.key(0), nr.ones((3, 4, 4))).shape
    (3, 4, 4)
    """
    for i, fn in enumerate(fns):
        if not callable(fn):
            raise DataError(f"compose: argument {i} expected a callable, got {type(fn).__name__}")
    keyed = [takes_key(fn) for fn in fns]

    def composed(key: Any, x: Any) -> Any:
        keys = random.split(as_key("compose", key), len(fns)) if any(keyed) else None
        for i, (fn, needs_key) in enumerate(zip(fns, keyed, strict=True)):
            x = fn(keys[i], x) if needs_key else fn(x)
        return x

    return composed
