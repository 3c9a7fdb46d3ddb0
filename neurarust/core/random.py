"""Counter-based random numbers with explicit keys.

A key is a ``uint32`` array of shape ``(2,)`` (JAX's raw key layout). Its 64 bits key NumPy's
Philox bit generator, a counter-based generator whose stream is fixed by the Philox-4x64
algorithm, so the same key, shape and dtype give bit-identical numbers on every run, NumPy
version and platform. Every distribution is derived from those raw bits by the formulas in this
file; NumPy's ``Generator`` methods, whose algorithms may change between versions, are never
used.

The second word of the Philox key separates purposes: draws (0), :func:`split` (1) and
:func:`fold_in` (2), so a key's children never repeat its own numbers.

Results are plain CPU Arrays: constants to every transform.
"""

from __future__ import annotations

import math
import operator
import threading
from typing import Any

import numpy as np

from . import dtypes
from .array import Array, wrap
from .errors import AxisError, DTypeError, ShapeError
from .ops.creation import shape_tuple

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


# ----------------------------------------------------------------- keys and bits


def _key_word(fn: str, key: Any) -> int:
    """The 64-bit integer held by ``key``, or an error naming ``fn``'s argument 'key'."""
    if isinstance(key, Array):
        buf = key._buffer()
        value = buf if isinstance(buf, (np.ndarray, np.generic)) else buf.get()
    elif isinstance(key, np.ndarray):
        value = key
    else:
        raise DTypeError(
            f"{fn}: argument 'key' expected a key (a uint32 array of shape (2,) made by "
            f"nr.random.key(seed) or nr.random.split), got {type(key).__name__} {key!r}"
        )
    if value.dtype != np.uint32:
        raise DTypeError(
            f"{fn}: argument 'key' expected a key of dtype uint32 (from nr.random.key), "
            f"got dtype {value.dtype}"
        )
    if value.shape != _KEY_SHAPE:
        raise ShapeError(
            f"{fn}: argument 'key' expected one key of shape (2,), got shape {value.shape}"
            + (" (split keys: pass one row, keys[i])" if value.ndim == 2 else "")
        )
    return (int(value[0]) << 32) | int(value[1])


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


def _words_to_keys(words: np.ndarray) -> np.ndarray:
    """Each uint64 word as a key ``[high 32 bits, low 32 bits]``."""
    return np.stack([words >> np.uint64(32), words & np.uint64(_MASK32)], axis=-1).astype(np.uint32)


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


def split(key: Any, num: int = 2) -> Array:
    """``num`` new keys, shape ``(num, 2)``, independent of ``key`` and of each other.

    >>> k1, k2 = nr.random.split(nr.random.key(0))
    """
    word = _key_word("split", key)
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 0:
        raise ShapeError(f"split: argument 'num' expected a non-negative int, got {num!r}")
    return wrap(_words_to_keys(_generator(word, _SPLIT).random_raw(int(num))))


def fold_in(key: Any, data: Any) -> Array:
    """A new key from ``key`` and an integer ``data`` (distinct ``data`` give distinct keys).

    >>> step_key = nr.random.fold_in(nr.random.key(0), 7)
    """
    word = _key_word("fold_in", key)
    if isinstance(data, Array) and data.ndim == 0 and data.dtype.kind in "iu":
        data = data.item()
    if isinstance(data, bool) or not isinstance(data, (int, np.integer)):
        raise DTypeError(
            f"fold_in: argument 'data' expected an int, got {type(data).__name__} {data!r}"
        )
    value = int(data)
    if not -(1 << 63) <= value < _TWO64:
        raise ValueError(
            f"fold_in: argument 'data' expected an int in [-2**63, 2**64), got {value}"
        )
    return wrap(_words_to_keys(_generator(word, _FOLD, value % _TWO64).random_raw(1)[0]))


def _raw64(word: int, n: int) -> np.ndarray:
    return _generator(word).random_raw(n)


