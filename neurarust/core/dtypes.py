"""Dtypes and the type-promotion lattice.

neurarust dtypes are NumPy ``dtype`` objects (``bfloat16`` comes from ``ml_dtypes``), so an
array's ``dtype`` compares equal to ``nr.float32`` and to ``numpy.float32``.

Promotion follows the array API table within a kind; across kinds the result is the higher
kind (bool < integer < floating < complex) at the dtype of that kind that is present, or at the
kind's default (``int32 + float32 -> float32``, ``int64 + float16 -> float16``). Two choices
that the array API leaves open: ``uint64`` with any signed integer gives ``int64`` (nothing
silently becomes a float), and ``float16`` with ``bfloat16`` gives ``float32``.

Python scalars are *weak*: they take the array's dtype when their kind is not higher than the
array's (``float32_array * 2.0 -> float32``); otherwise the default dtype of the scalar's kind
(``int32_array * 1.5 -> float32``).
"""

from __future__ import annotations

import builtins
from typing import Any

import ml_dtypes
import numpy as np

from .errors import DTypeError

bool_ = np.dtype(np.bool_)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
uint16 = np.dtype(np.uint16)
uint32 = np.dtype(np.uint32)
uint64 = np.dtype(np.uint64)
float16 = np.dtype(np.float16)
bfloat16 = np.dtype(ml_dtypes.bfloat16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
complex64 = np.dtype(np.complex64)
complex128 = np.dtype(np.complex128)

DType = np.dtype

ALL_DTYPES: tuple[np.dtype, ...] = (
    bool_,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
    float16,
    bfloat16,
    float32,
    float64,
    complex64,
    complex128,
)
SIGNED_INTS = (int8, int16, int32, int64)
UNSIGNED_INTS = (uint8, uint16, uint32, uint64)
INTEGER_DTYPES = SIGNED_INTS + UNSIGNED_INTS
FLOAT_DTYPES = (float16, bfloat16, float32, float64)
COMPLEX_DTYPES = (complex64, complex128)
INEXACT_DTYPES = FLOAT_DTYPES + COMPLEX_DTYPES
NUMERIC_DTYPES = INTEGER_DTYPES + INEXACT_DTYPES

default_int = int64
default_float = float32
default_complex = complex64
default_index = int64

_BY_NAME = {d.name: d for d in ALL_DTYPES}
_BY_NAME.update({"bool": bool_, "float": float32, "int": int64, "complex": complex64})
_KNOWN = frozenset(ALL_DTYPES)

# Kind ranks: 0 bool, 1 integer, 2 floating, 3 complex.
_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "V": 2, "c": 3}


def kind_rank(dtype: np.dtype) -> int:
    """0 for bool, 1 for integers, 2 for floating (bfloat16 included), 3 for complex."""
    return 2 if dtype is bfloat16 else _KIND_RANK[dtype.kind]


def is_float(dtype: np.dtype) -> bool:
    """True for the real floating dtypes, ``bfloat16`` included."""
    return dtype.kind == "f" or dtype is bfloat16


def is_inexact(dtype: np.dtype) -> bool:
    """True for floating and complex dtypes: the ones that carry derivatives."""
    return dtype.kind in "fc" or dtype is bfloat16


def canonicalize(dtype: Any, op: str = "dtype") -> np.dtype:
    """Turn a dtype-like (``nr.float32``, ``"float32"``, ``numpy.float32``, ``float``) into a
    neurarust dtype, or raise :class:`DTypeError` naming ``op``."""
    if dtype.__class__ is np.dtype and dtype in _KNOWN:
        return dtype
    if isinstance(dtype, str):
        found = _BY_NAME.get(dtype)
        if found is not None:
            return found
    elif dtype is builtins.bool:
        return bool_
    elif dtype is builtins.int:
        return default_int
    elif dtype is builtins.float:
        return default_float
    elif dtype is builtins.complex:
        return default_complex
    else:
        try:
            found = np.dtype(dtype)
        except TypeError:
            found = None
        if found in _KNOWN:
            return found
    raise DTypeError(f"{op}: argument 'dtype' expected one of {sorted(_BY_NAME)}, got {dtype!r}")


def _int_join(a: np.dtype, b: np.dtype) -> np.dtype:
    if a.kind == b.kind:
        return a if a.itemsize >= b.itemsize else b
    signed, unsigned = (a, b) if a.kind == "i" else (b, a)
    if signed.itemsize > unsigned.itemsize:
        return signed
    return {1: int16, 2: int32}.get(unsigned.itemsize, int64)


def _float_join(a: np.dtype, b: np.dtype) -> np.dtype:
    if a is b:
        return a
    if {a, b} == {float16, bfloat16}:
        return float32
    return a if a.itemsize >= b.itemsize else b


def _complex_of(f: np.dtype) -> np.dtype:
    return complex128 if f is float64 else complex64


def _join(a: np.dtype, b: np.dtype) -> np.dtype:
    """Promotion of two dtypes of the same kind."""
    ra = kind_rank(a)
    if ra == 0:
        return bool_
    if ra == 1:
        return _int_join(a, b)
    if ra == 2:
        return _float_join(a, b)
    return a if a.itemsize >= b.itemsize else b


