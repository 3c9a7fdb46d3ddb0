"""Counter-based random numbers with explicit keys.

A key is a ``uint32`` array of shape ``(2,)`` (JAX's raw key layout). Its 64 bits key a
Philox-4x64-10 stream, a counter-based generator whose output is fixed by the algorithm, so the
same key, shape and dtype give bit-identical numbers on every run, NumPy version and platform.
Every distribution is derived from those raw bits by the formulas in this file; NumPy's
``Generator`` methods, whose algorithms may change between versions, are never used.

The second word of the Philox key separates purposes: draws (0), :func:`split` (1) and
:func:`fold_in` (2), so a key's children never repeat its own numbers.

Each function draws through a primitive of the key (shape, dtype and the other arguments are
its static params), so the functions work under every transform: with a batched key under
``nr.vmap`` every example gets the numbers of its own key. One key is drawn by NumPy's Philox
bit generator; several keys at once by a vectorized Philox in NumPy that gives the same words
(the generator is counter-based, so word ``i`` of every stream is one independent function of
key and counter). Arguments that shape the sampling on the host (bounds of
``truncated_normal`` and ``randint``, ``choice``'s ``p``) need concrete values; ``uniform``'s
bounds, ``bernoulli``'s ``p`` and ``categorical``'s ``logits`` may also vary per example.

The draws are constants to differentiation (CPU arrays unless ``bernoulli`` is given a device);
``permutation`` and ``choice`` of an array are differentiable in that array.
"""

from __future__ import annotations

import functools
import math
import operator
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import backend, dtypes
from .array import Array, wrap
from .batching import Dims, to_front
from .errors import AxisError, ConcretizationError, DTypeError, ShapeError
from .opinfo import OpInfo, Sample, rand_shape, register
from .ops.creation import shape_tuple
from .primitive import Primitive, ShapedArray

__all__ = [
    "key",
    "split",
    "fold_in",
    "bits",
    "uniform",
    "normal",
    "truncated_normal",
    "randint",
    "bernoulli",
    "categorical",
    "permutation",
    "choice",
    "gumbel",
    "exponential",
    "rand",
    "randn",
]

_DRAW, _SPLIT, _FOLD = 0, 1, 2
_MASK32 = 0xFFFFFFFF
_TWO64 = 1 << 64
_KEY_SHAPE = (2,)
# Significand bits (the implicit one included): how many random bits a uniform value uses.
_MANTISSA_BITS = {dtypes.float16: 11, dtypes.bfloat16: 8, dtypes.float32: 24, dtypes.float64: 53}


# ------------------------------------------------------------------ Philox-4x64-10

_PHILOX_M0 = np.uint64(0xD2E7470EE14C6C93)
_PHILOX_M1 = np.uint64(0xCA5A826395121157)
_PHILOX_W0 = np.uint64(0x9E3779B97F4A7C15)
_PHILOX_W1 = np.uint64(0xBB67AE8584CAA73B)
_LOW32 = np.uint64(_MASK32)
_SHIFT32 = np.uint64(32)