def _raw32(word: int, n: int) -> np.ndarray:
    """``n`` 32-bit words: each 64-bit word gives its low half first, on every platform."""
    return _raw64(word, (n + 1) // 2).astype("<u8", copy=False).view("<u4")[:n]


def _float_dtype(fn: str, dtype: Any, complex_ok: bool = False) -> np.dtype:
    dt = dtypes.canonicalize(dtype, fn)
    if dtypes.is_float(dt) or (complex_ok and dt.kind == "c"):
        return dt
    kinds = "a floating or complex" if complex_ok else "a floating"
    raise DTypeError(f"{fn}: argument 'dtype' expected {kinds} dtype, got {dt}")


def _open_unit(word: int, n: int) -> np.ndarray:
    """``n`` float64 values in the open interval (0, 1): 52 random bits, centred."""
    return ((_raw64(word, n) >> np.uint64(12)).astype(np.float64) + 0.5) * 2.0**-52


def _unit64(raw: np.ndarray) -> np.ndarray:
    """float64 values in [0, 1) from the top 53 bits of uint64 words."""
    return (raw >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _host(fn: str, name: str, value: Any, dtype: Any = np.float64) -> np.ndarray:
    """``value`` (an Array, array-like or scalar) as a NumPy array of ``dtype`` on the host."""
    if isinstance(value, Array):
        buf = value._buffer()
        value = buf if isinstance(buf, (np.ndarray, np.generic)) else buf.get()
    try:
        return np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise DTypeError(
            f"{fn}: argument '{name}' expected numbers or an array, "
            f"got {type(value).__name__} {value!r}"
        ) from None


def _broadcast(fn: str, shape: tuple[int, ...], **arrays: np.ndarray) -> list[np.ndarray]:
    """Each array broadcast to ``shape``, or a ShapeError naming the argument."""
    out = []
    for name, a in arrays.items():
        try:
            out.append(np.broadcast_to(a, shape))
        except ValueError:
            raise ShapeError(
                f"{fn}: argument '{name}' expected a shape that broadcasts to {shape}, "
                f"got {a.shape}"
            ) from None
    return out


def bits(key: Any, shape: Any = (), dtype: Any = dtypes.uint32) -> Array:
    """Raw random bits as unsigned integers (``uint8``, ``uint16``, ``uint32`` or ``uint64``)."""
    word = _key_word("bits", key)
    size = shape_tuple("bits", shape)
    dt = dtypes.canonicalize(dtype, "bits")
    if dt.kind != "u":
        raise DTypeError(f"bits: argument 'dtype' expected an unsigned integer dtype, got {dt}")
    n = math.prod(size)
    if dt.itemsize == 8:
        return wrap(_raw64(word, n).reshape(size))
    per_word = 4 // dt.itemsize
    words = _raw32(word, -(-n // per_word)).astype("<u4").view(f"<u{dt.itemsize}")[:n]
    return wrap(words.astype(dt).reshape(size))


# ------------------------------------------------------------------ continuous


def uniform(
    key: Any,
    shape: Any = (),
    dtype: Any = dtypes.float32,
    minval: Any = 0.0,
    maxval: Any = 1.0,
) -> Array:
    """Uniform floats in ``[minval, maxval)``.

    Each value uses as many random bits as ``dtype`` has mantissa bits (24 for float32, 53 for
    float64), so every representable multiple of the unit step is equally likely.

    >>> x = nr.random.uniform(nr.random.key(0), (2, 3))
    >>> bool(((x >= 0) & (x < 1)).all())
    True
    """
    word = _key_word("uniform", key)
    size = shape_tuple("uniform", shape)
    dt = _float_dtype("uniform", dtype)
    n = math.prod(size)
    mant = _MANTISSA_BITS[dt]
    if dt.itemsize == 8:
        unit = (_raw64(word, n) >> np.uint64(64 - mant)).astype(np.float64)
        unit *= 2.0**-mant
    else:
        unit = (_raw32(word, n) >> np.uint32(32 - mant)).astype(np.float32)
        unit *= np.float32(2.0**-mant)
    unit = unit.reshape(size)
    lo = _host("uniform", "minval", minval, unit.dtype)
    hi = _host("uniform", "maxval", maxval, unit.dtype)
    _broadcast("uniform", size, minval=lo, maxval=hi)
    if not np.all(lo <= hi):
        raise ValueError(
            f"uniform: arguments 'minval' and 'maxval' expected minval <= maxval, "
            f"got {minval!r} and {maxval!r}"
        )
    if lo.ndim == hi.ndim == 0 and lo == 0 and hi == 1:
        return wrap(unit.astype(dt, copy=False))
    values = np.asarray(unit * (hi - lo) + lo, dtype=dt)
    lo_d, hi_d = lo.astype(dt), hi.astype(dt)
    np.minimum(values, np.nextafter(hi_d, np.asarray(-np.inf, dtype=dt)), out=values)
    return wrap(np.maximum(values, lo_d, out=values))


def _standard_normal(word: int, n: int) -> np.ndarray:
    """``n`` float64 standard normals by Box-Muller on pairs of 53-bit uniforms.

    Pairs are consecutive, so a longer draw from the same key starts with the shorter one.
    """
    pairs = (n + 1) // 2
    raw = _raw64(word, 2 * pairs).reshape(pairs, 2)
    radius = np.sqrt(-2.0 * np.log1p(-_unit64(raw[:, 0])))
    angle = (2.0 * np.pi) * _unit64(raw[:, 1])
    out = np.empty((pairs, 2))
    out[:, 0] = radius * np.cos(angle)
    out[:, 1] = radius * np.sin(angle)
    return out.reshape(-1)[:n]


def normal(key: Any, shape: Any = (), dtype: Any = dtypes.float32) -> Array:
    """Standard normal values (mean 0, variance 1; complex: variance 1/2 per part).

    Computed in float64 by the Box-Muller transform and rounded once to ``dtype``.
    """
    word = _key_word("normal", key)
    size = shape_tuple("normal", shape)
    dt = _float_dtype("normal", dtype, complex_ok=True)
    n = math.prod(size)
    if dt.kind == "c":
        z = _standard_normal(word, 2 * n) * math.sqrt(0.5)
        return wrap((z[0::2] + 1j * z[1::2]).astype(dt).reshape(size))
    return wrap(_standard_normal(word, n).astype(dt).reshape(size))


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


def truncated_normal(
    key: Any, lower: Any, upper: Any, shape: Any = None, dtype: Any = dtypes.float32
) -> Array:
    """Standard normal values conditioned on ``lower <= x <= upper``.

    Sampled by inverting the normal CDF in float64 on the side of zero where it is accurate,
    so far tails (``lower=6``) work. ``shape`` defaults to the broadcast of the bounds.
    """
    word = _key_word("truncated_normal", key)
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
    # Work on the side of zero where the CDF keeps its precision: mirror positive intervals.
    flip = lo > 0
    a = np.where(flip, -hi, lo)
    b = np.where(flip, -lo, hi)
    cdf_a, cdf_b = _ndtr(a), _ndtr(b)
    u = _open_unit(word, math.prod(size)).reshape(size) * (cdf_b - cdf_a) + cdf_a
    x = np.clip(_ndtri(u.reshape(-1)).reshape(size), a, b)
    x = np.where(flip, -x, x).astype(dt)
    return wrap(np.clip(x, lo.astype(dt), hi.astype(dt)))


def gumbel(key: Any, shape: Any = (), dtype: Any = dtypes.float32) -> Array:
    """Standard Gumbel values, ``-log(-log(u))`` (mean: the Euler-Mascheroni constant)."""
    word = _key_word("gumbel", key)
    size = shape_tuple("gumbel", shape)
    dt = _float_dtype("gumbel", dtype)
    return wrap((-np.log(-np.log(_open_unit(word, math.prod(size))))).astype(dt).reshape(size))


def exponential(key: Any, shape: Any = (), dtype: Any = dtypes.float32) -> Array:
    """Standard exponential values (rate 1), ``-log(1 - u)``."""
    word = _key_word("exponential", key)
    size = shape_tuple("exponential", shape)
    dt = _float_dtype("exponential", dtype)
    u = _unit64(_raw64(word, math.prod(size)))
    return wrap((-np.log1p(-u)).astype(dt).reshape(size))


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


def _randint_offsets(word: int, span: np.ndarray) -> np.ndarray:
    """Unbiased offsets in ``[0, span)`` (``span == 0`` stands for 2**64), by rejection.

    A word is kept when it is at least ``2**64 mod span``, so the kept range is a whole
    number of spans; rejected words are replaced by the next words of the same stream.
    """
    gen = _generator(word)
    n = span.size
    safe = np.where(span == 0, np.uint64(1), span)
    with np.errstate(over="ignore"):
        threshold = np.where(span == 0, np.uint64(0), (np.uint64(0) - safe) % safe)
    raw = gen.random_raw(n)
    redo = np.flatnonzero(raw < threshold)
    while redo.size:
        raw[redo] = gen.random_raw(redo.size)
        redo = redo[raw[redo] < threshold[redo]]
    return np.where(span == 0, raw, raw % safe)


def randint(key: Any, shape: Any, low: Any, high: Any, dtype: Any = dtypes.int64) -> Array:
    """Uniform integers in ``[low, high)``, exactly unbiased (rejection sampling).

    ``low`` and ``high`` are ints or integer arrays that broadcast to ``shape``.

    >>> nr.random.randint(nr.random.key(0), (4,), 0, 10).dtype
    dtype('int64')
    """
    word = _key_word("randint", key)
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
    with np.errstate(over="ignore"):
        span = (hi_u - lo_u).ravel()
        values = lo_u.ravel() + _randint_offsets(word, span)
    signed = values.view(np.int64) if dt.kind == "i" else values
    return wrap(signed.astype(dt).reshape(size))


def bernoulli(key: Any, p: Any = 0.5, shape: Any = None) -> Array:
    """Booleans that are True with probability ``p`` (``shape`` defaults to ``p``'s shape)."""
    word = _key_word("bernoulli", key)
    prob = _host("bernoulli", "p", p)
    size = prob.shape if shape is None else shape_tuple("bernoulli", shape)
    (prob,) = _broadcast("bernoulli", size, p=prob)
    if not np.all((prob >= 0) & (prob <= 1)):
        raise ValueError(f"bernoulli: argument 'p' expected probabilities in [0, 1], got {p!r}")
    u = _unit64(_raw64(word, math.prod(size))).reshape(size)
    return wrap(u < prob)


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def categorical(key: Any, logits: Any, axis: int = -1, shape: Any = None) -> Array:
    """Category indices (int64) drawn with probabilities ``softmax(logits, axis)``.

    Uses the Gumbel-max trick. The result has ``logits``' shape without ``axis``, or ``shape``
    (whose trailing dimensions must broadcast with that batch shape).
    """
    word = _key_word("categorical", key)
    lg = _host("categorical", "logits", logits)
    if lg.ndim == 0:
        raise ShapeError("categorical: argument 'logits' expected at least 1 dimension, got 0-d")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise DTypeError(f"categorical: argument 'axis' expected an int, got {axis!r}")
    if not -lg.ndim <= axis < lg.ndim:
        raise AxisError(
            f"categorical: argument 'axis' expected a value in [{-lg.ndim}, {lg.ndim}) for "
            f"logits with {lg.ndim} dimensions, got {axis}"
        )
    axis = int(axis) % lg.ndim
    batch = lg.shape[:axis] + lg.shape[axis + 1 :]
    size = batch if shape is None else shape_tuple("categorical", shape)
    lead = len(size) - len(batch)
    tail = size[lead:]
    if lead < 0 or not _broadcasts_to(batch, tail):
        raise ShapeError(
            f"categorical: argument 'shape' expected a shape that ends in one the logits' "
            f"batch shape {batch} broadcasts to, got {size}"
        )
    noise_shape = size[:lead] + tail[:axis] + lg.shape[axis : axis + 1] + tail[axis:]
    noise = -np.log(-np.log(_open_unit(word, math.prod(noise_shape)))).reshape(noise_shape)
    scores = noise + lg.reshape((1,) * lead + lg.shape)
    return wrap(np.argmax(scores, axis=lead + axis).astype(np.int64))


def _sort_keys_order(word: int, n: int) -> np.ndarray:
    """A uniformly random ordering of ``range(n)``: the stable argsort of 64-bit random keys."""
    return np.argsort(_raw64(word, n), kind="stable").astype(np.int64)


def _take(x: Array, indices: np.ndarray, axis: int) -> Array:
    """``x`` gathered along ``axis`` at ``indices`` (any shape)."""
    if x.__class__ is Array:
        buf = x._v
        if not isinstance(buf, (np.ndarray, np.generic)):
            from .backend import namespace

            xp = namespace(buf)
            return wrap(xp.take(buf, xp.asarray(indices), axis=axis))
        return wrap(np.take(buf, indices, axis=axis))
    from . import ops

    out = ops.take(x, wrap(indices.reshape(-1)), axis=axis)
    return ops.reshape(out, x.shape[:axis] + indices.shape + x.shape[axis + 1 :])


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
    word = _key_word("permutation", key)
    n, x, ax = _population("permutation", "n_or_array", n_or_array, axis)
    order = _sort_keys_order(word, n)
    return wrap(order) if x is None else _take(x, order, ax)


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


def choice(
    key: Any,
    a: Any,
    shape: Any = (),
    replace: bool = True,
    p: Any = None,
    axis: int = 0,
) -> Array:
    """Random samples from ``range(a)`` or from array ``a`` along ``axis``.

    With ``p``, element ``i`` is drawn with probability ``p[i] / sum(p)``; without replacement
    the draws are successive (as NumPy's ``choice``), by Gumbel top-k.

    >>> nr.random.choice(nr.random.key(0), 10, (3,), replace=False).shape
    (3,)
    """
    word = _key_word("choice", key)
    n, x, ax = _population("choice", "a", a, axis)
    size = shape_tuple("choice", shape)
    k = math.prod(size)
    prob = None if p is None else _probabilities("choice", p, n)
    if replace:
        if k and not n:
            raise ShapeError(f"choice: argument 'a' expected a non-empty population, got {n}")
        if prob is None:
            idx = _randint_offsets(word, np.full(k, n, dtype=np.uint64)).astype(np.int64)
        else:
            cdf = np.cumsum(prob)
            idx = np.searchsorted(cdf, _unit64(_raw64(word, k)) * cdf[-1], side="right")
            idx = np.minimum(idx, np.flatnonzero(prob)[-1])
    else:
        available = n if prob is None else int(np.count_nonzero(prob))
        if k > available:
            raise ShapeError(
                f"choice: argument 'shape' expected at most {available} samples without "
                f"replacement from {available} candidates, got shape {size} ({k} samples)"
            )
        if prob is None:
            idx = _sort_keys_order(word, n)[:k]
        else:
            with np.errstate(divide="ignore"):
                scores = np.log(prob) - np.log(-np.log(_open_unit(word, n)))
            idx = np.argsort(-scores, kind="stable")[:k]
    idx = idx.astype(np.int64).reshape(size)
    return wrap(idx) if x is None else _take(x, idx, ax)


# -------------------------------------------------------------------- aliases


def _alias_shape(shape: tuple[Any, ...]) -> Any:
    return shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


def rand(key: Any, *shape: Any, dtype: Any = dtypes.float32) -> Array:
    """Uniform values in [0, 1): ``nr.rand(key, 2, 3)`` is ``uniform(key, (2, 3))``."""
    return uniform(key, _alias_shape(shape), dtype)


def randn(key: Any, *shape: Any, dtype: Any = dtypes.float32) -> Array:
    """Standard normal values: ``nr.randn(key, 2, 3)`` is ``normal(key, (2, 3))``."""
    return normal(key, _alias_shape(shape), dtype)
