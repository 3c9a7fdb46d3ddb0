"""Reductions, cumulative sums/products and diff: values against NumPy over generated shapes,
axes and keepdims; gradients over every axis combination; ties, zeros and error paths."""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.backend import install_warning_filter
from neurarust.test_util import check_grads


@st.composite
def array_and_axis(draw: Any, min_side: int = 1, max_ndim: int = 3) -> tuple[np.ndarray, Any]:
    """A float64 array and an axis argument: None, an int or a tuple (negatives included)."""
    shape = tuple(draw(st.lists(st.integers(min_side, 4), min_size=0, max_size=max_ndim)))
    seed = draw(st.integers(0, 2**32 - 1))
    x = np.random.default_rng(seed).uniform(-2, 2, size=shape)
    nd = len(shape)
    if nd == 0:
        return x, draw(st.sampled_from([None, ()]))
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return x, None
    if kind == "int":
        return x, draw(st.integers(-nd, nd - 1))
    axes = draw(st.lists(st.integers(0, nd - 1), unique=True, max_size=nd))
    return x, tuple(a - nd if draw(st.booleans()) else a for a in axes)


def _np_logsumexp(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


REDUCTIONS = {
    "sum": (nr.sum, np.sum),
    "prod": (nr.prod, np.prod),
    "mean": (nr.mean, np.mean),
    "max": (nr.max, np.max),
    "min": (nr.min, np.min),
    "logsumexp": (nr.logsumexp, _np_logsumexp),
    "all": (nr.all, np.all),
    "any": (nr.any, np.any),
    "count_nonzero": (nr.count_nonzero, np.count_nonzero),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=array_and_axis(), keepdims=st.booleans())
def test_reductions_match_numpy(name: str, data: tuple[np.ndarray, Any], keepdims: bool) -> None:
    x, axis = data
    fn, ref = REDUCTIONS[name]
    if name in ("all", "any", "count_nonzero"):
        x = np.round(x)
    got = fn(nr.asarray(x), axis=axis, keepdims=keepdims)
    want = np.asarray(ref(x, axis=axis, keepdims=keepdims))
    assert got.shape == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


@pytest.mark.parametrize("correction", [0, 1, 0.5])
@pytest.mark.parametrize("name", ["var", "std"])
@given(data=array_and_axis(min_side=2), keepdims=st.booleans())
def test_var_std_match_numpy(
    name: str, correction: float, data: tuple[np.ndarray, Any], keepdims: bool
) -> None:
    x, axis = data
    fn, ref = (nr.var, np.var) if name == "var" else (nr.std, np.std)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        install_warning_filter()
        got = fn(nr.asarray(x), axis=axis, correction=correction, keepdims=keepdims)
        warnings.simplefilter("ignore")
        want = ref(x, axis=axis, ddof=correction, keepdims=keepdims)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10)


@pytest.mark.parametrize("name", ["sum", "prod", "mean", "var", "std", "max", "logsumexp"])
@given(data=array_and_axis(min_side=2), keepdims=st.booleans())
def test_traced_path_matches_eager(name: str, data: tuple[np.ndarray, Any], keepdims: bool) -> None:
    """Under a transform the functions run through primitives; the values must agree."""
    x, axis = data
    fn = getattr(nr, name)
    a = nr.asarray(x)
    eager = fn(a, axis=axis, keepdims=keepdims)
    traced, _ = nr.vjp(lambda v: fn(v, axis=axis, keepdims=keepdims), a)
    assert traced.shape == eager.shape
    np.testing.assert_allclose(traced.numpy(), eager.numpy(), rtol=1e-10)


@given(data=array_and_axis(min_side=1, max_ndim=3), keepdims=st.booleans())
def test_argmax_argmin_match_numpy(data: tuple[np.ndarray, Any], keepdims: bool) -> None:
    x, axis = data
    if isinstance(axis, tuple):
        axis = axis[0] if axis else None
    for fn, ref in ((nr.argmax, np.argmax), (nr.argmin, np.argmin)):
        got = fn(nr.asarray(x), axis=axis, keepdims=keepdims)
        want = ref(x, axis=axis, keepdims=keepdims)
        assert got.dtype == nr.int64
        np.testing.assert_array_equal(got.numpy(), want)


