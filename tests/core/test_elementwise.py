"""Elementwise functions beyond the OpInfo suite: broadcasting, weak scalars, 16-bit floats,
erf accuracy, derivative conventions at non-smooth points, complex derivatives, NumPy's
integer semantics without warnings, and every error path."""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.backend import install_warning_filter
from neurarust.core.ops import elementwise
from neurarust.test_util import check_grads
from neurarust.test_util import strategies as nst

BINARY = {
    "add": np.add,
    "subtract": np.subtract,
    "multiply": np.multiply,
    "divide": np.divide,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "atan2": np.arctan2,
    "hypot": np.hypot,
    "logaddexp": np.logaddexp,
    "copysign": np.copysign,
    "less": np.less,
    "equal": np.equal,
}


def _np(x: nr.Array) -> np.ndarray:
    return np.asarray(x.numpy())


@contextmanager
def _no_runtime_warnings() -> Iterator[None]:
    """Fail if a RuntimeWarning escapes neurarust: every warning is shown ("always") except
    those neurarust's own filter hides, i.e. those raised inside its kernels."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        install_warning_filter()
        yield
    leaked = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not leaked, leaked


# ------------------------------------------------------------------ values vs NumPy


@given(
    name=st.sampled_from(sorted(BINARY)),
    shapes=nst.broadcastable_shapes(2),
    dtype=st.sampled_from([nr.float32, nr.float64]),
    seed=st.integers(0, 2**31),
)
def test_binary_broadcasting_matches_numpy(
    name: str, shapes: tuple[tuple[int, ...], ...], dtype: np.dtype, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    a = rng.uniform(-3, 3, shapes[0]).astype(dtype)
    b = rng.uniform(0.5, 3, shapes[1]).astype(dtype)
    got = getattr(nr, name)(nr.asarray(a), nr.asarray(b))
    want = BINARY[name](a, b)
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    np.testing.assert_allclose(_np(got), want, rtol=1e-6)


@given(
    shapes=nst.broadcastable_shapes(2),
    dtype=st.sampled_from([nr.int8, nr.int32, nr.uint8, nr.int64]),
    seed=st.integers(0, 2**31),
)
def test_integer_arithmetic_matches_numpy(
    shapes: tuple[tuple[int, ...], ...], dtype: np.dtype, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 100, shapes[0]).astype(dtype)
    b = rng.integers(0, 5, shapes[1]).astype(dtype)
    x, y = nr.asarray(a), nr.asarray(b)
    with np.errstate(all="ignore"):
        for fn, ref in [
            (nr.add, np.add),
            (nr.multiply, np.multiply),
            (nr.floor_divide, np.floor_divide),
            (nr.remainder, np.remainder),
            (nr.bitwise_and, np.bitwise_and),
            (nr.bitwise_left_shift, np.left_shift),
            (nr.maximum, np.maximum),
        ]:
            got = fn(x, y)
            assert got.dtype == dtype
            np.testing.assert_array_equal(_np(got), ref(a, b))


@given(
    dtype=st.sampled_from([nr.float16, nr.bfloat16, nr.float32, nr.int32, nr.int8]),
    scalar=st.sampled_from([2, 3, -1, 0.5, 2.0]),
    seed=st.integers(0, 2**31),
)
def test_operators_with_weak_scalars_on_both_sides(dtype: np.dtype, scalar: Any, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.uniform(1, 4, (3, 2)).astype(dtype)
    x = nr.asarray(a)
    keeps = isinstance(scalar, int) or dtype.kind != "i"
    want_dtype = dtype if keeps else nr.float32
    wide = a.astype(np.float64)
    tol = 2e-2 if dtype in (nr.float16, nr.bfloat16) else 1e-6
    for got, want in [
        (x + scalar, wide + scalar),
        (scalar + x, scalar + wide),
        (scalar - x, scalar - wide),
        (x * scalar, wide * scalar),
        (scalar * x, scalar * wide),
    ]:
        assert got.dtype == want_dtype, (got.dtype, want_dtype)
        np.testing.assert_allclose(_np(got).astype(np.float64), want, rtol=tol, atol=tol)
    squared = x**2
    assert squared.dtype == dtype
    np.testing.assert_allclose(_np(squared).astype(np.float64), wide**2, rtol=tol)
    assert (x / 2).dtype == (dtype if dtype.kind != "i" else nr.float32)
    reflected = operator.lt(2, x)
    assert reflected.dtype == nr.bool
    np.testing.assert_array_equal(_np(reflected), operator.lt(2, wide))


@pytest.mark.parametrize("dtype", [nr.float16, nr.bfloat16])
@pytest.mark.parametrize(
    "name", ["exp", "sin", "tanh", "sqrt", "log1p", "sigmoid", "erf", "softplus", "rsqrt"]
)
def test_16_bit_floats_keep_their_dtype_and_are_accurate(dtype: np.dtype, name: str) -> None:
    x32 = np.linspace(0.1, 3.0, 17, dtype=np.float32)
    x = nr.asarray(x32.astype(dtype))
    got = getattr(nr, name)(x)
    assert got.dtype == dtype
    want = getattr(nr, name)(nr.asarray(x32.astype(dtype).astype(np.float32)))
    np.testing.assert_allclose(_np(got).astype(np.float32), _np(want), rtol=1e-2, atol=1e-3)


def test_integer_and_bool_inputs_of_float_functions_give_float32() -> None:
    i = nr.asarray([1, 2, 4], dtype="int32")
    assert nr.sin(i).dtype == nr.float32
    assert nr.sqrt(nr.asarray([True, False])).dtype == nr.float32
    assert nr.divide(i, i).dtype == nr.float32
    assert nr.atan2(nr.asarray([1], dtype="int64"), 2).dtype == nr.float32
    assert nr.erf(nr.asarray([1, 2], dtype="uint8")).dtype == nr.float32
    np.testing.assert_allclose(_np(nr.divide(i, 4)), [0.25, 0.5, 1.0])
    assert nr.square(i).dtype == nr.int32
    assert nr.relu(nr.asarray([-3, 2], dtype="int8")).tolist() == [0, 2]


# ------------------------------------------------------------------ erf, erfc accuracy


def test_erf_erfc_float64_accuracy_against_math() -> None:
    x = np.concatenate(
        [np.linspace(-7, 7, 20001), np.geomspace(1e-300, 0.5, 300), -np.geomspace(1e-12, 26, 300)]
    )
    got_erf = _np(nr.erf(nr.asarray(x)))
    got_erfc = _np(nr.erfc(nr.asarray(x)))
    want_erf = np.array([math.erf(v) for v in x])
    want_erfc = np.array([math.erfc(v) for v in x])
    nonzero = want_erf != 0
    assert np.max(np.abs(got_erf - want_erf)[nonzero] / np.abs(want_erf[nonzero])) < 1e-15
    assert np.max(np.abs(got_erfc - want_erfc) / want_erfc) < 2e-15


def test_erfc_tail_and_special_values() -> None:
    x = np.array([10.0, 20.0, 26.0, 30.0, np.inf, -np.inf, np.nan, 0.0, -0.0])
    got = _np(nr.erfc(nr.asarray(x)))
    np.testing.assert_allclose(got[:3], [math.erfc(v) for v in x[:3]], rtol=2e-15)
    assert got[3] == 0.0 and got[4] == 0.0 and got[5] == 2.0 and np.isnan(got[6])
    assert got[7] == 1.0 and got[8] == 1.0
    e = _np(nr.erf(nr.asarray(x)))
    assert e[4] == 1.0 and e[5] == -1.0 and np.isnan(e[6]) and e[7] == 0.0
    assert np.signbit(e[8])


def test_erf_float32_and_derivative() -> None:
    x = nr.asarray([-2.0, -0.3, 0.0, 0.4, 1.5, 5.0])
    np.testing.assert_allclose(
        _np(nr.erf(x)), [math.erf(v) for v in x.tolist()], rtol=1e-7, atol=1e-8
    )
    g = nr.grad(lambda x: nr.erf(x).sum())(x)
    np.testing.assert_allclose(
        _np(g), 2 / math.sqrt(math.pi) * np.exp(-np.square(x.tolist())), rtol=1e-6
    )
    check_grads(nr.erfc, (x.astype("float64"),), order=2)


# ------------------------------------------------------------------ derivative conventions


def _grad(f: Callable[..., nr.Array], *args: Any, argnums: Any = 0) -> Any:
    """The gradient of ``f(*args)`` summed, by a VJP with a cotangent of ones."""
    out, f_vjp = nr.vjp(f, *args)
    grads = f_vjp(nr.ones_like(out))
    return grads[argnums] if isinstance(argnums, int) else tuple(grads[i] for i in argnums)


def test_abs_and_relu_have_zero_derivative_at_zero() -> None:
    x = nr.asarray([-1.5, 0.0, 2.0])
    assert _grad(nr.abs, x).tolist() == [-1.0, 0.0, 1.0]
    assert _grad(nr.relu, x).tolist() == [0.0, 0.0, 1.0]
    assert _grad(nr.abs, x).dtype == nr.float32


def test_maximum_minimum_split_ties() -> None:
    x = nr.asarray([1.0, 2.0, 3.0])
    y = nr.asarray([1.0, 5.0, 0.0])
    gx, gy = _grad(nr.maximum, x, y, argnums=(0, 1))
    assert gx.tolist() == [0.5, 0.0, 1.0] and gy.tolist() == [0.5, 1.0, 0.0]
    gx, gy = _grad(nr.minimum, x, y, argnums=(0, 1))
    assert gx.tolist() == [0.5, 1.0, 0.0] and gy.tolist() == [0.5, 0.0, 1.0]
    _, tangent = nr.jvp(nr.maximum, (x, y), (nr.ones_like(x), nr.zeros_like(y)))
    assert tangent.tolist() == [0.5, 0.0, 1.0]


def test_clip_gradient_passes_on_the_closed_interval() -> None:
    x = nr.asarray([-2.0, -1.0, 0.0, 1.0, 2.0])
    assert _grad(lambda x: nr.clip(x, -1.0, 1.0), x).tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    lo = nr.full((5,), -1.0)
    hi = nr.full((5,), 1.0)
    gx, glo, ghi = _grad(nr.clip, x, lo, hi, argnums=(0, 1, 2))
    assert glo.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert ghi.tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert (gx + glo + ghi).tolist() == [1.0] * 5
    only_max = _grad(lambda x: nr.clamp(x, max=0.0), x)
    assert only_max.tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]


def test_clip_with_crossed_bounds_gives_max_and_its_gradient() -> None:
    x = nr.asarray([-3.0, 0.0, 3.0])
    lo, hi = nr.full((3,), 1.0), nr.full((3,), -1.0)
    assert nr.clip(x, lo, hi).tolist() == [-1.0, -1.0, -1.0]
    gx, glo, ghi = _grad(nr.clip, x, lo, hi, argnums=(0, 1, 2))
    assert gx.tolist() == [0.0] * 3 and glo.tolist() == [0.0] * 3 and ghi.tolist() == [1.0] * 3


@pytest.mark.parametrize(
    "fn", [nr.floor, nr.ceil, nr.round, nr.trunc, nr.sign, lambda x: nr.floor_divide(x, 0.7)]
)
def test_piecewise_constant_functions_have_zero_gradients(fn: Callable[..., Any]) -> None:
    x = nr.asarray([-1.3, 0.2, 2.5])
    assert _grad(fn, x).tolist() == [0.0, 0.0, 0.0]
    _, tangent = nr.jvp(fn, (x,), (nr.ones_like(x),))
    assert tangent.tolist() == [0.0, 0.0, 0.0]


def test_non_differentiable_outputs_are_constants() -> None:
    x = nr.asarray([1.0, 2.0])
    f = lambda x: nr.where(nr.isfinite(x) & (x > 1.5), x * 3, x)  # noqa: E731
    assert _grad(f, x).tolist() == [1.0, 3.0]
    assert _grad(lambda x: nr.nextafter(x, 5.0), x).tolist() == [0.0, 0.0]


def test_pow_derivatives_at_zero_follow_jax() -> None:
    x = nr.asarray([0.0, 0.0, 2.0], dtype="float64")
    y = nr.asarray([0.0, 2.0, 3.0], dtype="float64")
    gx, gy = _grad(nr.pow, x, y, argnums=(0, 1))
    assert gx.tolist() == [0.0, 0.0, 12.0]
    np.testing.assert_allclose(_np(gy), [0.0, 0.0, 8 * math.log(2.0)])
    assert _grad(lambda x: x**2, x).tolist() == [0.0, 0.0, 4.0]


def test_hypot_atan2_derivatives_at_origin_are_zero() -> None:
    z = nr.zeros((2,))
    assert _grad(nr.hypot, z, z).tolist() == [0.0, 0.0]
    g1, g2 = _grad(nr.atan2, z, z, argnums=(0, 1))
    assert g1.tolist() == [0.0, 0.0] and g2.tolist() == [0.0, 0.0]


def test_logaddexp_derivative_at_infinities() -> None:
    x = nr.asarray([-np.inf, np.inf, 1.0])
    y = nr.asarray([-np.inf, np.inf, -np.inf])
    assert _grad(nr.logaddexp, x, y).tolist() == [0.5, 0.5, 1.0]


def test_derivatives_of_the_extras() -> None:
    x = nr.asarray([-1.5, 0.3, 0.9], dtype="float64")
    for fn in [nr.sigmoid, nr.softplus, nr.rsqrt, nr.reciprocal, nr.square, nr.expm1]:
        check_grads(fn, (nr.abs(x) + 0.1,), order=2)
    p = nr.asarray([0.05, 0.5, 0.97], dtype="float64")
    assert _grad(lambda p: nr.logit(p, eps=0.1), p).tolist()[::2] == [0.0, 0.0]
    check_grads(lambda s, e, w: nr.lerp(s, e, w), (x, x * 2 + 1, p), order=2)


# ------------------------------------------------------------------ complex numbers


@pytest.mark.parametrize(
    "fn",
    [
        nr.exp,
        nr.log,
        nr.sin,
        nr.cos,
        nr.tanh,
        nr.sqrt,
        nr.square,
        nr.reciprocal,
        nr.sigmoid,
        nr.rsqrt,
        nr.asinh,
        nr.abs,
        nr.real,
        nr.imag,
        nr.conj,
        lambda z: z * nr.conj(z),
        lambda z: nr.pow(z, 1.5 + 0.5j),
        lambda z: nr.divide(nr.sin(z), z + 3),
    ],
)
def test_complex_derivatives(fn: Callable[..., Any]) -> None:
    """Forward mode against finite differences (``check_grads``, order 2); reverse mode by the
    identity ``Re<J^T u, v> = Re<u, J v>`` (JAX's convention: no conjugation) along random
    complex directions, and its second order through ``jvp`` of the VJP."""
    z = nr.asarray([0.5 + 0.3j, -1.2 + 0.8j, 0.7 - 1.1j], dtype="complex128")
    check_grads(fn, (z,), order=2, modes=("fwd",))
    rng = np.random.default_rng(0)
    out, f_vjp = nr.vjp(fn, z)
    for _ in range(3):
        v = nr.asarray(rng.standard_normal(3) + 1j * rng.standard_normal(3))
        u = rng.standard_normal(3) + (1j * rng.standard_normal(3) if out.dtype.kind == "c" else 0)
        u = nr.asarray(u, dtype=out.dtype)
        eps = 1e-6
        jv = (_np(fn(z + eps * v)) - _np(fn(z - eps * v))) / (2 * eps)
        (g,) = f_vjp(u)
        assert g.dtype == z.dtype
        lhs = np.real(np.sum(_np(g) * _np(v)))
        np.testing.assert_allclose(lhs, np.real(np.sum(_np(u) * jv)), rtol=1e-6, atol=1e-8)
        _, jv_exact = nr.jvp(fn, (z,), (v,))
        np.testing.assert_allclose(np.real(np.sum(_np(u) * _np(jv_exact))), lhs, rtol=1e-10)

        def pulled(z: nr.Array, u: nr.Array = u) -> nr.Array:
            return nr.vjp(fn, z)[1](u)[0]

        check_grads(pulled, (z,), order=1, modes=("fwd",))


def test_holomorphic_vjp_is_not_conjugated() -> None:
    z = nr.asarray([0.5 + 0.3j], dtype="complex128")
    _, f_vjp = nr.vjp(nr.exp, z)
    (g,) = f_vjp(nr.ones_like(z))
    np.testing.assert_allclose(_np(g), np.exp([0.5 + 0.3j]))
    _, f_vjp = nr.vjp(nr.abs, z)
    (g,) = f_vjp(nr.ones((1,), dtype="float64"))
    np.testing.assert_allclose(_np(g), np.conj([0.5 + 0.3j]) / abs(0.5 + 0.3j))
    assert g.dtype == nr.complex128


def test_complex_parts_and_sign() -> None:
    z = nr.asarray([3 + 4j, 0j], dtype="complex64")
    assert nr.abs(z).dtype == nr.float32 and nr.abs(z).tolist() == [5.0, 0.0]
    assert nr.real(z).tolist() == [3.0, 0.0] and nr.imag(z).tolist() == [4.0, 0.0]
    assert nr.conj(z).tolist() == [3 - 4j, 0j]
    np.testing.assert_allclose(_np(nr.sign(z)), [0.6 + 0.8j, 0])
    x = nr.asarray([1.0, -2.0])
    assert nr.real(x) is x and nr.conj(x) is x
    assert nr.imag(x).tolist() == [0.0, 0.0] and nr.imag(x).dtype == nr.float32
    assert nr.round(nr.asarray([1.5 + 2.5j])).tolist() == [2 + 2j]


# ------------------------------------------------------------------ NumPy semantics, no warnings


def test_integer_division_by_zero_and_overflow_are_silent() -> None:
    a = nr.asarray([7, -7, 0], dtype="int32")
    z = nr.zeros((3,), dtype="int32")
    f = nr.asarray([3e38, -1.0, 0.0])
    with _no_runtime_warnings():
        assert nr.floor_divide(a, z).tolist() == [0, 0, 0]
        assert nr.remainder(a, z).tolist() == [0, 0, 0]
        assert nr.add(nr.asarray([127], dtype="int8"), 1).tolist() == [-128]
        assert nr.multiply(f, 10.0).tolist()[0] == math.inf
        assert np.isnan(_np(nr.log(f))[1]) and _np(nr.divide(1.0, f))[2] == math.inf
        assert np.isnan(_np(nr.sqrt(nr.asarray([-1.0])))[0])
        assert nr.pow(nr.asarray([0.0]), -1.0).tolist() == [math.inf]
        assert np.isnan(_np(nr.subtract(nr.asarray([math.inf]), math.inf))[0])


@pytest.mark.parametrize(
    "fn",
    [
        nr.exp, nr.expm1, nr.log, nr.log1p, nr.log2, nr.log10, nr.sqrt, nr.rsqrt,
        nr.reciprocal, nr.square, nr.sin, nr.tan, nr.asin, nr.acos, nr.acosh, nr.atanh,
        nr.sinh, nr.cosh, nr.erf, nr.erfc, nr.sigmoid, nr.softplus, nr.relu, nr.sign,
        nr.nan_to_num, nr.round, nr.floor, nr.abs, nr.logit,
        lambda x: nr.clip(x, -1.0, 1.0), lambda x: nr.lerp(x, -x, 0.75),
        lambda x: nr.divide(x, x), lambda x: nr.remainder(x, 0.0), lambda x: nr.pow(x, x),
        lambda x: nr.atan2(x, x), lambda x: nr.hypot(x, x), lambda x: nr.logaddexp(x, x),
        lambda x: nr.maximum(x, x), lambda x: nr.floor_divide(x, 0.0),
    ],
)  # fmt: skip
def test_functions_raise_no_floating_point_warnings(fn: Callable[..., Any]) -> None:
    values = np.array([0.0, -0.0, -1.0, 3e38, -3e38, math.inf, -math.inf, math.nan])
    with np.errstate(over="ignore"):
        half = nr.asarray(values.astype(np.float16))
    with _no_runtime_warnings():
        fn(nr.asarray(values, dtype="float32"))
        fn(half)


def test_operators_raise_no_floating_point_warnings() -> None:
    with _no_runtime_warnings():
        _ = nr.asarray([1, 2]) // nr.asarray([0, 0])


def test_remainder_and_floor_divide_follow_python_signs() -> None:
    a = nr.asarray([7, -7, 7, -7])
    b = nr.asarray([2, 2, -2, -2])
    assert nr.remainder(a, b).tolist() == [1, 1, -1, -1]
    assert nr.floor_divide(a, b).tolist() == [3, -4, -4, 3]
    assert nr.remainder(nr.asarray([-7.5]), 2.0).tolist() == [0.5]


def test_integer_pow_with_negative_exponents_truncates_like_jax() -> None:
    x = nr.asarray([2, 1, -1, -1, 0, 3])
    y = nr.asarray([-1, -5, -3, -2, 2, 2])
    assert nr.pow(x, y).tolist() == [0, 1, -1, 1, 0, 9]
    assert (x ** nr.asarray(-1)).tolist() == [0, 1, -1, -1, 0, 0]


def test_rounding_functions() -> None:
    x = nr.asarray([0.5, 1.5, 2.5, -0.5, -1.7])
    assert nr.round(x).tolist() == [0.0, 2.0, 2.0, -0.0, -2.0]
    assert nr.floor(x).tolist() == [0.0, 1.0, 2.0, -1.0, -2.0]
    assert nr.ceil(x).tolist() == [1.0, 2.0, 3.0, -0.0, -1.0]
    assert nr.trunc(x).tolist() == [0.0, 1.0, 2.0, -0.0, -1.0]
    np.testing.assert_allclose(_np(nr.round(nr.asarray([1.234, 5.678]), decimals=1)), [1.2, 5.7])
    i = nr.asarray([15, 24], dtype="int16")
    assert nr.floor(i) is i and nr.round(i) is i
    assert nr.round(i, decimals=-1).tolist() == [20, 20]
    assert nr.signbit(nr.asarray([-0.0, 0.0, -2.0])).tolist() == [True, False, True]


def test_nextafter_moves_one_ulp_in_every_float_dtype() -> None:
    for dtype in [nr.float16, nr.bfloat16, nr.float32, nr.float64]:
        one = nr.ones((1,), dtype=dtype)
        up = nr.nextafter(one, 2.0)
        assert up.dtype == dtype
        eps = ml_dtypes.finfo(dtype).eps if dtype == nr.bfloat16 else np.finfo(dtype).eps
        assert float(up.item()) - 1.0 == pytest.approx(float(eps))


def test_nan_to_num_defaults_and_values() -> None:
    x = nr.asarray([np.nan, np.inf, -np.inf, 1.5])
    assert nr.nan_to_num(x).tolist() == [
        0.0,
        np.finfo(np.float32).max,
        np.finfo(np.float32).min,
        1.5,
    ]
    assert nr.nan_to_num(x, nan=-1.0, posinf=9.0, neginf=-9.0).tolist() == [-1, 9, -9, 1.5]
    assert _grad(nr.nan_to_num, x).tolist() == [0.0, 0.0, 0.0, 1.0]
    z = nr.asarray([complex(np.nan, np.inf)], dtype="complex64")
    assert nr.nan_to_num(z, posinf=2.0).tolist() == [2j]
    i = nr.asarray([1, 2])
    assert nr.nan_to_num(i) is i


def test_softplus_logit_sigmoid_lerp_values() -> None:
    x = nr.asarray([-100.0, 0.0, 5.0, 100.0], dtype="float64")
    np.testing.assert_allclose(
        _np(nr.softplus(x)), np.logaddexp(0, [-100.0, 0.0, 5.0, 100.0]), rtol=1e-15
    )
    np.testing.assert_allclose(_np(nr.softplus(x, beta=2.0, threshold=4.0))[2:], [5.0, 100.0])
    s = nr.sigmoid(x)
    np.testing.assert_allclose(_np(s), 1 / (1 + np.exp([100.0, 0.0, -5.0, -100.0])), rtol=1e-15)
    np.testing.assert_allclose(_np(nr.logit(s[1:3])), [0.0, 5.0], atol=1e-12)
    assert nr.logit(nr.asarray([0.0, 1.0]), eps=0.25).tolist() == pytest.approx(
        [math.log(1 / 3), math.log(3)]
    )
    start, end = nr.asarray([1.0, -3.0]), nr.asarray([1e8, 0.1])
    assert nr.lerp(start, end, 1.0).tolist() == end.tolist()
    assert nr.lerp(start, end, 0.0).tolist() == start.tolist()
    assert nr.lerp(start, end, nr.asarray([0.5, 0.25])).tolist() == pytest.approx(
        [0.5 * (1 + 1e8), -3 + 0.25 * 3.1]
    )


def test_logical_and_predicates() -> None:
    assert nr.logical_and(nr.asarray([1.0, 0.0, 2.0]), True).tolist() == [True, False, True]
    assert nr.logical_xor(nr.asarray([1, 0]), nr.asarray([1, 1])).tolist() == [False, True]
    assert nr.logical_not(nr.asarray([0.0, 3.0])).tolist() == [True, False]
    x = nr.asarray([np.nan, np.inf, 1.0])
    assert nr.isnan(x).tolist() == [True, False, False]
    assert nr.isinf(x).tolist() == [False, True, False]
    assert nr.isfinite(x).tolist() == [False, False, True]
    assert nr.isnan(nr.asarray([1, 2])).tolist() == [False, False]
    assert (~nr.asarray([True, False])).tolist() == [False, True]
    assert nr.bitwise_invert(nr.asarray([0], dtype="uint8")).tolist() == [255]
    assert nr.bitwise_right_shift(nr.asarray([-8]), 1).tolist() == [-4]


def test_positive_and_array_operator_functions_exist() -> None:
    x = nr.asarray([1.0, -2.0])
    assert nr.positive(x) is x and (+x) is x
    for name in [
        "add", "subtract", "multiply", "divide", "floor_divide", "remainder", "pow",
        "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
        "bitwise_invert", "less", "less_equal", "greater", "greater_equal", "equal",
        "not_equal", "negative", "positive", "abs", "real", "imag", "conj",
    ]:  # fmt: skip
        assert callable(getattr(nr, name)), name
    assert set(elementwise.__all__) <= set(dir(nr))


def test_traced_and_eager_paths_agree() -> None:
    x = nr.asarray([[0.3, -1.2, 2.0]])
    y = nr.asarray([[0.5], [1.5]])
    for name in sorted(BINARY):
        fn = getattr(nr, name)
        eager = fn(x, y)
        traced, _ = nr.jvp(fn, (x, y), (nr.ones_like(x), nr.ones_like(y)))
        np.testing.assert_array_equal(_np(traced), _np(eager))


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("fn", [nr.add, nr.maximum, nr.atan2, nr.equal, operator.add])
def test_broadcast_mismatch_names_both_shapes(fn: Callable[..., Any]) -> None:
    a, b = nr.ones((2, 3)), nr.ones((4,))
    with pytest.raises(nr.ShapeError, match=r"\(2, 3\) and \(4,\)"):
        fn(a, b)
    with pytest.raises(nr.ShapeError, match=r"\(2, 3\) and \(4,\)"):
        fn(a, b.astype("float64"))
    with pytest.raises(nr.ShapeError, match=r"\(2, 3\) and \(4,\)"):
        nr.grad(lambda a: fn(a, b).sum())(a)


def test_three_argument_broadcast_errors() -> None:
    with pytest.raises(nr.ShapeError, match=r"clip: shapes \(3,\) and \(2,\)"):
        nr.clip(nr.ones((3,)), nr.zeros((2,)))
    with pytest.raises(nr.ShapeError, match=r"lerp: shapes \(3,\) and \(2,\)"):
        nr.lerp(nr.ones((3,)), nr.zeros((2,)), 0.5)
    with pytest.raises(nr.ShapeError, match="where"):
        nr.where(nr.ones((3,), dtype="bool"), nr.ones((2,)), 0.0)


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: nr.bitwise_and(nr.ones((2,)), nr.ones((2,))), "bitwise_and: argument 'x1'"),
        (lambda: nr.bitwise_or(nr.asarray([1]), 1.5), "bitwise_or: argument 'x2'.*Python float"),
        (lambda: nr.bitwise_invert(nr.ones((2,))), "bitwise_invert: argument 'x'.*float32"),
        (lambda: nr.asarray([1.0]) & nr.asarray([2.0]), "bitwise_and"),
        (lambda: nr.bitwise_left_shift(nr.asarray([True]), True), "bitwise_left_shift"),
        (lambda: nr.subtract(nr.asarray([True]), nr.asarray([False])), "subtract.*bool"),
        (lambda: -nr.asarray([True]), "negative: argument 'x'.*bool"),
        (lambda: nr.positive(nr.asarray([True])), "positive"),
        (lambda: nr.pow(nr.asarray([True]), True), "pow"),
        (lambda: nr.floor_divide(nr.asarray([1j]), 2), "floor_divide.*complex64"),
        (lambda: nr.less(nr.asarray([1j]), nr.asarray([2j])), "less: argument 'x1'"),
        (lambda: nr.maximum(nr.asarray([1.0]), 2j), "maximum: argument 'x2'.*Python complex"),
        (lambda: nr.atan2(nr.asarray([1j]), 1.0), "atan2"),
        (lambda: nr.erf(nr.asarray([1j])), "erf: argument 'x'.*complex64"),
        (lambda: nr.floor(nr.asarray([1j])), "floor"),
        (lambda: nr.relu(nr.asarray([True])), "relu"),
        (lambda: nr.clip(nr.asarray([1j]), 0.0, 1.0), "clip: argument 'x'"),
        (lambda: nr.clip(nr.asarray([1.0]), 0.0, 1j), "clip: argument 'max'"),
        (lambda: nr.logit(nr.asarray([1j])), "logit"),
    ],
)
def test_dtype_errors_name_op_argument_and_dtype(call: Callable[[], Any], pattern: str) -> None:
    with pytest.raises(nr.DTypeError, match=pattern):
        call()


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: nr.sin("a"), "sin: argument 'x'.*str"),
        (lambda: nr.sin(None), "sin: argument 'x'.*NoneType"),
        (lambda: nr.add(nr.ones((2,)), "a"), "add: argument 'x2'.*str"),
        (lambda: nr.multiply({}, nr.ones((2,))), "multiply: argument 'x1'.*dict"),
        (lambda: nr.clip(nr.ones((2,)), "0"), "clip: argument 'min'.*str"),
        (lambda: nr.clip(None, 0.0), "clip: argument 'x'.*NoneType"),
        (lambda: nr.lerp(nr.ones((2,)), nr.ones((2,)), object()), "lerp: argument 'weight'"),
        (lambda: nr.round(nr.ones((2,)), decimals=1.5), "round: argument 'decimals'.*float"),
    ],
)
def test_wrong_argument_types_raise_type_errors(call: Callable[[], Any], pattern: str) -> None:
    with pytest.raises(TypeError, match=pattern):
        call()