def _mulhilo(a: np.uint64, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The high and low 64-bit words of the 128-bit products ``a * b``."""
    a_lo, a_hi = a & _LOW32, a >> _SHIFT32
    b_lo, b_hi = b & _LOW32, b >> _SHIFT32
    lh, hl = a_lo * b_hi, a_hi * b_lo
    middle = ((a_lo * b_lo) >> _SHIFT32) + (lh & _LOW32) + (hl & _LOW32)
    hi = a_hi * b_hi + (lh >> _SHIFT32) + (hl >> _SHIFT32) + (middle >> _SHIFT32)
    return hi, a * b


def _philox(c0: np.ndarray, c1: np.ndarray, k0: np.ndarray, k1: np.ndarray) -> np.ndarray:
    """Philox-4x64-10 blocks for counters ``(c0, c1, 0, 0)`` and keys ``(k0, k1)`` (uint64
    arrays that broadcast together): shape ``(..., 4)``, the words in NumPy's output order."""
    shape = np.broadcast_shapes(np.shape(c0), np.shape(c1), np.shape(k0), np.shape(k1))
    x0 = np.broadcast_to(c0, shape)
    x1 = np.broadcast_to(c1, shape)
    x2 = x3 = np.zeros(shape, dtype=np.uint64)
    k0 = np.array(np.broadcast_to(k0, shape), dtype=np.uint64)
    k1 = np.array(np.broadcast_to(k1, shape), dtype=np.uint64)
    for r in range(10):
        if r:
            k0 += _PHILOX_W0
            k1 += _PHILOX_W1
        hi0, lo0 = _mulhilo(_PHILOX_M0, x0)
        hi1, lo1 = _mulhilo(_PHILOX_M1, x2)
        x0, x1, x2, x3 = hi1 ^ x1 ^ k0, lo1, hi0 ^ x3 ^ k1, lo0
    return np.stack([x0, x1, x2, x3], axis=-1)


_PER_THREAD = threading.local()
_EMPTY_BUFFER = np.zeros(4, dtype=np.uint64)


def _generator(word: int, purpose: int = _DRAW, counter: int = 0) -> np.random.Philox:
    """This thread's Philox bit generator, set to key ``(word, purpose)`` at ``counter``.

    Setting the state of one reused generator costs a tenth of building a new one (which also
    reads OS entropy for a seed it then ignores).
    """
    bg = getattr(_PER_THREAD, "philox", None)
    if bg is None:
        bg = _PER_THREAD.philox = np.random.Philox(key=np.zeros(2, dtype=np.uint64))
    bg.state = {
        "bit_generator": "Philox",
        "state": {
            "counter": np.array([counter, 0, 0, 0], dtype=np.uint64),
            "key": np.array([word, purpose], dtype=np.uint64),
        },
        "buffer": _EMPTY_BUFFER,
        "buffer_pos": 4,
        "has_uint32": 0,
        "uinteger": 0,
    }
    return bg


def _stream(words: np.ndarray, n: int, purpose: int = _DRAW, counter: Any = 0) -> np.ndarray:
    """The first ``n`` raw words of the stream of each key word in ``words`` (shape ``(K,)``),
    started at ``counter`` (an int, or one per key): shape ``(K, n)``.

    One key runs NumPy's Philox; several run :func:`_philox` on every (key, block) at once.
    Word ``i`` comes from block ``i // 4`` with counter ``counter + 1 + i // 4`` (NumPy
    increments the 256-bit counter before each block).
    """
    start = np.asarray(counter, dtype=np.uint64).reshape(-1)
    if words.shape[0] == 1:
        return _generator(int(words[0]), purpose, int(start[0])).random_raw(n)[None]
    blocks = -(-n // 4)
    c0 = start[:, None] + np.arange(1, blocks + 1, dtype=np.uint64)
    carry = (c0 < start[:, None]).astype(np.uint64)
    out = _philox(c0, carry, words[:, None], np.uint64(purpose))
    return out.reshape(words.shape[0], 4 * blocks)[:, :n]


def _stream_at(words: np.ndarray, rows: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Word ``index[j]`` of the draw stream of key ``words[rows[j]]``, for every ``j``."""
    four = np.uint64(4)
    blocks = _philox(index // four + np.uint64(1), np.uint64(0), words[rows], np.uint64(_DRAW))
    return blocks[np.arange(index.shape[0]), (index % four).astype(np.intp)]


def _words_to_keys(words: np.ndarray) -> np.ndarray:
    """Each uint64 word as a key ``[high 32 bits, low 32 bits]``."""
    return np.stack([words >> np.uint64(32), words & np.uint64(_MASK32)], axis=-1).astype(np.uint32)


def _key_words(keys: Any) -> np.ndarray:
    """The 64-bit word of every key in a ``(*K, 2)`` uint32 buffer (on the host): ``(K,)``."""
    host = keys if isinstance(keys, (np.ndarray, np.generic)) else keys.get()
    pairs = np.asarray(host).reshape(-1, 2).astype(np.uint64)
    return (pairs[:, 0] << np.uint64(32)) | pairs[:, 1]


def _check_key(fn: str, key: Any) -> Array:
    """``key`` as an Array (a tracer stays one), or an error naming ``fn``'s argument 'key'.

    Only the shape and dtype are read, so a traced key (batched by vmap) passes.
    """
    if isinstance(key, np.ndarray):
        key = wrap(key)
    elif not isinstance(key, Array):
        raise DTypeError(
            f"{fn}: argument 'key' expected a key (a uint32 array of shape (2,) made by "
            f"nr.random.key(seed) or nr.random.split), got {type(key).__name__} {key!r}"
        )
    if key.dtype != np.uint32:
        raise DTypeError(
            f"{fn}: argument 'key' expected a key of dtype uint32 (from nr.random.key), "
            f"got dtype {key.dtype}"
        )
    shape = tuple(key.shape)
    if shape != _KEY_SHAPE:
        raise ShapeError(
            f"{fn}: argument 'key' expected one key of shape (2,), got shape {shape}"
            + (
                " (split keys: pass one row, keys[i], or map over them with nr.vmap)"
                if len(shape) == 2
                else ""
            )
        )
    return key


# ----------------------------------------------------------------- key primitives


def _draws(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """A kernel for keys with any leading dimensions ``(*K, 2)`` from ``fn(words, **params)``,
    which draws for the ``(K,)`` key words at once and returns ``(K, *shape)``; the optional
    param ``device`` places the draws on that device (the CPU by default)."""

    @functools.wraps(fn)
    def kernel(keys: Any, *, device: backend.Device | None = None, **params: Any) -> Any:
        out = fn(_key_words(keys), **params)
        out = out.reshape(tuple(keys.shape[:-1]) + out.shape[1:])
        return out if device is None else backend.put(out, device)

    return kernel


def _draw_shape(key: ShapedArray, *, shape: tuple[int, ...], dtype: Any, **_: Any) -> ShapedArray:
    return ShapedArray(tuple(key.shape[:-1]) + tuple(shape), np.dtype(dtype))


def _key_rule(prim: Primitive) -> Callable[..., tuple[Any, int]]:
    """The batching rule of a primitive of one key: its kernels take keys with leading
    dimensions, so a batch axis among them stays put and the key-word axis moves it to 0."""

    def rule(args: Sequence[Any], dims: Dims, **params: Any) -> tuple[Any, int]:
        (keys,), (d,) = args, dims
        if d == len(keys.shape) - 1:
            keys, d = to_front(keys, d), 0
        return prim.bind(keys, **params), d

    rule.__doc__ = f"Batched ``{prim.name}``: one draw per key, all keys in one kernel call."
    return rule


def _key_primitive(
    name: str, fn: Callable[..., np.ndarray], shape_rule: Callable[..., ShapedArray] = _draw_shape
) -> Primitive:
    """A non-differentiable primitive of one key, with its batching rule."""
    prim = Primitive(name, _draws(fn), shape_rule, differentiable=False)
    return prim.defbatch(_key_rule(prim))


def _bind(prim: Primitive, key: Array, **params: Any) -> Array:
    """``prim`` on ``key``: the kernel at once for a concrete key, else through ``bind``."""
    if key.__class__ is Array:
        return wrap(prim.impl(key._v, **params))
    return prim.bind(key, **params)


# -------------------------------------------------------------------- keys and bits


def key(seed: Any) -> Array:
    """A random key from an integer seed (any int in ``[-2**63, 2**64)``).

    >>> k = nr.random.key(0)
    >>> k.shape, k.dtype
    ((2,), dtype('uint32'))
    """
    if isinstance(seed, bool):
        raise DTypeError(f"key: argument 'seed' expected an int, got bool {seed!r}")
    try:
        value = operator.index(seed)
    except TypeError:
        raise DTypeError(
            f"key: argument 'seed' expected an int, got {type(seed).__name__} {seed!r}"
        ) from None
    if not -(1 << 63) <= value < _TWO64:
        raise ValueError(f"key: argument 'seed' expected an int in [-2**63, 2**64), got {value}")
    return wrap(_words_to_keys(np.array(value % _TWO64, dtype=np.uint64)))


def _split_words(words: np.ndarray, *, num: int) -> np.ndarray:
    return _words_to_keys(_stream(words, num, _SPLIT))


random_split_p = _key_primitive(
    "random_split",
    _split_words,
    lambda k, *, num: ShapedArray((*k.shape[:-1], num, 2), np.dtype(np.uint32)),
)


def split(key: Any, num: int = 2) -> Array:
    """``num`` new keys, shape ``(num, 2)``, independent of ``key`` and of each other.

    >>> k1, k2 = nr.random.split(nr.random.key(0))
    """
    k = _check_key("split", key)
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 0:
        raise ShapeError(f"split: argument 'num' expected a non-negative int, got {num!r}")
    return _bind(random_split_p, k, num=int(num))


def _fold_in_kernel(keys: Any, data: Any) -> np.ndarray:
    counters = np.asarray(data if isinstance(data, (np.ndarray, np.generic)) else data.get())
    words = _key_words(keys)
    out = _words_to_keys(_stream(words, 1, _FOLD, counters.reshape(-1))[:, 0])
    return out.reshape(tuple(keys.shape))


def _fold_in_batch(args: Sequence[Any], dims: Dims) -> tuple[Any, int]:
    """Batched ``random_fold_in``: keys and data (both may vary) with the batch axis first."""
    (keys, data), (kd, dd) = args, dims
    size = keys.shape[kd] if kd is not None else data.shape[dd]
    return random_fold_in_p.bind(to_front(keys, kd, size), to_front(data, dd, size)), 0


random_fold_in_p = Primitive(
    "random_fold_in",
    _fold_in_kernel,
    lambda k, data: ShapedArray(tuple(k.shape), np.dtype(np.uint32)),
    differentiable=False,
).defbatch(_fold_in_batch)


def _fold_data(data: Any) -> Array:
    """``data`` (an int, or an integer 0-d array that may be traced) as uint64 modulo 2**64."""
    if isinstance(data, Array) and data.ndim == 0 and data.dtype.kind in "iu":
        from .ops import astype

        wide = data if data.dtype.kind == "u" else astype(data, dtypes.int64)
        return astype(wide, dtypes.uint64)
    if isinstance(data, bool) or not isinstance(data, (int, np.integer)):
        raise DTypeError(
            f"fold_in: argument 'data' expected an int, got {type(data).__name__} {data!r}"
        )
    value = int(data)
    if not -(1 << 63) <= value < _TWO64:
        raise ValueError(
            f"fold_in: argument 'data' expected an int in [-2**63, 2**64), got {value}"
        )
    return wrap(np.array(value % _TWO64, dtype=np.uint64))


def fold_in(key: Any, data: Any) -> Array:
    """A new key from ``key`` and an integer ``data`` (distinct ``data`` give distinct keys;
    ``data`` may be a 0-d integer array, also one that varies per example under vmap).

    >>> step_key = nr.random.fold_in(nr.random.key(0), 7)
    """
    k = _check_key("fold_in", key)
    d = _fold_data(data)
    if k.__class__ is Array and d.__class__ is Array:
        return wrap(_fold_in_kernel(k._v, d._v))
    return random_fold_in_p.bind(k, d)


def _raw32(words: np.ndarray, n: int) -> np.ndarray:
    """``n`` 32-bit words per key: each 64-bit word gives its low half first, on every
    platform."""
    raw = np.ascontiguousarray(_stream(words, (n + 1) // 2), dtype="<u8")
    return raw.view("<u4")[:, :n]


def _bits(words: np.ndarray, *, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    n, k = math.prod(shape), words.shape[0]
    if dtype.itemsize == 8:
        return _stream(words, n).reshape((k, *shape))
    per_word = 4 // dtype.itemsize
    raw = np.ascontiguousarray(_raw32(words, -(-n // per_word)), dtype="<u4")
    return raw.view(f"<u{dtype.itemsize}")[:, :n].astype(dtype).reshape((k, *shape))


random_bits_p = _key_primitive("random_bits", _bits)


def bits(key: Any, shape: Any = (), dtype: Any = dtypes.uint32) -> Array:
    """Raw random bits as unsigned integers (``uint8``, ``uint16``, ``uint32`` or ``uint64``)."""
    k = _check_key("bits", key)
    size = shape_tuple("bits", shape)
    dt = dtypes.canonicalize(dtype, "bits")
    if dt.kind != "u":
        raise DTypeError(f"bits: argument 'dtype' expected an unsigned integer dtype, got {dt}")
    return _bind(random_bits_p, k, shape=size, dtype=dt)


# ------------------------------------------------------------------ continuous


def _float_dtype(fn: str, dtype: Any, complex_ok: bool = False) -> np.dtype:
    dt = dtypes.canonicalize(dtype, fn)
    if dtypes.is_float(dt) or (complex_ok and dt.kind == "c"):
        return dt
    kinds = "a floating or complex" if complex_ok else "a floating"
    raise DTypeError(f"{fn}: argument 'dtype' expected {kinds} dtype, got {dt}")


def _open_unit(words: np.ndarray, n: int) -> np.ndarray:
    """``n`` float64 values per key in the open interval (0, 1): 52 random bits, centred."""
    return ((_stream(words, n) >> np.uint64(12)).astype(np.float64) + 0.5) * 2.0**-52


def _unit64(raw: np.ndarray) -> np.ndarray:
    """float64 values in [0, 1) from the top 53 bits of uint64 words."""
    return (raw >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _concrete(value: Any) -> Any:
    """The host buffer of an Array, or None when it has no concrete value (traced)."""
    try:
        buf = value._buffer()
    except ConcretizationError:
        return None
    return buf if isinstance(buf, (np.ndarray, np.generic)) else buf.get()


def _host(fn: str, name: str, value: Any, dtype: Any = np.float64) -> np.ndarray:
    """``value`` (an Array, array-like or scalar) as a NumPy array of ``dtype`` on the host."""
    if isinstance(value, Array):
        buf = _concrete(value)
        if buf is None:
            raise ConcretizationError(
                f"{fn}: argument '{name}' needs a concrete value (it sets up the sampling on "
                f"the host), got a traced array of shape {tuple(value.shape)} (one that varies "
                "per example under vmap, or is staged by jit); pass it as a constant, e.g. "
                "with in_axes=None"
            )
        value = buf
    try:
        return np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise DTypeError(
            f"{fn}: argument '{name}' expected numbers or an array, "
            f"got {type(value).__name__} {value!r}"
        ) from None


def _operand(fn: str, name: str, value: Any, dtype: np.dtype) -> tuple[Array, Any]:
    """``value`` as an Array of ``dtype`` and its host value (None when it is traced)."""
    from .ops import astype

    if isinstance(value, Array):
        return astype(value, dtype), _concrete(value)
    host = _host(fn, name, value, dtype)
    return wrap(host), host


def _broadcast(fn: str, shape: tuple[int, ...], **arrays: Any) -> list[Any]:
    """Each array broadcast to ``shape`` (a traced Array is checked by its shape and returned
    as it is), or a ShapeError naming the argument."""
    out = []
    for name, a in arrays.items():
        got = tuple(a.shape) if isinstance(a, Array) else tuple(np.shape(a))
        if not _broadcasts_to(got, shape):
            raise ShapeError(
                f"{fn}: argument '{name}' expected a shape that broadcasts to {shape}, got {got}"
            )
        out.append(a if isinstance(a, Array) else np.broadcast_to(a, shape))
    return out


def _uniform_unit(
    words: np.ndarray, *, shape: tuple[int, ...], mantissa: int, dtype: np.dtype
) -> np.ndarray:
    n, k = math.prod(shape), words.shape[0]
    if dtype.itemsize == 8:
        unit = (_stream(words, n) >> np.uint64(64 - mantissa)).astype(np.float64)
        unit *= 2.0**-mantissa
    else:
        unit = (_raw32(words, n) >> np.uint32(32 - mantissa)).astype(np.float32)
        unit *= np.float32(2.0**-mantissa)
    return unit.reshape((k, *shape))


random_uniform_p = _key_primitive("random_uniform", _uniform_unit)


def _unit(key: Array, size: tuple[int, ...], dt: np.dtype) -> Array:
    """Uniform values ``k * 2**-mantissa`` in [0, 1), with ``dt``'s mantissa bits, computed
    in float64 for float64 and in float32 otherwise."""
    compute = np.dtype(np.float64) if dt.itemsize == 8 else np.dtype(np.float32)
    return _bind(random_uniform_p, key, shape=size, mantissa=_MANTISSA_BITS[dt], dtype=compute)


def uniform(
    key: Any,
    shape: Any = (),
    dtype: Any = dtypes.float32,
    minval: Any = 0.0,
    maxval: Any = 1.0,
) -> Array:
    """Uniform floats in ``[minval, maxval)``.

    Each value uses as many random bits as ``dtype`` has mantissa bits (24 for float32, 53 for
    float64), so every representable multiple of the unit step is equally likely. The bounds
    may be arrays, also ones that vary per example under vmap.

    >>> x = nr.random.uniform(nr.random.key(0), (2, 3))
    >>> bool(((x >= 0) & (x < 1)).all())
    True
    """
    from .ops import (
        add,
        astype,
        full,
        maximum,
        minimum,
        multiply,
        nextafter,
        stop_gradient,
        subtract,
    )

    k = _check_key("uniform", key)
    size = shape_tuple("uniform", shape)
    dt = _float_dtype("uniform", dtype)
    unit = _unit(k, size, dt)
    lo, lo_host = _operand("uniform", "minval", minval, unit.dtype)
    hi, hi_host = _operand("uniform", "maxval", maxval, unit.dtype)
    _broadcast("uniform", size, minval=lo, maxval=hi)
    if lo_host is not None and hi_host is not None:
        lo_np, hi_np = np.asarray(lo_host, unit.dtype), np.asarray(hi_host, unit.dtype)
        if not np.all(lo_np <= hi_np):
            raise ValueError(
                f"uniform: arguments 'minval' and 'maxval' expected minval <= maxval, "
                f"got {minval!r} and {maxval!r}"
            )
        if lo_np.ndim == hi_np.ndim == 0 and lo_np == 0 and hi_np == 1:
            return astype(unit, dt)
    lo, hi = stop_gradient(lo), stop_gradient(hi)
    values = astype(add(multiply(unit, subtract(hi, lo)), lo), dt)
    lo_d, hi_d = astype(lo, dt), astype(hi, dt)
    below = nextafter(hi_d, full(tuple(hi_d.shape), -np.inf, dtype=dt))
    return maximum(minimum(values, below), lo_d)


def _standard_normal(words: np.ndarray, n: int) -> np.ndarray:
    """``n`` float64 standard normals per key by Box-Muller on pairs of 53-bit uniforms.

    Pairs are consecutive, so a longer draw from the same key starts with the shorter one.
    """
    k, pairs = words.shape[0], (n + 1) // 2
    raw = _stream(words, 2 * pairs).reshape(k, pairs, 2)
    radius = np.sqrt(-2.0 * np.log1p(-_unit64(raw[..., 0])))
    angle = (2.0 * np.pi) * _unit64(raw[..., 1])
    out = np.empty((k, pairs, 2))
    out[..., 0] = radius * np.cos(angle)
    out[..., 1] = radius * np.sin(angle)
    return out.reshape(k, 2 * pairs)[:, :n]


def _normal(words: np.ndarray, *, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    n, k = math.prod(shape), words.shape[0]
    if dtype.kind == "c":
        z = _standard_normal(words, 2 * n) * math.sqrt(0.5)
        return (z[:, 0::2] + 1j * z[:, 1::2]).astype(dtype).reshape((k, *shape))
    return _standard_normal(words, n).astype(dtype).reshape((k, *shape))


random_normal_p = _key_primitive("random_normal", _normal)


def normal(key: Any, shape: Any = (), dtype: Any = dtypes.float32) -> Array:
    """Standard normal values (mean 0, variance 1; complex: variance 1/2 per part).

    Computed in float64 by the Box-Muller transform and rounded once to ``dtype``.
    """
    k = _check_key("normal", key)
    size = shape_tuple("normal", shape)
    dt = _float_dtype("normal", dtype, complex_ok=True)
    return _bind(random_normal_p, k, shape=size, dtype=dt)


def _ndtr(x: np.ndarray) -> np.ndarray:
    """The standard normal CDF, accurate in the lower tail."""
    erfc = np.frompyfunc(math.erfc, 1, 1)
    return 0.5 * np.asarray(erfc(-x / math.sqrt(2.0)), dtype=np.float64)


def _poly(coefficients: tuple[float, ...], r: np.ndarray) -> np.ndarray:
    """Horner evaluation, highest-degree coefficient first."""
    out = np.full_like(r, coefficients[0])
    for c in coefficients[1:]:
        out = out * r + c
    return out


# Wichura's algorithm AS241 (PPND16): the inverse normal CDF to about 1e-16 relative error.
_AS241_CENTRAL = (
    (
        2509.0809287301226727,
        33430.575583588128105,
        67265.770927008700853,
        45921.953931549871457,
        13731.693765509461125,
        1971.5909503065514427,
        133.14166789178437745,
        3.387132872796366608,
    ),
    (
        5226.495278852545925,
        28729.085735721942674,
        39307.89580009271061,
        21213.794301586595867,
        5394.1960214247511077,
        687.1870074920579083,
        42.313330701600911252,
        1.0,
    ),
)
_AS241_NEAR = (
    (
        7.7454501427834140764e-4,
        0.0227238449892691845833,
        0.24178072517745061177,
        1.27045825245236838258,
        3.64784832476320460504,
        5.7694972214606914055,
        4.6303378461565452959,
        1.42343711074968357734,
    ),
    (
        1.05075007164441684324e-9,
        5.475938084995344946e-4,
        0.0151986665636164571966,
        0.14810397642748007459,
        0.68976733498510000455,
        1.6763848301838038494,
        2.05319162663775882187,
        1.0,
    ),
)
_AS241_FAR = (
    (
        2.01033439929228813265e-7,
        2.71155556874348757815e-5,
        0.0012426609473880784386,
        0.026532189526576123093,
        0.29656057182850489123,
        1.7848265399172913358,
        5.4637849111641143699,
        6.6579046435011037772,
    ),
    (
        2.04426310338993978564e-15,
        1.4215117583164458887e-7,
        1.8463183175100546818e-5,
        7.868691311456132591e-4,
        0.0148753612908506148525,
        0.13692988092273580531,
        0.59983220655588793769,
        1.0,
    ),
)


def _ndtri(p: np.ndarray) -> np.ndarray:
    """The inverse of the standard normal CDF for ``p`` in (0, 1) (AS241)."""
    q = p - 0.5
    out = np.empty_like(q)
    central = np.abs(q) <= 0.425
    qc = q[central]
    rc = 0.180625 - qc * qc
    out[central] = qc * _poly(_AS241_CENTRAL[0], rc) / _poly(_AS241_CENTRAL[1], rc)
    tails = ~central
    qt, pt = q[tails], p[tails]
    r = np.sqrt(-np.log(np.minimum(pt, 1.0 - pt)))
    near = r <= 5.0
    value = np.empty_like(r)
    rn, rf = r[near] - 1.6, r[~near] - 5.0
    value[near] = _poly(_AS241_NEAR[0], rn) / _poly(_AS241_NEAR[1], rn)
    value[~near] = _poly(_AS241_FAR[0], rf) / _poly(_AS241_FAR[1], rf)
    out[tails] = np.copysign(value, qt)
    return out


def _truncated_normal(
    words: np.ndarray,
    *,
    shape: tuple[int, ...],
    dtype: np.dtype,
    lower: np.ndarray,
    upper: np.ndarray,
) -> np.ndarray:
    # Work on the side of zero where the CDF keeps its precision: mirror positive intervals.
    k = words.shape[0]
    flip = lower > 0
    a = np.where(flip, -upper, lower)
    b = np.where(flip, -lower, upper)
    cdf_a, cdf_b = _ndtr(a), _ndtr(b)
    u = _open_unit(words, math.prod(shape)).reshape((k, *shape)) * (cdf_b - cdf_a) + cdf_a
    x = np.clip(_ndtri(u.reshape(-1)).reshape(u.shape), a, b)
    x = np.where(flip, -x, x).astype(dtype)
    return np.clip(x, lower.astype(dtype), upper.astype(dtype))


random_truncated_normal_p = _key_primitive("random_truncated_normal", _truncated_normal)


def truncated_normal(
    key: Any, lower: Any, upper: Any, shape: Any = None, dtype: Any = dtypes.float32
) -> Array:
    """Standard normal values conditioned on ``lower <= x <= upper``.

    Sampled by inverting the normal CDF in float64 on the side of zero where it is accurate,
    so far tails (``lower=6``) work. ``shape`` defaults to the broadcast of the bounds, which
    need concrete values.
    """
    k = _check_key("truncated_normal", key)
    lo = _host("truncated_normal", "lower", lower)
    hi = _host("truncated_normal", "upper", upper)
    if shape is None:
        try:
            size = np.broadcast_shapes(lo.shape, hi.shape)
        except ValueError:
            raise ShapeError(
                f"truncated_normal: arguments 'lower' and 'upper' expected broadcastable "
                f"shapes, got {lo.shape} and {hi.shape}"
            ) from None
    else:
        size = shape_tuple("truncated_normal", shape)
    dt = _float_dtype("truncated_normal", dtype)
    _broadcast("truncated_normal", size, lower=lo, upper=hi)
    if not np.all(lo < hi):
        raise ValueError(
            f"truncated_normal: arguments 'lower' and 'upper' expected lower < upper, "
            f"got {lower!r} and {upper!r}"
        )
    return _bind(random_truncated_normal_p, k, shape=size, dtype=dt, lower=lo, upper=hi)


def _gumbel(words: np.ndarray, *, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    noise = -np.log(-np.log(_open_unit(words, math.prod(shape))))
    return noise.astype(dtype).reshape((words.shape[0], *shape))


def _exponential(words: np.ndarray, *, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    u = _unit64(_stream(words, math.prod(shape)))
    return (-np.log1p(-u)).astype(dtype).reshape((words.shape[0], *shape))


random_gumbel_p = _key_primitive("random_gumbel", _gumbel)
random_exponential_p = _key_primitive("random_exponential", _exponential)


def gumbel(key: Any, shape: Any = (), dtype: Any = dtypes.float32) -> Array:
    """Standard Gumbel values, ``-log(-log(u))`` (mean: the Euler-Mascheroni constant)."""
    k = _check_key("gumbel", key)
    size = shape_tuple("gumbel", shape)
    dt = _float_dtype("gumbel", dtype)
    return _bind(random_gumbel_p, k, shape=size, dtype=dt)


def exponential(key: Any, shape: Any = (), dtype: Any = dtypes.float32) -> Array:
    """Standard exponential values (rate 1), ``-log(1 - u)``."""
    k = _check_key("exponential", key)
    size = shape_tuple("exponential", shape)
    dt = _float_dtype("exponential", dtype)
    return _bind(random_exponential_p, k, shape=size, dtype=dt)


# -------------------------------------------------------------------- discrete


def _int_bound(fn: str, name: str, value: Any, dt: np.dtype, lo: int, hi: int) -> Any:
    """A bound as a Python int or an integer array of ``dt``, checked against ``[lo, hi]``."""
    if isinstance(value, (Array, np.ndarray, list, tuple)):
        arr = _host(fn, name, value, None)
        if arr.dtype.kind not in "iu":
            raise DTypeError(f"{fn}: argument '{name}' expected integers, got dtype {arr.dtype}")
        if arr.size and not (lo <= int(arr.min()) and int(arr.max()) <= hi):
            raise ValueError(
                f"{fn}: argument '{name}' expected values in [{lo}, {hi}] for dtype {dt}, "
                f"got values in [{arr.min()}, {arr.max()}]"
            )
        return arr.astype(dt) if arr.ndim else int(arr)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise DTypeError(
            f"{fn}: argument '{name}' expected an int, got {type(value).__name__} {value!r}"
        )
    if not lo <= int(value) <= hi:
        raise ValueError(
            f"{fn}: argument '{name}' expected a value in [{lo}, {hi}] for dtype {dt}, got {value}"
        )
    return int(value)


def _as_u64(bound: Any) -> np.ndarray:
    """A bound as uint64 words modulo 2**64."""
    if isinstance(bound, int):
        return np.array(bound % _TWO64, dtype=np.uint64)
    wide = np.int64 if bound.dtype.kind == "i" else np.uint64
    return bound.astype(wide).astype(np.uint64)


def _randint_offsets(words: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Unbiased offsets in ``[0, span)`` (``span == 0`` stands for 2**64), by rejection, for
    every key: shape ``(K, span.size)``.

    A word is kept when it is at least ``2**64 mod span``, so the kept range is a whole
    number of spans; rejected words are replaced, in order, by the next words of the same
    key's stream (all keys' rejections are redrawn together).
    """
    k, n = words.shape[0], span.size
    safe = np.where(span == 0, np.uint64(1), span)
    threshold = np.where(span == 0, np.uint64(0), (np.uint64(0) - safe) % safe)
    raw = np.array(_stream(words, n))
    rows, cols = np.nonzero(raw < threshold)
    used = np.full(k, n, dtype=np.uint64)
    while rows.size:
        rank = np.arange(rows.size) - np.searchsorted(rows, rows)
        raw[rows, cols] = _stream_at(words, rows, used[rows] + rank.astype(np.uint64))
        used += np.bincount(rows, minlength=k).astype(np.uint64)
        redo = raw[rows, cols] < threshold[cols]
        rows, cols = rows[redo], cols[redo]
    return np.where(span == 0, raw, raw % safe)


def _randint(
    words: np.ndarray,
    *,
    shape: tuple[int, ...],
    dtype: np.dtype,
    low: np.ndarray,
    high: np.ndarray,
) -> np.ndarray:
    lo = np.broadcast_to(low, shape).ravel()
    span = np.broadcast_to(high, shape).ravel() - lo
    values = lo + _randint_offsets(words, span)
    signed = values.view(np.int64) if dtype.kind == "i" else values
    return signed.astype(dtype).reshape((words.shape[0], *shape))


random_randint_p = _key_primitive("random_randint", _randint)


def randint(key: Any, shape: Any, low: Any, high: Any, dtype: Any = dtypes.int64) -> Array:
    """Uniform integers in ``[low, high)``, exactly unbiased (rejection sampling).

    ``low`` and ``high`` are ints or integer arrays (with concrete values) that broadcast to
    ``shape``.

    >>> nr.random.randint(nr.random.key(0), (4,), 0, 10).dtype
    dtype('int64')
    """
    k = _check_key("randint", key)
    size = shape_tuple("randint", shape)
    dt = dtypes.canonicalize(dtype, "randint")
    if dt.kind not in "iu":
        raise DTypeError(f"randint: argument 'dtype' expected an integer dtype, got {dt}")
    info = np.iinfo(dt)
    lo = _int_bound("randint", "low", low, dt, int(info.min), int(info.max))
    hi = _int_bound("randint", "high", high, dt, int(info.min) + 1, int(info.max) + 1)
    unbounded = isinstance(hi, int) and hi > info.max
    if not (unbounded or np.all(np.asarray(lo, dt) < np.asarray(hi, dt))):
        raise ValueError(
            f"randint: arguments 'low' and 'high' expected low < high, got {low!r} and {high!r}"
        )
    lo_u, hi_u = _broadcast("randint", size, low=_as_u64(lo), high=_as_u64(hi))
    return _bind(random_randint_p, k, shape=size, dtype=dt, low=lo_u, high=hi_u)


def bernoulli(key: Any, p: Any = 0.5, shape: Any = None, *, device: Any = None) -> Array:
    """Booleans that are True with probability ``p`` (``shape`` defaults to ``p``'s shape).

    ``p`` may be an array, also one that varies per example under vmap. ``device`` places the
    result (default: the CPU), also when the key is batched by vmap (dropout masks for arrays
    on a GPU).
    """
    from .ops import less, to_device

    k = _check_key("bernoulli", key)
    prob, host = _operand("bernoulli", "p", p, np.dtype(np.float64))
    size = tuple(prob.shape) if shape is None else shape_tuple("bernoulli", shape)
    _broadcast("bernoulli", size, p=prob)
    if host is not None and not np.all((host >= 0) & (host <= 1)):
        raise ValueError(f"bernoulli: argument 'p' expected probabilities in [0, 1], got {p!r}")
    params: dict[str, Any] = {"shape": size, "mantissa": 53, "dtype": np.dtype(np.float64)}
    if device is not None:
        params["device"] = backend.device(device)
        if prob.__class__ is Array:
            prob = to_device(prob, params["device"])
    return less(_bind(random_uniform_p, k, **params), prob)


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def categorical(key: Any, logits: Any, axis: int = -1, shape: Any = None) -> Array:
    """Category indices (int64) drawn with probabilities ``softmax(logits, axis)``.

    Uses the Gumbel-max trick. The result has ``logits``' shape without ``axis``, or ``shape``
    (whose trailing dimensions must broadcast with that batch shape). ``logits`` may vary per
    example under vmap.
    """
    from .ops import add, argmax, astype, reshape

    k = _check_key("categorical", key)
    lg, _ = _operand("categorical", "logits", logits, np.dtype(np.float64))
    ndim = len(lg.shape)
    if ndim == 0:
        raise ShapeError("categorical: argument 'logits' expected at least 1 dimension, got 0-d")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise DTypeError(f"categorical: argument 'axis' expected an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise AxisError(
            f"categorical: argument 'axis' expected a value in [{-ndim}, {ndim}) for "
            f"logits with {ndim} dimensions, got {axis}"
        )
    axis = int(axis) % ndim
    lg_shape = tuple(lg.shape)
    batch = lg_shape[:axis] + lg_shape[axis + 1 :]
    size = batch if shape is None else shape_tuple("categorical", shape)
    lead = len(size) - len(batch)
    tail = size[lead:]
    if lead < 0 or not _broadcasts_to(batch, tail):
        raise ShapeError(
            f"categorical: argument 'shape' expected a shape that ends in one the logits' "
            f"batch shape {batch} broadcasts to, got {size}"
        )
    noise_shape = size[:lead] + tail[:axis] + lg_shape[axis : axis + 1] + tail[axis:]
    noise = _bind(random_gumbel_p, k, shape=noise_shape, dtype=np.dtype(np.float64))
    scores = add(noise, reshape(lg, (1,) * lead + lg_shape))
    return astype(argmax(scores, axis=lead + axis), dtypes.int64)


def _sort_keys_order(words: np.ndarray, n: int) -> np.ndarray:
    """A uniformly random ordering of ``range(n)`` per key: the stable argsort of 64-bit
    random keys."""
    return np.argsort(_stream(words, n), axis=-1, kind="stable").astype(np.int64)


def _permutation(words: np.ndarray, *, n: int) -> np.ndarray:
    return _sort_keys_order(words, n)


random_permutation_p = _key_primitive(
    "random_permutation",
    _permutation,
    lambda k, *, n: ShapedArray((*k.shape[:-1], n), np.dtype(np.int64)),
)


def _take(x: Array, indices: Array, axis: int) -> Array:
    """``x`` gathered along ``axis`` at ``indices`` (any shape)."""
    from . import ops

    out = ops.take(x, ops.reshape(indices, (-1,)), axis=axis)
    shape = tuple(x.shape)
    return ops.reshape(out, shape[:axis] + tuple(indices.shape) + shape[axis + 1 :])


def _population(fn: str, name: str, a: Any, axis: int) -> tuple[int, Array | None, int]:
    """``(n, array_or_None, axis)`` for an int population size or an array to sample from."""
    if isinstance(a, (int, np.integer)) and not isinstance(a, bool):
        if a < 0:
            raise ShapeError(f"{fn}: argument '{name}' expected a non-negative int, got {a}")
        return int(a), None, 0
    from .ops.arguments import normalize_axis, to_array

    try:
        x = to_array(fn, name, a)
    except TypeError:
        raise DTypeError(
            f"{fn}: argument '{name}' expected an int or an array, got {type(a).__name__}"
        ) from None
    if x.ndim == 0:
        raise ShapeError(
            f"{fn}: argument '{name}' expected an int or an array with at least 1 dimension, "
            f"got a 0-d array"
        )
    ax = normalize_axis(fn, axis, x.ndim)
    return x.shape[ax], x, ax


def permutation(key: Any, n_or_array: Any, axis: int = 0) -> Array:
    """A random permutation of ``range(n)`` (int64), or of ``n_or_array`` along ``axis``.

    >>> sorted(nr.random.permutation(nr.random.key(0), 5).tolist())
    [0, 1, 2, 3, 4]
    """
    k = _check_key("permutation", key)
    n, x, ax = _population("permutation", "n_or_array", n_or_array, axis)
    order = _bind(random_permutation_p, k, n=n)
    return order if x is None else _take(x, order, ax)


def _probabilities(fn: str, p: Any, n: int) -> np.ndarray:
    prob = _host(fn, "p", p)
    if prob.shape != (n,):
        raise ShapeError(f"{fn}: argument 'p' expected shape ({n},), got {prob.shape}")
    if not np.all(np.isfinite(prob) & (prob >= 0)) or not prob.sum() > 0:
        raise ValueError(
            f"{fn}: argument 'p' expected finite non-negative weights with a positive sum, "
            f"got {p!r}"
        )
    return prob


def _choice(
    words: np.ndarray,
    *,
    n: int,
    shape: tuple[int, ...],
    replace: bool,
    p: np.ndarray | None,
) -> np.ndarray:
    k = math.prod(shape)
    if replace and p is None:
        idx = _randint_offsets(words, np.full(k, n, dtype=np.uint64))
    elif replace:
        cdf = np.cumsum(p)
        idx = np.searchsorted(cdf, _unit64(_stream(words, k)) * cdf[-1], side="right")
        idx = np.minimum(idx, np.flatnonzero(p)[-1])
    elif p is None:
        idx = _sort_keys_order(words, n)[:, :k]
    else:
        with np.errstate(divide="ignore"):
            scores = np.log(p) - np.log(-np.log(_open_unit(words, n)))
        idx = np.argsort(-scores, axis=-1, kind="stable")[:, :k]
    return idx.astype(np.int64).reshape((words.shape[0], *shape))


random_choice_p = _key_primitive(
    "random_choice",
    _choice,
    lambda k, *, n, shape, replace, p: ShapedArray((*k.shape[:-1], *shape), np.dtype(np.int64)),
)


def choice(
    key: Any,
    a: Any,
    shape: Any = (),
    replace: bool = True,
    p: Any = None,
    axis: int = 0,
) -> Array:
    """Random samples from ``range(a)`` or from array ``a`` along ``axis``.

    With ``p`` (concrete weights), element ``i`` is drawn with probability ``p[i] / sum(p)``;
    without replacement the draws are successive (as NumPy's ``choice``), by Gumbel top-k.

    >>> nr.random.choice(nr.random.key(0), 10, (3,), replace=False).shape
    (3,)
    """
    k = _check_key("choice", key)
    n, x, ax = _population("choice", "a", a, axis)
    size = shape_tuple("choice", shape)
    count = math.prod(size)
    prob = None if p is None else _probabilities("choice", p, n)
    if replace:
        if count and not n:
            raise ShapeError(f"choice: argument 'a' expected a non-empty population, got {n}")
    else:
        available = n if prob is None else int(np.count_nonzero(prob))
        if count > available:
            raise ShapeError(
                f"choice: argument 'shape' expected at most {available} samples without "
                f"replacement from {available} candidates, got shape {size} ({count} samples)"
            )
    idx = _bind(random_choice_p, k, n=n, shape=size, replace=bool(replace), p=prob)
    return idx if x is None else _take(x, idx, ax)


# -------------------------------------------------------------------- aliases


def _alias_shape(shape: tuple[Any, ...]) -> Any:
    return shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


def rand(key: Any, *shape: Any, dtype: Any = dtypes.float32) -> Array:
    """Uniform values in [0, 1): ``nr.rand(key, 2, 3)`` is ``uniform(key, (2, 3))``."""
    return uniform(key, _alias_shape(shape), dtype)


def randn(key: Any, *shape: Any, dtype: Any = dtypes.float32) -> Array:
    """Standard normal values: ``nr.randn(key, 2, 3)`` is ``normal(key, (2, 3))``."""
    return normal(key, _alias_shape(shape), dtype)


# ------------------------------------------------------------------------- OpInfos
# References draw with NumPy's Philox for the one key of each sample and apply the formulas
# in NumPy; the vmap suite then checks the vectorized Philox of several keys against them.


def _sample_key(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 1 << 32, size=2, dtype=np.uint32)


def _one(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """A reference from a kernel body: the draws of one NumPy key."""

    def ref(key: np.ndarray, **params: Any) -> np.ndarray:
        return fn(_key_words(key), **params)[0]

    return ref


def _np_uniform(
    key: np.ndarray, lo: Any = 0.0, hi: Any = 1.0, *, shape: tuple[int, ...], dtype: Any
) -> np.ndarray:
    dt = np.dtype(dtype)
    compute = np.dtype(np.float64) if dt.itemsize == 8 else np.dtype(np.float32)
    unit = _uniform_unit(_key_words(key), shape=shape, mantissa=_MANTISSA_BITS[dt], dtype=compute)
    lo, hi = np.asarray(lo, compute), np.asarray(hi, compute)
    values = np.asarray(unit[0] * (hi - lo) + lo, dtype=dt)
    values = np.minimum(values, np.nextafter(hi.astype(dt), np.asarray(-np.inf, dtype=dt)))
    return np.maximum(values, lo.astype(dt))


def _np_bernoulli(key: np.ndarray, p: np.ndarray) -> np.ndarray:
    return _unit64(_stream(_key_words(key), p.size))[0].reshape(p.shape) < p


def _np_categorical(key: np.ndarray, logits: np.ndarray, *, axis: int) -> np.ndarray:
    noise = _gumbel(_key_words(key), shape=logits.shape, dtype=np.dtype(np.float64))[0]
    return np.argmax(noise + logits, axis=axis).astype(np.int64)


def _np_split(key: np.ndarray, *, num: int) -> np.ndarray:
    word = int(_key_words(key)[0])
    return _words_to_keys(_generator(word, _SPLIT).random_raw(num))


def _np_fold_in(key: np.ndarray, data: np.ndarray) -> np.ndarray:
    word = int(_key_words(key)[0])
    return _words_to_keys(_generator(word, _FOLD, int(data.astype(np.uint64))).random_raw(1)[0])


def _np_permutation(key: np.ndarray, x: Any = None, *, n: int | None = None) -> np.ndarray:
    count = n if x is None else x.shape[0]
    order = np.argsort(_generator(int(_key_words(key)[0])).random_raw(count), kind="stable")
    return order.astype(np.int64) if x is None else x[order]


def _shape_samples(dtype_param: bool = True) -> Callable[..., list[Sample]]:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        extra = {"dtype": dtype} if dtype_param else {}
        return [
            Sample((_sample_key(rng),), {"shape": rand_shape(rng, 0, 3, 5), **extra})
            for _ in range(2)
        ]

    return samples


def _uniform_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng, 1, 2, 4)
    lo = rng.uniform(-3.0, -0.5, size=shape[-1:]).astype(dtype)
    hi = np.asarray(rng.uniform(0.5, 3.0)).astype(dtype)
    return [
        Sample((_sample_key(rng),), {"shape": shape, "dtype": dtype}),
        Sample((_sample_key(rng), lo, hi), {"shape": shape, "dtype": dtype}),
    ]


def _truncated_normal_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    lower = rng.uniform(-3.0, 1.0, size=(3,))
    return [
        Sample((_sample_key(rng),), {"lower": lower, "upper": lower + 1.5, "dtype": dtype}),
        Sample((_sample_key(rng),), {"lower": 6.0, "upper": 7.0, "shape": (2, 2), "dtype": dtype}),
    ]


def _randint_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    info = np.iinfo(dtype)
    low = int(rng.integers(max(int(info.min), -50), 10))
    return [
        Sample((_sample_key(rng),), {"shape": (4, 3), "low": low, "high": low + 7, "dtype": dtype}),
        Sample(
            (_sample_key(rng),),
            {"shape": (6,), "low": int(info.min), "high": int(info.max) + 1, "dtype": dtype},
        ),
    ]


def _bernoulli_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    return [Sample((_sample_key(rng), rng.uniform(0.0, 1.0, size=rand_shape(rng, 0, 2, 5))))]


def _categorical_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    logits = rng.normal(size=rand_shape(rng, 1, 3, 4)).astype(dtype)
    return [Sample((_sample_key(rng), logits), {"axis": int(rng.integers(0, logits.ndim))})]


def _split_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    return [Sample((_sample_key(rng),), {"num": int(rng.integers(0, 5))})]


def _fold_in_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    data = rng.integers(0, 1 << 62, dtype=np.int64)
    return [
        Sample((_sample_key(rng), np.asarray(data))),
        Sample((_sample_key(rng), np.asarray(np.uint64((1 << 64) - 1)))),
    ]


def _permutation_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    return [
        Sample((_sample_key(rng),), {"n": int(rng.integers(0, 9))}),
        Sample((_sample_key(rng), rng.normal(size=(5, 2)).astype(dtype))),
    ]


def _choice_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    p = rng.uniform(0.0, 1.0, size=5)
    p[int(rng.integers(0, 5))] = 0.0
    return [
        Sample((_sample_key(rng),), {"n": n, "shape": (2, 2), "replace": r, "p": q})
        for n, r, q in ((7, True, None), (5, True, p), (7, False, None), (5, False, p))
    ]


_FLOATS = (dtypes.float32, dtypes.float64)
register(
    OpInfo(
        "random.split",
        lambda key, **p: split(key, **p),
        _np_split,
        ("random_split",),
        _split_samples,
        grad=False,
    ),
    OpInfo(
        "random.fold_in",
        fold_in,
        _np_fold_in,
        ("random_fold_in",),
        _fold_in_samples,
        grad=False,
    ),
    OpInfo(
        "random.bits",
        lambda key, **p: bits(key, **p),
        _one(_bits),
        ("random_bits",),
        _shape_samples(),
        dtypes=(dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64),
        grad=False,
    ),
    OpInfo(
        "random.uniform",
        lambda key, lo=0.0, hi=1.0, **p: uniform(key, minval=lo, maxval=hi, **p),
        _np_uniform,
        ("random_uniform",),
        _uniform_samples,
        dtypes=(*_FLOATS, dtypes.float16),
        grad=False,
        check_dtype=False,
    ),
    OpInfo(
        "random.normal",
        lambda key, **p: normal(key, **p),
        _one(_normal),
        ("random_normal",),
        _shape_samples(),
        dtypes=(*_FLOATS, dtypes.complex64),
        grad=False,
        check_dtype=False,
    ),
    OpInfo(
        "random.truncated_normal",
        lambda key, **p: truncated_normal(key, **p),
        lambda key, *, lower, upper, shape=None, dtype: _one(_truncated_normal)(
            key,
            shape=np.broadcast_shapes(np.shape(lower), np.shape(upper)) if shape is None else shape,
            dtype=dtype,
            lower=np.asarray(lower, np.float64),
            upper=np.asarray(upper, np.float64),
        ),
        ("random_truncated_normal",),
        _truncated_normal_samples,
        dtypes=_FLOATS,
        grad=False,
        check_dtype=False,
    ),
    OpInfo(
        "random.gumbel",
        lambda key, **p: gumbel(key, **p),
        _one(_gumbel),
        ("random_gumbel",),
        _shape_samples(),
        dtypes=_FLOATS,
        grad=False,
        check_dtype=False,
    ),
    OpInfo(
        "random.exponential",
        lambda key, **p: exponential(key, **p),
        _one(_exponential),
        ("random_exponential",),
        _shape_samples(),
        dtypes=_FLOATS,
        grad=False,
        check_dtype=False,
    ),
    OpInfo(
        "random.randint",
        lambda key, **p: randint(key, **p),
        lambda key, *, shape, low, high, dtype: _one(_randint)(
            key, shape=shape, dtype=np.dtype(dtype), low=_as_u64(low), high=_as_u64(high)
        ),
        ("random_randint",),
        _randint_samples,
        dtypes=(dtypes.int64, dtypes.int8, dtypes.uint16, dtypes.uint64),
        grad=False,
    ),
    OpInfo(
        "random.bernoulli",
        bernoulli,
        _np_bernoulli,
        ("random_uniform",),
        _bernoulli_samples,
        grad=False,
    ),
    OpInfo(
        "random.categorical",
        lambda key, logits, **p: categorical(key, logits, **p),
        _np_categorical,
        ("random_gumbel",),
        _categorical_samples,
        dtypes=_FLOATS,
        grad=False,
    ),
    OpInfo(
        "random.permutation",
        lambda key, x=None, **p: permutation(key, p["n"] if x is None else x),
        _np_permutation,
        ("random_permutation",),
        _permutation_samples,
        dtypes=_FLOATS,
        grad=False,
    ),
    OpInfo(
        "random.choice",
        lambda key, *, n, **p: choice(key, n, **p),
        lambda key, *, n, shape, replace, p: _one(_choice)(
            key,
            n=n,
            shape=shape,
            replace=replace,
            p=None if p is None else np.asarray(p, np.float64),
        ),
        ("random_choice",),
        _choice_samples,
        grad=False,
    ),
)
