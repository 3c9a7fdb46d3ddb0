"""sort, argsort, topk and unique_*: values against NumPy over generated shapes and axes,
stability with ties, NaN placement, gradients through the permutation, and error paths."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.ops.sorting import gather_along_axis, scatter_add_along_axis
from neurarust.test_util import check_grads


@st.composite
def array_and_axis(draw: Any, ties: bool = False) -> tuple[np.ndarray, int]:
    """An array of 1 to 3 dimensions (small integers when ``ties``) and a valid axis."""
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-2, 3, size=shape) if ties else rng.normal(size=shape)
    return x, draw(st.integers(-len(shape), len(shape) - 1))


def _stable_argsort(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    return np.argsort(-x if descending else x, axis=axis, kind="stable")


@given(data=array_and_axis(), descending=st.booleans(), stable=st.booleans())
def test_sort_matches_numpy(data: tuple[np.ndarray, int], descending: bool, stable: bool) -> None:
    x, axis = data
    got = nr.sort(nr.asarray(x), axis=axis, descending=descending, stable=stable)
    want = np.sort(x, axis=axis)
    np.testing.assert_array_equal(got.numpy(), np.flip(want, axis) if descending else want)


@given(data=array_and_axis(ties=True), descending=st.booleans())
def test_argsort_is_stable_with_ties(data: tuple[np.ndarray, int], descending: bool) -> None:
    x, axis = data
    got = nr.argsort(nr.asarray(x), axis=axis, descending=descending)
    assert got.dtype == nr.int64
    np.testing.assert_array_equal(got.numpy(), _stable_argsort(x, axis, descending))


@given(data=array_and_axis(ties=True), descending=st.booleans())
def test_unstable_argsort_still_sorts(data: tuple[np.ndarray, int], descending: bool) -> None:
    x, axis = data
    idx = nr.argsort(nr.asarray(x), axis=axis, descending=descending, stable=False).numpy()
    ordered = np.take_along_axis(x, idx, axis=axis)
    want = np.sort(x, axis=axis)
    np.testing.assert_array_equal(ordered, np.flip(want, axis) if descending else want)
    np.testing.assert_array_equal(np.sort(idx, axis=axis), np.sort(np.argsort(x, axis), axis))


def test_sorted_under_a_transform_matches_eager() -> None:
    x = nr.asarray([[3, 1, 2, 1], [0, 5, 5, -1]], dtype=nr.float64)
    for descending in (False, True):
        eager = nr.sort(x, descending=descending)
        traced, _ = nr.vjp(lambda v, d=descending: nr.sort(v, descending=d), x)
        np.testing.assert_array_equal(traced.numpy(), eager.numpy())


def test_nan_sorts_as_largest() -> None:
    x = nr.asarray([2.0, np.nan, -1.0])
    np.testing.assert_array_equal(nr.sort(x).numpy(), [-1.0, 2.0, np.nan])
    np.testing.assert_array_equal(nr.sort(x, descending=True).numpy(), [np.nan, 2.0, -1.0])
    np.testing.assert_array_equal(nr.argsort(x, descending=True).numpy(), [1, 0, 2])


def test_sort_integers_and_bool() -> None:
    x = nr.asarray([3, 1, 2], dtype=nr.uint8)
    assert nr.sort(x).dtype == nr.uint8
    np.testing.assert_array_equal(nr.sort(x, descending=True).numpy(), [3, 2, 1])
    np.testing.assert_array_equal(nr.argsort(x, descending=True).numpy(), [0, 2, 1])
    np.testing.assert_array_equal(nr.sort(nr.asarray([True, False])).numpy(), [False, True])


# ------------------------------------------------------------------------- topk


@given(data=array_and_axis(), largest=st.booleans(), k_frac=st.floats(0, 1))
def test_topk_matches_reference(data: tuple[np.ndarray, int], largest: bool, k_frac: float) -> None:
    x, axis = data
    k = round(k_frac * x.shape[axis])
    values, indices = nr.topk(nr.asarray(x), k, axis=axis, largest=largest)
    idx = np.take(_stable_argsort(x, axis, largest), np.arange(k), axis=axis)
    np.testing.assert_array_equal(indices.numpy(), idx)
    np.testing.assert_array_equal(values.numpy(), np.take_along_axis(x, idx, axis=axis))


def test_topk_ties_pick_the_first() -> None:
    res = nr.topk(nr.asarray([1, 3, 3, 0, 3]), 2)
    np.testing.assert_array_equal(res.indices.numpy(), [1, 2])
    res = nr.topk(nr.asarray([1, 3, 0, 0]), 2, largest=False)
    np.testing.assert_array_equal(res.indices.numpy(), [2, 3])
    np.testing.assert_array_equal(res.values.numpy(), [0, 0])


def test_topk_gradient_scatters_into_selected_positions() -> None:
    x = nr.asarray([[0.1, 0.9, 0.5, 0.7], [2.0, -1.0, 3.0, 0.0]])
    w = nr.asarray([[10.0, 20.0], [30.0, 40.0]])
    g = nr.grad(lambda v: (nr.topk(v, 2).values * w).sum())(x)
    np.testing.assert_array_equal(g.numpy(), [[0, 10, 0, 20], [40, 0, 30, 0]])
    g = nr.grad(lambda v: (nr.topk(v, 1, axis=0, largest=False)[0]).sum())(x)
    np.testing.assert_array_equal(g.numpy(), [[1, 0, 1, 0], [0, 1, 0, 1]])


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_sort_and_topk_higher_order_gradients(axis: int, descending: bool) -> None:
    x = nr.asarray(np.random.default_rng(axis + 2).permutation(12).reshape(3, 4) * 0.25)
    x = nr.astype(x, nr.float64)
    check_grads(lambda v: nr.sort(v, axis=axis, descending=descending) ** 2, (x,), order=2)
    check_grads(lambda v: nr.topk(v, 2, axis=axis, largest=descending).values, (x,), order=2)


def test_sort_gradient_follows_the_permutation() -> None:
    x = nr.asarray([3.0, 1.0, 2.0])
    w = nr.asarray([1.0, 10.0, 100.0])
    g = nr.grad(lambda v: (nr.sort(v) * w).sum())(x)
    np.testing.assert_array_equal(g.numpy(), [100.0, 1.0, 10.0])
    _, t = nr.jvp(lambda v: nr.sort(v, descending=True), (x,), (w,))
    np.testing.assert_array_equal(t.numpy(), [1.0, 100.0, 10.0])


def test_gather_and_scatter_are_transposes() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    idx = rng.integers(0, 4, size=(3, 6))
    g = rng.normal(size=(3, 6))
    gathered = gather_along_axis(nr.asarray(x), nr.asarray(idx), 1).numpy()
    scattered = scatter_add_along_axis(nr.asarray(g), nr.asarray(idx), 1, (3, 4)).numpy()
    np.testing.assert_allclose(np.sum(gathered * g), np.sum(x * scattered), rtol=1e-12)
    np.testing.assert_array_equal(gathered, np.take_along_axis(x, idx, axis=1))


# ----------------------------------------------------------------------- unique


@given(data=array_and_axis(ties=True))
def test_unique_family_matches_numpy(data: tuple[np.ndarray, int]) -> None:
    x, _ = data
    a = nr.asarray(x)
    values, index, inverse, counts = np.unique(
        x.reshape(-1), return_index=True, return_inverse=True, return_counts=True
    )
    np.testing.assert_array_equal(nr.unique_values(a).numpy(), values)
    res = nr.unique_all(a)
    np.testing.assert_array_equal(res.values.numpy(), values)
    np.testing.assert_array_equal(res.indices.numpy(), index)
    np.testing.assert_array_equal(res.inverse_indices.numpy(), inverse.reshape(x.shape))
    np.testing.assert_array_equal(res.counts.numpy(), counts)
    np.testing.assert_array_equal(nr.unique_counts(a).counts.numpy(), counts)
    inv = nr.unique_inverse(a)
    np.testing.assert_array_equal(inv.values.numpy()[inv.inverse_indices.numpy()], x)


def test_unique_treats_each_nan_as_distinct() -> None:
    res = nr.unique_counts(nr.asarray([np.nan, 1.0, np.nan, 1.0]))
    assert res.values.shape == (3,)
    np.testing.assert_array_equal(res.counts.numpy(), [2, 1, 1])


def test_unique_results_are_constants_under_grad() -> None:
    def f(v: nr.Array) -> nr.Array:
        return (v * nr.astype(nr.unique_values(v).shape[0], v.dtype)).sum() + nr.sum(
            nr.unique_values(v)
        )

    g = nr.grad(f)(nr.asarray([1.0, 2.0, 2.0]))
    np.testing.assert_array_equal(g.numpy(), [2.0, 2.0, 2.0])


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "call",
    [
        lambda x: nr.sort(x, axis=2),
        lambda x: nr.argsort(x, axis=-3),
        lambda x: nr.topk(x, 1, axis=5),
    ],
)
def test_bad_axis(call: Any) -> None:
    with pytest.raises(nr.AxisError, match=r"argument 'axis' expected a value in \[-2, 2\)"):
        call(nr.zeros((2, 3)))


def test_sort_of_a_scalar_has_no_axis() -> None:
    with pytest.raises(nr.AxisError, match="sort: argument 'axis'"):
        nr.sort(nr.asarray(1.0))


@pytest.mark.parametrize("k", [4, -1])
def test_topk_k_out_of_range(k: int) -> None:
    with pytest.raises(
        nr.ShapeError, match=rf"topk: argument 'k' expected a value in \[0, 3\].*got {k}"
    ):
        nr.topk(nr.zeros((2, 3)), k)


def test_topk_k_must_be_an_int() -> None:
    with pytest.raises(TypeError, match="topk: argument 'k' expected an int, got float"):
        nr.topk(nr.zeros(3), 1.0)


@pytest.mark.parametrize("fn", [nr.sort, nr.argsort, lambda x: nr.topk(x, 1)])
def test_complex_input_rejected(fn: Any) -> None:
    with pytest.raises(nr.DTypeError, match="argument 'x' expected a real-valued array"):
        fn(nr.asarray([1j, 2.0]))