def _join_mixed(a: np.dtype, b: np.dtype) -> np.dtype:
    """Promotion across kinds: the higher kind at its own dtype, widened for complex+float64."""
    ra, rb = kind_rank(a), kind_rank(b)
    if ra < rb:
        a, b, ra, rb = b, a, rb, ra
    if ra == rb:
        return _join(a, b)
    if ra == 3 and rb == 2:
        return complex128 if (a is complex128 or b is float64) else complex64
    return a


_PAIR_CACHE: dict[tuple[np.dtype, np.dtype], np.dtype] = {}


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """The dtype two arrays of ``type1`` and ``type2`` promote to."""
    a = canonicalize(type1, "promote_types")
    b = canonicalize(type2, "promote_types")
    key = (a, b)
    out = _PAIR_CACHE.get(key)
    if out is None:
        out = _PAIR_CACHE[key] = _join_mixed(a, b)
    return out


def weak_scalar_result(dtype: np.dtype, scalar: Any) -> np.dtype:
    """The dtype of ``array op scalar`` for an array of ``dtype`` and a Python scalar."""
    t = type(scalar)
    if t is builtins.bool:
        return dtype
    rank = kind_rank(dtype)
    if t is builtins.int:
        return default_int if rank == 0 else dtype
    if t is builtins.float:
        return dtype if rank >= 2 else default_float
    if t is builtins.complex:
        if rank == 3:
            return dtype
        return complex128 if dtype is float64 else complex64
    raise DTypeError(f"result_type: expected a Python scalar, got {t.__name__}")


def scalar_dtype(scalar: Any) -> np.dtype:
    """The default dtype for a lone Python scalar."""
    t = type(scalar)
    if t is builtins.bool:
        return bool_
    if t is builtins.int:
        return default_int
    if t is builtins.float:
        return default_float
    if t is builtins.complex:
        return default_complex
    raise DTypeError(f"asarray: expected a Python scalar, got {t.__name__}")


def result_type(*arrays_and_dtypes: Any) -> np.dtype:
    """The dtype resulting from applying promotion to arrays, dtypes and Python scalars.

    Python scalars are weak: they only raise the kind, never the width.
    """
    if not arrays_and_dtypes:
        raise DTypeError("result_type: expected at least one array or dtype, got none")
    strong: np.dtype | None = None
    weak: list[Any] = []
    for x in arrays_and_dtypes:
        if type(x) in (builtins.bool, builtins.int, builtins.float, builtins.complex):
            weak.append(x)
            continue
        d = getattr(x, "dtype", None)
        d = canonicalize(d if d is not None else x, "result_type")
        strong = d if strong is None else promote_types(strong, d)
    if strong is None:
        strong = scalar_dtype(weak[0])
        weak = weak[1:]
    for s in weak:
        strong = weak_scalar_result(strong, s)
    return strong


def can_cast(from_: Any, to: Any, /) -> bool:
    """True when ``from_`` promotes to ``to`` without loss (array API semantics)."""
    a = canonicalize(getattr(from_, "dtype", from_), "can_cast")
    b = canonicalize(to, "can_cast")
    return promote_types(a, b) is b


def isdtype(dtype: Any, kind: Any) -> bool:
    """Array API ``isdtype``: whether ``dtype`` is of ``kind`` (a dtype, a kind name or a
    tuple of them)."""
    dtype = canonicalize(dtype, "isdtype")
    if isinstance(kind, tuple):
        return any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, str):
        groups = {
            "bool": (bool_,),
            "signed integer": SIGNED_INTS,
            "unsigned integer": UNSIGNED_INTS,
            "integral": INTEGER_DTYPES,
            "real floating": FLOAT_DTYPES,
            "complex floating": COMPLEX_DTYPES,
            "numeric": NUMERIC_DTYPES,
        }
        if kind not in groups:
            raise DTypeError(
                f"isdtype: argument 'kind' expected one of {sorted(groups)}, got {kind!r}"
            )
        return dtype in groups[kind]
    return dtype is canonicalize(kind, "isdtype")


class finfo:  # noqa: N801 - the array API name
    """Machine limits of a floating dtype (array API ``finfo``)."""

    def __init__(self, type: Any, /) -> None:  # noqa: A002 - the array API name
        dtype = canonicalize(getattr(type, "dtype", type), "finfo")
        if not is_inexact(dtype):
            raise DTypeError(f"finfo: argument 'type' expected a floating dtype, got {dtype}")
        info = ml_dtypes.finfo(dtype) if dtype is bfloat16 else np.finfo(dtype)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.smallest_normal = float(info.smallest_normal)
        self.tiny = self.smallest_normal
        self.resolution = float(info.resolution)
        self.dtype = np.dtype(info.dtype) if dtype is not bfloat16 else bfloat16

    def __repr__(self) -> str:
        return f"finfo(dtype={self.dtype}, eps={self.eps}, max={self.max})"


class iinfo:  # noqa: N801 - the array API name
    """Machine limits of an integer dtype (array API ``iinfo``)."""

    def __init__(self, type: Any, /) -> None:  # noqa: A002 - the array API name
        dtype = canonicalize(getattr(type, "dtype", type), "iinfo")
        if dtype.kind not in "iu":
            raise DTypeError(f"iinfo: argument 'type' expected an integer dtype, got {dtype}")
        info = np.iinfo(dtype)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"iinfo(dtype={self.dtype}, min={self.min}, max={self.max})"
