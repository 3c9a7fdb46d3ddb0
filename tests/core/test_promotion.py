"""The promotion table, written out by hand, against ``promote_types``/``result_type`` and
against the result dtype of every binary elementwise function and operator."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import neurarust as nr
from neurarust.core import dtypes

CODES = {
    "b": nr.bool,
    "i1": nr.int8,
    "i2": nr.int16,
    "i4": nr.int32,
    "i8": nr.int64,
    "u1": nr.uint8,
    "u2": nr.uint16,
    "u4": nr.uint32,
    "u8": nr.uint64,
    "f2": nr.float16,
    "bf": nr.bfloat16,
    "f4": nr.float32,
    "f8": nr.float64,
    "c4": nr.complex64,
    "c8": nr.complex128,
}

# Row dtype with column dtype. Within a kind: the array API table; uint64 with a signed int
# gives int64; float16 with bfloat16 gives float32; across kinds: the higher kind at the dtype
# of that kind present; complex64 with float64 gives complex128.
TABLE = """
      b   i1  i2  i4  i8  u1  u2  u4  u8  f2  bf  f4  f8  c4  c8
b     b   i1  i2  i4  i8  u1  u2  u4  u8  f2  bf  f4  f8  c4  c8
i1    i1  i1  i2  i4  i8  i2  i4  i8  i8  f2  bf  f4  f8  c4  c8
i2    i2  i2  i2  i4  i8  i2  i4  i8  i8  f2  bf  f4  f8  c4  c8
i4    i4  i4  i4  i4  i8  i4  i4  i8  i8  f2  bf  f4  f8  c4  c8
i8    i8  i8  i8  i8  i8  i8  i8  i8  i8  f2  bf  f4  f8  c4  c8
u1    u1  i2  i2  i4  i8  u1  u2  u4  u8  f2  bf  f4  f8  c4  c8
u2    u2  i4  i4  i4  i8  u2  u2  u4  u8  f2  bf  f4  f8  c4  c8
u4    u4  i8  i8  i8  i8  u4  u4  u4  u8  f2  bf  f4  f8  c4  c8
u8    u8  i8  i8  i8  i8  u8  u8  u8  u8  f2  bf  f4  f8  c4  c8
f2    f2  f2  f2  f2  f2  f2  f2  f2  f2  f2  f4  f4  f8  c4  c8
bf    bf  bf  bf  bf  bf  bf  bf  bf  bf  f4  bf  f4  f8  c4  c8
f4    f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f8  c4  c8
f8    f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  c8  c8
c4    c4  c4  c4  c4  c4  c4  c4  c4  c4  c4  c4  c4  c8  c4  c8
c8    c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c8
"""

# An array of the row dtype with a weak Python scalar: the scalar only raises the kind, to
# the default dtype of its kind (int64, float32, complex64; complex128 beside float64).
WEAK_TABLE = """
      bool  int  float  complex