def test_argmax_returns_the_first_of_ties() -> None:
    x = nr.asarray([[1, 3, 3], [2, 2, 0]])
    np.testing.assert_array_equal(nr.argmax(x, axis=1).numpy(), [1, 0])
    np.testing.assert_array_equal(nr.argmin(x, axis=1).numpy(), [0, 2])


# ------------------------------------------------------------------------ dtypes


@pytest.mark.parametrize(
    ("dtype", "want"),
    [
        (nr.bool, nr.int64),
        (nr.int8, nr.int64),
        (nr.int32, nr.int64),
        (nr.uint8, nr.uint64),
        (nr.float16, nr.float16),
        (nr.float32, nr.float32),
        (nr.complex64, nr.complex64),
    ],
)
def test_sum_prod_cumsum_dtypes(dtype: Any, want: Any) -> None:
    x = nr.ones((2, 3), dtype=dtype)
    for fn in (nr.sum, nr.prod):
        assert fn(x).dtype == want
    assert nr.cumsum(x, axis=1).dtype == want
    assert nr.cumulative_prod(x, axis=0).dtype == want


def test_explicit_dtype_is_kept() -> None:
    x = nr.asarray([1, 2, 3], dtype=nr.int32)
    assert nr.sum(x, dtype=nr.int32).dtype == nr.int32
    assert nr.prod(x, dtype=nr.int16).dtype == nr.int16
    assert nr.cumsum(x, dtype=nr.int32).dtype == nr.int32
    assert nr.sum(x, dtype=nr.float64).dtype == nr.float64


def test_float_results_of_integer_input() -> None:
    x = nr.asarray([[1, 2], [3, 5]], dtype=nr.int32)
    for fn in (nr.mean, nr.var, nr.std, nr.logsumexp):
        assert fn(x).dtype == nr.float32
    assert float(nr.mean(x)) == 2.75
    assert nr.mean(nr.asarray([True, False])).dtype == nr.float32
    assert nr.mean(nr.asarray([1.0], dtype=nr.float64)).dtype == nr.float64
    assert nr.count_nonzero(x).dtype == nr.int64
    assert nr.all(x).dtype == nr.bool


def test_empty_reductions_with_identity() -> None:
    e = nr.zeros((0, 3))
    np.testing.assert_array_equal(nr.sum(e, axis=0).numpy(), [0, 0, 0])
    np.testing.assert_array_equal(nr.prod(e, axis=0).numpy(), [1, 1, 1])
    assert bool(nr.all(e)) and not bool(nr.any(e))
    assert float(nr.logsumexp(e)) == -np.inf
    assert np.isnan(float(nr.mean(e)))
    assert nr.max(e, axis=1).shape == (0,)


def test_var_with_too_large_correction_is_infinite() -> None:
    assert float(nr.var(nr.asarray([1.0, 2.0]), correction=3)) == np.inf
    assert np.isnan(float(nr.var(nr.asarray([1.0, 1.0]), correction=2)))


# ------------------------------------------------------------------- logsumexp


def test_logsumexp_is_stable() -> None:
    x = nr.asarray([1000.0, 1000.0, -1000.0])
    np.testing.assert_allclose(float(nr.logsumexp(x)), 1000 + np.log(2), rtol=1e-6)
    g = nr.grad(nr.logsumexp)(x)
    np.testing.assert_allclose(g.numpy(), [0.5, 0.5, 0.0], rtol=1e-4)
    g = nr.grad(nr.logsumexp)(nr.astype(x, nr.float64))
    np.testing.assert_allclose(g.numpy(), [0.5, 0.5, 0.0], rtol=1e-12)
    small = nr.asarray([-1000.0, -1000.0])
    np.testing.assert_allclose(float(nr.logsumexp(small)), -1000 + np.log(2), rtol=1e-6)


def test_logsumexp_gradient_is_softmax() -> None:
    x = np.random.default_rng(0).normal(size=(3, 4))
    g = nr.grad(lambda v: nr.logsumexp(v, axis=1).sum())(nr.asarray(x))
    soft = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(g.numpy(), soft, rtol=1e-12)