b     b     i8   f4     c4
i1    i1    i1   f4     c4
i2    i2    i2   f4     c4
i4    i4    i4   f4     c4
i8    i8    i8   f4     c4
u1    u1    u1   f4     c4
u2    u2    u2   f4     c4
u4    u4    u4   f4     c4
u8    u8    u8   f4     c4
f2    f2    f2   f2     c4
bf    bf    bf   bf     c4
f4    f4    f4   f4     c4
f8    f8    f8   f8     c8
c4    c4    c4   c4     c4
c8    c8    c8   c8     c8
"""
WEAK_SCALARS = {"bool": True, "int": 1, "float": 1.0, "complex": 1j}


def _parse(table: str) -> dict[tuple[str, str], np.dtype]:
    header, *rows = [line.split() for line in table.strip().splitlines()]
    return {
        (row[0], col): CODES[code]
        for row in rows
        for col, code in zip(header, row[1:], strict=True)
    }


PAIRS = _parse(TABLE)
WEAK = _parse(WEAK_TABLE)
CODE_PAIRS = sorted({(a, b) for a, b in PAIRS})


def test_tables_cover_every_dtype_and_are_symmetric() -> None:
    assert len(PAIRS) == 15 * 15
    assert len(WEAK) == 15 * 4
    for a, b in CODE_PAIRS:
        assert PAIRS[a, b] is PAIRS[b, a], (a, b)


def test_nothing_silently_becomes_float64() -> None:
    wide = {nr.float64, nr.complex128}
    for (a, b), out in PAIRS.items():
        if out in wide:
            assert {CODES[a], CODES[b]} & wide or {CODES[a], CODES[b]} == {
                nr.complex64,
                nr.float64,
            }, (a, b)


@pytest.mark.parametrize(("a", "b"), CODE_PAIRS)
def test_promote_types_and_result_type(a: str, b: str) -> None:
    want = PAIRS[a, b]
    d1, d2 = CODES[a], CODES[b]
    assert nr.promote_types(d1, d2) is want
    assert nr.result_type(d1, d2) is want
    assert nr.result_type(nr.ones((1,), dtype=d1), nr.zeros((2,), dtype=d2)) is want
    assert nr.can_cast(d1, want) and nr.can_cast(d2, want)


@pytest.mark.parametrize("a", list(CODES))
@pytest.mark.parametrize("scalar", list(WEAK_SCALARS))
def test_weak_scalars(a: str, scalar: str) -> None:
    want = WEAK[a, scalar]
    value = WEAK_SCALARS[scalar]
    assert nr.result_type(CODES[a], value) is want
    assert nr.result_type(value, CODES[a]) is want
    x = nr.ones((2,), dtype=CODES[a])
    assert nr.result_type(x, value) is want
    assert nr.add(x, value).dtype is want
    assert nr.add(value, x).dtype is want
    assert nr.equal(x, value).dtype is nr.bool


# ------------------------------------------------------------------ result dtypes of the ops


def _numeric(promoted: np.dtype) -> np.dtype | None:
    return None if promoted.kind == "b" else promoted


def _real(promoted: np.dtype) -> np.dtype | None:
    return None if promoted.kind == "c" else promoted


def _real_numeric(promoted: np.dtype) -> np.dtype | None:
    return None if promoted.kind in "bc" else promoted


def _float(promoted: np.dtype) -> np.dtype:
    return nr.float32 if promoted.kind in "biu" else promoted


def _real_float(promoted: np.dtype) -> np.dtype | None:
    return None if promoted.kind == "c" else _float(promoted)


def _integer(promoted: np.dtype) -> np.dtype | None:
    return promoted if promoted.kind in "biu" else None


def _shift(promoted: np.dtype) -> np.dtype | None:
    return promoted if promoted.kind in "iu" else None


def _to_bool(promoted: np.dtype) -> np.dtype:
    return nr.bool


def _ordered(promoted: np.dtype) -> np.dtype | None:
    return None if promoted.kind == "c" else nr.bool


# op -> the result dtype for arguments promoted to a dtype (None: a DTypeError)
BINARY_RULES: dict[str, Callable[[np.dtype], np.dtype | None]] = {
    "add": lambda d: d,
    "multiply": lambda d: d,
    "subtract": _numeric,
    "pow": _numeric,
    "maximum": _real,
    "minimum": _real,
    "floor_divide": _real_numeric,
    "remainder": _real_numeric,
    "divide": _float,
    "atan2": _real_float,
    "hypot": _real_float,
    "copysign": _real_float,
    "logaddexp": _real_float,
    "nextafter": _real_float,
    "equal": _to_bool,
    "not_equal": _to_bool,
    "less": _ordered,
    "less_equal": _ordered,
    "greater": _ordered,
    "greater_equal": _ordered,
    "logical_and": _to_bool,
    "logical_or": _to_bool,
    "logical_xor": _to_bool,
    "bitwise_and": _integer,
    "bitwise_or": _integer,
    "bitwise_xor": _integer,
    "bitwise_left_shift": _shift,
    "bitwise_right_shift": _shift,
}

OPERATORS = {
    "add": operator.add,
    "subtract": operator.sub,
    "multiply": operator.mul,
    "divide": operator.truediv,
    "floor_divide": operator.floordiv,
    "remainder": operator.mod,
    "pow": operator.pow,
    "less": operator.lt,
    "less_equal": operator.le,
    "greater": operator.gt,
    "greater_equal": operator.ge,
    "equal": operator.eq,
    "not_equal": operator.ne,
    "bitwise_and": operator.and_,
    "bitwise_or": operator.or_,
    "bitwise_xor": operator.xor,
    "bitwise_left_shift": operator.lshift,
    "bitwise_right_shift": operator.rshift,
}


def _check(op: str, call: Callable[[], Any], expected: np.dtype | None) -> None:
    if expected is None:
        with pytest.raises(nr.DTypeError, match=op):
            call()
    else:
        got = call()
        assert got.dtype is expected, (op, got.dtype, expected)


@pytest.mark.parametrize("op", sorted(BINARY_RULES))
def test_binary_result_dtypes_follow_the_table(op: str) -> None:
    fn = getattr(nr, op)
    rule = BINARY_RULES[op]
    for a, b in CODE_PAIRS:
        x1 = nr.ones((2,), dtype=CODES[a])
        x2 = nr.ones((1,), dtype=CODES[b])
        _check(op, lambda fn=fn, x1=x1, x2=x2: fn(x1, x2), rule(PAIRS[a, b]))


ORDERINGS = {"less", "less_equal", "greater", "greater_equal"}
REFLECTED = {"less": "greater", "less_equal": "greater_equal"}
REFLECTED.update({v: k for k, v in REFLECTED.items()})


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_operator_result_dtypes_follow_the_table(op: str) -> None:
    fn = OPERATORS[op]
    for a, b in CODE_PAIRS:
        promoted = PAIRS[a, b]
        if op in ORDERINGS and promoted.kind == "c":
            continue
        x1 = nr.ones((2,), dtype=CODES[a])
        x2 = nr.ones((2,), dtype=CODES[b])
        _check(op, lambda fn=fn, x1=x1, x2=x2: fn(x1, x2), BINARY_RULES[op](promoted))


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_operator_weak_scalars_on_both_sides(op: str) -> None:
    fn = OPERATORS[op]
    for (a, scalar), promoted in WEAK.items():
        if op in ORDERINGS and promoted.kind == "c":
            continue
        x = nr.ones((2,), dtype=CODES[a])
        value = WEAK_SCALARS[scalar]
        expected = BINARY_RULES[op](promoted)
        _check(op, lambda fn=fn, x=x, value=value: fn(x, value), expected)
        # Python evaluates `scalar < x` as `x > scalar`
        _check(REFLECTED.get(op, op), lambda fn=fn, x=x, value=value: fn(value, x), expected)


@pytest.mark.parametrize("dtype", [nr.complex64, nr.complex128])
def test_operator_ordering_of_complex_raises_like_the_functions(dtype: np.dtype) -> None:
    x = nr.ones((2,), dtype=dtype)
    with pytest.raises(nr.DTypeError, match="less"):
        nr.less(x, x)
    with pytest.raises(nr.DTypeError, match="less"):
        _ = x < x


def test_default_dtypes() -> None:
    assert dtypes.default_int is nr.int64
    assert dtypes.default_float is nr.float32
    assert dtypes.default_complex is nr.complex64
    assert nr.asarray(1).dtype is nr.int64
    assert nr.asarray(1.0).dtype is nr.float32
    assert nr.asarray(1j).dtype is nr.complex64
    assert nr.asarray(True).dtype is nr.bool