def test_logsumexp_with_infinities() -> None:
    x = nr.asarray([[-np.inf, 0.0], [-np.inf, -np.inf]], dtype=nr.float64)
    np.testing.assert_array_equal(nr.logsumexp(x, axis=1).numpy(), [0.0, -np.inf])


# ------------------------------------------------------------- gradient checks

SHAPE = (2, 3, 2)


def _every_axis() -> list[Any]:
    nd = len(SHAPE)
    subsets = [c for r in range(1, nd + 1) for c in itertools.combinations(range(nd), r)]
    return [None, -1, *subsets, (-1, 0)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", _every_axis(), ids=str)
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "logsumexp", "var"])
def test_gradients_over_every_axis(name: str, axis: Any, keepdims: bool) -> None:
    x = nr.asarray(np.random.default_rng(7).permutation(12).reshape(SHAPE) / 6.0 + 0.3)
    x = nr.astype(x, nr.float64)
    fn = getattr(nr, name)
    kwargs = {"correction": 1} if name == "var" else {}
    check_grads(lambda v: fn(v, axis=axis, keepdims=keepdims, **kwargs), (x,), order=2)


@pytest.mark.parametrize("name", ["std", "min", "cumsum", "cumprod", "count_nonzero"])
def test_gradients_of_the_others(name: str) -> None:
    x = nr.asarray(np.random.default_rng(3).uniform(0.5, 2.0, size=(3, 4)))
    fn = getattr(nr, name)
    check_grads(lambda v: fn(v, axis=1), (x,), order=2)


def test_diff_gradients() -> None:
    x = nr.asarray(np.random.default_rng(1).normal(size=(3, 5)))
    p = nr.asarray(np.random.default_rng(2).normal(size=(3, 2)))
    check_grads(lambda v, w: nr.diff(v, axis=1, n=2, prepend=w, append=1.0), (x, p), order=2)


def test_max_ties_split_the_gradient() -> None:
    g = nr.grad(nr.max)(nr.asarray([1.0, 3.0, 3.0]))
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.5, 0.5])
    x = nr.asarray([[2.0, 2.0, 2.0], [1.0, 4.0, 0.0]])
    g = nr.grad(lambda v: nr.max(v, axis=1).sum())(x)
    np.testing.assert_allclose(g.numpy(), [[1 / 3] * 3, [0.0, 1.0, 0.0]])
    g = nr.grad(lambda v: nr.min(v, axis=0).sum())(x)
    np.testing.assert_allclose(g.numpy(), [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    _, t = nr.jvp(nr.max, (nr.asarray([3.0, 1.0, 3.0]),), (nr.asarray([1.0, 5.0, 2.0]),))
    assert float(t) == 1.5


def test_prod_gradient_with_zeros() -> None:
    def others(x: np.ndarray) -> np.ndarray:
        return np.array([np.prod(np.delete(x, i)) for i in range(x.size)])

    for values in ([2.0, 0.0, 3.0, 4.0], [0.0, 5.0, 0.0, 2.0], [0.0, 0.0, 0.0]):
        x = np.array(values)
        g = nr.grad(nr.prod)(nr.asarray(x))
        np.testing.assert_array_equal(g.numpy(), others(x))
    one_zero = nr.asarray([[2.0, 0.0, 3.0], [1.5, -1.0, 0.5]])
    check_grads(lambda v: nr.prod(v, axis=1), (one_zero,), order=2)
    check_grads(nr.prod, (one_zero,), order=2)


def _cumprod_jacobian(x: np.ndarray) -> np.ndarray:
    n = x.size
    jac = np.zeros((n, n))
    for k in range(n):
        for i in range(k + 1):
            jac[k, i] = np.prod(np.delete(x[: k + 1], i))
    return jac


@pytest.mark.parametrize(
    "values",
    [[2.0, 0.0, 3.0, 4.0], [0.0, 2.0, 3.0], [2.0, 3.0, 0.0], [1.5, 0.0, 2.0, 0.0, 3.0], [0.0, 0.0]],
)
def test_cumprod_gradient_with_zeros(values: list[float]) -> None:
    x = np.array(values)
    jac = _cumprod_jacobian(x)
    u = np.arange(1.0, x.size + 1)
    g = nr.grad(lambda v: (nr.cumprod(v) * nr.asarray(u)).sum())(nr.asarray(x))
    np.testing.assert_allclose(g.numpy(), u @ jac, atol=1e-12)
    _, t = nr.jvp(nr.cumprod, (nr.asarray(x),), (nr.asarray(u),))
    np.testing.assert_allclose(t.numpy(), jac @ u, atol=1e-12)


def test_cumprod_higher_derivatives_with_one_zero() -> None:
    x = nr.asarray([[1.5, 0.0, 2.0, -0.5], [0.0, 1.2, 0.8, 2.0], [1.1, 0.9, 1.3, 0.0]])
    check_grads(lambda v: nr.cumprod(v, axis=1), (x,), order=2)
    check_grads(lambda v: nr.cumulative_prod(v.T, axis=0, include_initial=True), (x,), order=2)


def test_argmax_is_a_constant_to_grad() -> None:
    x = nr.asarray([1.0, 4.0, 2.0])
    g = nr.grad(lambda v: (v * nr.astype(nr.argmax(v), v.dtype)).sum())(x)
    np.testing.assert_array_equal(g.numpy(), [1.0, 1.0, 1.0])
    g = nr.grad(lambda v: v.sum() * nr.astype(nr.count_nonzero(v > 1.5), v.dtype))(x)
    np.testing.assert_array_equal(g.numpy(), [2.0, 2.0, 2.0])


# ------------------------------------------------------------- cumulative, diff


@given(data=array_and_axis(min_side=0), include_initial=st.booleans())
def test_cumulative_match_numpy(data: tuple[np.ndarray, Any], include_initial: bool) -> None:
    x, axis = data
    if x.ndim == 0:
        return
    ax = axis[0] if isinstance(axis, tuple) and axis else axis
    ax = -1 if ax in (None, ()) else ax
    a = nr.asarray(x)
    for fn, ref in (
        (nr.cumulative_sum, np.cumulative_sum),
        (nr.cumulative_prod, np.cumulative_prod),
    ):
        got = fn(a, axis=ax, include_initial=include_initial)
        want = ref(x, axis=ax, include_initial=include_initial)
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(nr.cumsum(a, axis=ax).numpy(), np.cumsum(x, axis=ax), rtol=1e-12)
    np.testing.assert_allclose(nr.cumprod(a).numpy(), np.cumprod(x), rtol=1e-12)


def test_cumulative_one_dimensional_axis_none() -> None:
    x = nr.asarray([1, 2, 3])
    np.testing.assert_array_equal(nr.cumulative_sum(x).numpy(), [1, 3, 6])
    np.testing.assert_array_equal(nr.cumulative_prod(x, include_initial=True).numpy(), [1, 1, 2, 6])


@given(
    data=array_and_axis(min_side=0),
    n=st.integers(0, 3),
    edges=st.sampled_from(["none", "scalar", "array"]),
)
def test_diff_matches_numpy(data: tuple[np.ndarray, Any], n: int, edges: str) -> None:
    x, axis = data
    if x.ndim == 0:
        return
    ax = axis[0] if isinstance(axis, tuple) and axis else axis
    ax = -1 if ax in (None, ()) else ax
    kwargs: dict[str, Any] = {}
    if edges == "scalar":
        kwargs = {"prepend": 0.5, "append": -1.0}
    elif edges == "array":
        shape = list(x.shape)
        shape[ax] = 2
        kwargs = {"prepend": np.full(shape, 3.0)}
    got = nr.diff(nr.asarray(x), axis=ax, n=n, **{k: nr.asarray(v) for k, v in kwargs.items()})
    np.testing.assert_allclose(got.numpy(), np.diff(x, axis=ax, n=n, **kwargs), rtol=1e-12)


def test_diff_of_integers_and_promotion() -> None:
    x = nr.asarray([1, 4, 9], dtype=nr.int32)
    d = nr.diff(x)
    assert d.dtype == nr.int32
    np.testing.assert_array_equal(d.numpy(), [3, 5])
    d = nr.diff(x, prepend=nr.asarray([0.5], dtype=nr.float64))
    assert d.dtype == nr.float64
    np.testing.assert_array_equal(d.numpy(), [0.5, 3, 5])


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "call",
    [
        lambda x: nr.sum(x, axis=3),
        lambda x: nr.mean(x, axis=-4),
        lambda x: nr.max(x, axis=(0, 5)),
        lambda x: nr.argmax(x, axis=3),
        lambda x: nr.logsumexp(x, axis=7),
        lambda x: nr.cumsum(x, axis=3),
        lambda x: nr.diff(x, axis=3),
        lambda x: nr.var(x, axis=-5),
    ],
)
def test_bad_axis(call: Any) -> None:
    with pytest.raises(nr.AxisError, match=r"argument 'axis' expected a value in \[-3, 3\)"):
        call(nr.zeros((2, 3, 4)))


def test_bad_axis_message_names_op_axis_and_ndim() -> None:
    with pytest.raises(nr.AxisError) as info:
        nr.prod(nr.zeros((2, 3)), axis=2)
    assert str(info.value).startswith("prod:")
    assert "2 dimensions" in str(info.value) and "got 2" in str(info.value)


@pytest.mark.parametrize("fn", [nr.sum, nr.prod, nr.mean, nr.max, nr.all, nr.logsumexp])
def test_duplicate_axes(fn: Any) -> None:
    with pytest.raises(nr.AxisError, match="distinct axes"):
        fn(nr.zeros((2, 3)), axis=(1, -1))


@pytest.mark.parametrize("fn", [nr.max, nr.min, nr.argmax, nr.argmin])
def test_empty_reduction_without_identity(fn: Any) -> None:
    with pytest.raises(ValueError, match=rf"{fn.__name__}: argument 'x' expected a non-empty"):
        fn(nr.zeros((0, 3)))
    with pytest.raises(nr.ShapeError, match=r"got shape \(0, 3\)"):
        fn(nr.zeros((0, 3)), axis=0)


@pytest.mark.parametrize("fn", [nr.max, nr.min, nr.argmax, nr.argmin, nr.var, nr.std, nr.logsumexp])
def test_complex_input_rejected(fn: Any) -> None:
    with pytest.raises(nr.DTypeError, match=f"{fn.__name__}: argument 'x' expected a real"):
        fn(nr.asarray([1 + 2j, 3j]))


def test_argmax_axis_must_be_an_int() -> None:
    with pytest.raises(TypeError, match="argmax: argument 'axis' expected an int"):
        nr.argmax(nr.zeros((2, 3)), axis=(0, 1))


def test_cumulative_axis_required_beyond_1d() -> None:
    for fn in (nr.cumulative_sum, nr.cumulative_prod):
        with pytest.raises(nr.AxisError, match="expected an int for an array with 2 dimensions"):
            fn(nr.zeros((2, 3)))


def test_diff_errors() -> None:
    with pytest.raises(nr.DTypeError, match="diff: argument 'x' expected a numeric array"):
        nr.diff(nr.asarray([True, False]))
    with pytest.raises(ValueError, match="diff: argument 'n' expected a non-negative int"):
        nr.diff(nr.zeros(3), n=-1)
    with pytest.raises(nr.ShapeError, match="diff: argument 'x' expected at least one dim"):
        nr.diff(nr.asarray(1.0))
    with pytest.raises(nr.ShapeError, match="diff: argument 'append' expected a scalar or"):
        nr.diff(nr.zeros((2, 3)), append=nr.zeros((3, 1)))


@pytest.mark.parametrize("fn", [nr.var, nr.std])
@pytest.mark.parametrize("correction", [-1, "1", None])
def test_bad_correction(fn: Any, correction: Any) -> None:
    with pytest.raises(
        ValueError, match=f"{fn.__name__}: argument 'correction' expected a non-neg"
    ):
        fn(nr.zeros(3), correction=correction)
