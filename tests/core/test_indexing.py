"""Indexing and selection: ``x[key]`` against NumPy for random keys, views, the selection
functions against NumPy or hand loops, derivatives, errors and immutability."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import NeurarustError
from neurarust.test_util import check_grads

# ------------------------------------------------------------------ key strategies


@st.composite
def keyed_arrays(draw: Any, advanced: bool = True) -> tuple[np.ndarray, tuple[Any, ...]]:
    """An array and a key of ints, slices, None, Ellipsis and (when ``advanced``) integer
    arrays, boolean masks and lists, in any order NumPy accepts or rejects."""
    shape = draw(st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple))
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) - 3.0
    kinds = ["int", "slice", "none"] + (["array", "mask", "list"] if advanced else [])
    n_explicit = draw(st.integers(0, len(shape)))
    ellipsis_at = draw(st.none() | st.integers(0, n_explicit))
    axes = list(range(n_explicit))
    if ellipsis_at is not None:
        axes = axes[:ellipsis_at] + list(range(len(shape) - n_explicit + ellipsis_at, len(shape)))
    key: list[Any] = []
    index_shape = draw(st.sampled_from([(2,), (1, 3), (3,), ()]))
    for pos, axis in enumerate(axes):
        if pos == ellipsis_at:
            key.append(Ellipsis)
        kind = draw(st.sampled_from(kinds))
        n = shape[axis]
        if kind == "none":
            key.append(None)
            kind = "int"
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            bound = st.none() | st.integers(-n - 2, n + 2)
            step = st.none() | st.sampled_from([1, 2, 3, -1, -2])
            key.append(slice(draw(bound), draw(bound), draw(step)))
        elif kind == "mask":
            key.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))))
        else:
            values = draw(st.lists(st.integers(-n, n - 1), min_size=3, max_size=3))
            idx = np.array(values[: int(np.prod(index_shape))]).reshape(index_shape)
            key.append(idx.tolist() if kind == "list" else idx)
    if ellipsis_at is not None and ellipsis_at == len(axes):
        key.append(Ellipsis)
    if draw(st.booleans()):
        key.insert(draw(st.integers(0, len(key))), None)
    return x, tuple(key)


def _as_nr_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(nr.asarray(k) if isinstance(k, np.ndarray) else k for k in key)


# ------------------------------------------------------------------ getitem


@given(keyed_arrays())
def test_getitem_matches_numpy(case: tuple[np.ndarray, tuple[Any, ...]]) -> None:
    a, key = case
    x = nr.asarray(a)
    try:
        want = a[key]
    except IndexError:
        with pytest.raises(IndexError) as info:
            x[_as_nr_key(key)]
        assert isinstance(info.value, NeurarustError)
        return
    for k in (key, _as_nr_key(key)):
        got = x[k]
        assert got.shape == want.shape
        assert got.dtype == x.dtype
        np.testing.assert_array_equal(got.numpy(), want)


@given(keyed_arrays(advanced=False))
def test_basic_indexing_is_a_view(case: tuple[np.ndarray, tuple[Any, ...]]) -> None:
    a, key = case
    x = nr.asarray(a)
    got = x[key]
    np.testing.assert_array_equal(got.numpy(), a[key])
    if got.size and got.ndim and x.ndim:
        assert np.shares_memory(got.numpy(), x.numpy())


def test_getitem_under_transforms_matches_eager() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    keys = [
        (1, slice(None, None, -1)),
        (None, Ellipsis, 2),
        ([0, 0, 1], slice(1, 3), [2, 2, 0]),
        (a.sum(axis=(1, 2)) > 70,),
        (slice(None), np.array([[0], [2]]), np.array([1, 3])),
    ]
    for key in keys:
        want = a[key]
        out, tangent = nr.jvp(lambda x, k=key: x[k], (nr.asarray(a),), (nr.ones_like(a),))
        np.testing.assert_array_equal(out.numpy(), want)
        np.testing.assert_array_equal(tangent.numpy(), np.ones_like(want))


def test_getitem_accepts_every_index_spelling() -> None:
    a = np.arange(12.0).reshape(3, 4)
    x = nr.asarray(a)
    idx = [2, 0, -1]
    for spelling in (idx, np.array(idx), nr.asarray(idx), nr.asarray(idx, dtype=nr.int32)):
        np.testing.assert_array_equal(x[spelling].numpy(), a[idx])
    np.testing.assert_array_equal(x[nr.asarray(1)].numpy(), a[1])
    np.testing.assert_array_equal(x[np.int64(1), np.int32(2)].numpy(), a[1, 2])
    np.testing.assert_array_equal(x[nr.asarray(1) : nr.asarray(3)].numpy(), a[1:3])
    np.testing.assert_array_equal(x[[]].numpy(), a[np.array([], dtype=np.intp)])
    np.testing.assert_array_equal(x[True].numpy(), a[True])
    np.testing.assert_array_equal(x[nr.asarray(a > 4)].numpy(), a[a > 4])
    np.testing.assert_array_equal(
        x[..., nr.asarray([True, False, True, True])].numpy(), a[..., [True, False, True, True]]
    )


def test_index_with_values_from_inside_a_transform() -> None:
    a = np.array([3.0, -1.0, 2.0, 5.0])

    def f(x: nr.Array) -> nr.Array:
        return (x[x > 0] ** 2).sum() + x[nr.argmax(x)]

    g = nr.grad(f)(nr.asarray(a))
    np.testing.assert_allclose(g.numpy(), [6.0, 0.0, 4.0, 11.0])


@pytest.mark.parametrize(
    ("key", "error", "words"),
    [
        (5, nr.IndexBoundsError, ["getitem", "index 5", "axis 0", "size 3"]),
        (-4, nr.IndexBoundsError, ["index -4", "axis 0", "size 3"]),
        ((0, 4), nr.IndexBoundsError, ["index 4", "axis 1", "size 4"]),
        ((slice(None), [0, 4]), nr.IndexBoundsError, ["index 4", "axis 1", "size 4"]),
        (np.array([-7, 0]), nr.IndexBoundsError, ["index -7", "axis 0", "size 3"]),
        ((0, 0, 0), nr.IndexBoundsError, ["getitem", "3 dimensions", "(3, 4)"]),
        ((Ellipsis, 0, Ellipsis), nr.IndexBoundsError, ["Ellipsis"]),
        (
            np.array([True, False]),
            nr.IndexBoundsError,
            ["mask of shape (3,)", "got a mask of shape (2,)"],
        ),
        (([0, 1], [0, 1, 2]), nr.IndexBoundsError, ["getitem", "not a valid index"]),
        (1.0, nr.DTypeError, ["getitem", "float"]),
        (np.array([0.0, 1.0]), nr.DTypeError, ["getitem", "float64"]),
        (nr.asarray([0.5]), nr.DTypeError, ["getitem", "float32"]),
        ([0, 1.5], nr.DTypeError, ["getitem", "float64"]),
        (slice(0.5, 2), nr.DTypeError, ["getitem", "slice bounds", "0.5"]),
        (slice(0, 2, 0), nr.ShapeError, ["getitem", "step"]),
        ([[0, 1], [2]], nr.ShapeError, ["getitem", "rectangular"]),
        ("a", TypeError, ["getitem", "str"]),
    ],
)
def test_getitem_errors(key: Any, error: type, words: list[str]) -> None:
    x = nr.asarray(np.zeros((3, 4)))
    eager = lambda: x[key]  # noqa: E731
    traced = lambda: nr.grad(lambda v: v[key].sum())(x)  # noqa: E731
    for index in (eager, traced):
        with pytest.raises(error) as info:
            index()
        for w in words:
            assert w in str(info.value), (w, str(info.value))


def test_errors_subclass_what_numpy_raises() -> None:
    x = nr.zeros(3)
    with pytest.raises(IndexError):
        x[3]
    with pytest.raises(TypeError):
        x[np.array([0.0])]
    with pytest.raises(ValueError):
        x[::0]


# ------------------------------------------------------------ take and gather


@given(st.integers(0, 2**32 - 1))
def test_take_and_index_select_match_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = tuple(int(d) for d in rng.integers(1, 5, size=rng.integers(1, 4)))
    a = rng.standard_normal(shape)
    axis = int(rng.integers(-len(shape), len(shape)))
    idx = rng.integers(-shape[axis], shape[axis], size=rng.integers(0, 6))
    x = nr.asarray(a)
    np.testing.assert_array_equal(nr.take(x, idx, axis=axis).numpy(), np.take(a, idx, axis=axis))
    np.testing.assert_array_equal(nr.take(x, nr.asarray(idx)).numpy(), np.take(a, idx))
    np.testing.assert_array_equal(
        nr.index_select(x, axis, nr.asarray(idx)).numpy(), np.take(a, idx, axis=axis)
    )
    np.testing.assert_array_equal(nr.take(x, 0, axis=axis).numpy(), np.take(a, 0, axis=axis))


def _torch_gather(a: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    out = np.empty(index.shape, a.dtype)
    for pos in np.ndindex(*index.shape):
        src = list(pos)
        src[dim] = index[pos]
        out[pos] = a[tuple(src)]
    return out


@given(st.integers(0, 2**32 - 1))
def test_gather_and_take_along_axis_match_loops(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = tuple(int(d) for d in rng.integers(1, 5, size=rng.integers(1, 4)))
    a = rng.standard_normal(shape)
    dim = int(rng.integers(0, len(shape)))
    ishape = [int(rng.integers(1, d + 1)) for d in shape]
    ishape[dim] = int(rng.integers(1, 5))
    index = rng.integers(0, shape[dim], size=ishape)
    np.testing.assert_array_equal(
        nr.gather(nr.asarray(a), dim, index).numpy(), _torch_gather(a, dim, index)
    )
    full = [1 if rng.random() < 0.5 else d for d in shape]
    full[dim] = ishape[dim]
    along = rng.integers(-shape[dim], shape[dim], size=full)
    np.testing.assert_array_equal(
        nr.take_along_axis(nr.asarray(a), nr.asarray(along), axis=dim).numpy(),
        np.take_along_axis(a, along, axis=dim),
    )


def test_take_along_axis_flat_and_sorting() -> None:
    a = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    order = np.argsort(a, axis=1)
    got = nr.take_along_axis(nr.asarray(a), nr.asarray(order), axis=1)
    np.testing.assert_array_equal(got.numpy(), np.sort(a, axis=1))
    flat = np.array([5, 0, 0])
    np.testing.assert_array_equal(
        nr.take_along_axis(nr.asarray(a), flat, axis=None).numpy(), a.reshape(-1)[flat]
    )


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda x: nr.take(x, [6]), nr.IndexBoundsError, ["take", "index 6", "size 6"]),
        (lambda x: nr.take(x, [0], axis=2), nr.AxisError, ["take", "axis"]),
        (lambda x: nr.take(x, [True]), nr.DTypeError, ["take", "indices", "integer"]),
        (lambda x: nr.take(x, [0.5]), nr.DTypeError, ["take", "float64"]),
        (lambda x: nr.take(x, True), nr.DTypeError, ["take", "indices", "bool"]),
        (lambda x: nr.take(x, "0"), TypeError, ["take", "indices", "str"]),
        (lambda x: nr.index_select(x, 0, [[0]]), nr.ShapeError, ["index_select", "1-D"]),
        (lambda x: nr.index_select(x, 1, [5]), nr.IndexBoundsError, ["index 5", "axis 1"]),
        (lambda x: nr.gather(x, 0, [0, 1]), nr.ShapeError, ["gather", "2 dimensions"]),
        (lambda x: nr.gather(x, 0, [[0, 0, 0, 0]]), nr.ShapeError, ["gather", "at most 3"]),
        (lambda x: nr.gather(x, 1, [[3]]), nr.IndexBoundsError, ["gather", "index 3", "axis 1"]),
        (lambda x: nr.gather(x, 2, [[0]]), nr.AxisError, ["gather", "dim"]),
        (lambda x: nr.take_along_axis(x, [0], axis=0), nr.ShapeError, ["take_along_axis"]),
    ],
)
def test_take_gather_errors(call: Any, error: type, words: list[str]) -> None:
    with pytest.raises(error) as info:
        call(nr.asarray(np.zeros((2, 3))))
    for w in words:
        assert w in str(info.value), (w, str(info.value))


# ------------------------------------------------------------------ selection


def test_nonzero_where_and_masked_select() -> None:
    a = np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 3.0]])
    got = nr.nonzero(nr.asarray(a))
    for g, w in zip(got, np.nonzero(a), strict=True):
        assert g.dtype == nr.int64
        np.testing.assert_array_equal(g.numpy(), w)
    for g, w in zip(nr.where(nr.asarray(a) > 1), np.nonzero(a > 1), strict=True):
        np.testing.assert_array_equal(g.numpy(), w)
    rows, cols = nr.nonzero(nr.asarray(a), size=5, fill_value=-1)
    np.testing.assert_array_equal(rows.numpy(), [0, 1, 1, -1, -1])
    np.testing.assert_array_equal(cols.numpy(), [1, 0, 2, -1, -1])
    rows, _ = nr.nonzero(nr.asarray(a), size=2)
    np.testing.assert_array_equal(rows.numpy(), [0, 1])
    mask = np.array([True, False, True])
    got = nr.masked_select(nr.asarray(a), nr.asarray(mask))
    np.testing.assert_array_equal(got.numpy(), a[:, mask].reshape(-1))
    np.testing.assert_array_equal(nr.masked_select(2.0, nr.asarray(mask)).numpy(), [2.0, 2.0])


def test_nonzero_under_a_transform() -> None:
    def f(x: nr.Array) -> nr.Array:
        (idx,) = nr.nonzero(x > 0)
        assert idx.dtype == nr.int64
        return nr.take(x, idx).sum()

    np.testing.assert_array_equal(nr.grad(f)(nr.asarray([1.0, -2.0, 3.0])).numpy(), [1, 0, 1])


@given(st.integers(0, 2**32 - 1))
def test_bincount_matches_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 6, size=rng.integers(0, 8))
    w = rng.standard_normal(x.shape)
    minlength = int(rng.integers(0, 9))
    got = nr.bincount(nr.asarray(x), minlength=minlength)
    assert got.dtype == nr.int64
    np.testing.assert_array_equal(got.numpy(), np.bincount(x, minlength=minlength))
    got = nr.bincount(x, nr.asarray(w), minlength)
    assert got.dtype == nr.float64
    np.testing.assert_allclose(got.numpy(), np.bincount(x, w, minlength), atol=1e-12)
    assert nr.bincount(x, x).dtype == nr.float32


def test_bincount_gradient_in_weights() -> None:
    x = nr.asarray([0, 2, 2, 1, 2])
    w = nr.asarray([0.5, -1.0, 2.0, 0.25, 3.0], dtype=nr.float64)
    check_grads(lambda w: nr.bincount(x, w) ** 2, (w,), order=2)
    g = nr.grad(lambda w: (nr.bincount(x, w) * nr.asarray([1.0, 10.0, 100.0])).sum())(w)
    np.testing.assert_allclose(g.numpy(), [1.0, 100.0, 100.0, 10.0, 100.0])


@given(st.integers(0, 2**32 - 1), st.sampled_from(["left", "right"]))
def test_searchsorted_matches_numpy(seed: int, side: str) -> None:
    rng = np.random.default_rng(seed)
    x1 = np.sort(rng.integers(-3, 4, size=rng.integers(1, 7)).astype(np.float32))
    x2 = rng.integers(-4, 5, size=rng.integers(0, 3, size=2)).astype(np.float32)
    got = nr.searchsorted(nr.asarray(x1), nr.asarray(x2), side=side)
    assert got.dtype == nr.int64
    np.testing.assert_array_equal(got.numpy(), np.searchsorted(x1, x2, side=side))
    perm = rng.permutation(x1.shape[0])
    got = nr.searchsorted(nr.asarray(x1[perm]), x2, side=side, sorter=np.argsort(x1[perm]))
    np.testing.assert_array_equal(got.numpy(), np.searchsorted(x1, x2, side=side))


def test_searchsorted_promotes_and_scalars() -> None:
    got = nr.searchsorted(nr.asarray([1, 2, 3]), 2.5)
    assert got.shape == () and int(got) == 2


def test_one_hot() -> None:
    got = nr.one_hot(nr.asarray([[2, -1], [0, 3]]), 3)
    assert got.dtype == nr.float32 and got.shape == (2, 2, 3)
    want = np.array([[[0, 0, 1], [0, 0, 0]], [[1, 0, 0], [0, 0, 0]]], dtype=np.float32)
    np.testing.assert_array_equal(got.numpy(), want)
    got = nr.one_hot(nr.asarray([1, 4]), -1, dtype=nr.int64)
    assert got.dtype == nr.int64
    np.testing.assert_array_equal(got.numpy(), np.eye(5, dtype=np.int64)[[1, 4]])


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: nr.nonzero(nr.asarray(1.0)), nr.ShapeError, ["nonzero", "0-d"]),
        (lambda: nr.nonzero(nr.ones(2), size=-1), nr.ShapeError, ["nonzero", "size"]),
        (
            lambda: nr.masked_select(nr.ones(2), nr.ones(2)),
            nr.DTypeError,
            ["masked_select", "mask"],
        ),
        (
            lambda: nr.masked_select(nr.ones(2), nr.asarray([True] * 3)),
            nr.ShapeError,
            ["masked_select"],
        ),
        (lambda: nr.bincount(nr.ones(2)), nr.DTypeError, ["bincount", "integer"]),
        (lambda: nr.bincount(nr.asarray([[1]])), nr.ShapeError, ["bincount", "1-D"]),
        (lambda: nr.bincount(nr.asarray([1, -2])), nr.IndexBoundsError, ["bincount", "-2"]),
        (lambda: nr.bincount(nr.asarray([1]), minlength=-1), nr.ShapeError, ["minlength"]),
        (lambda: nr.bincount(nr.asarray([1]), nr.ones(2)), nr.ShapeError, ["weights", "(1,)"]),
        (lambda: nr.searchsorted(nr.ones((2, 2)), 1.0), nr.ShapeError, ["searchsorted", "1-D"]),
        (lambda: nr.searchsorted(nr.ones(2), 1.0, side="middle"), ValueError, ["side"]),
        (lambda: nr.searchsorted(nr.ones(2), 1.0, sorter=[0]), nr.ShapeError, ["sorter"]),
        (lambda: nr.one_hot(nr.ones(2), 3), nr.DTypeError, ["one_hot", "integer"]),
        (lambda: nr.one_hot(nr.asarray([1]), -3), nr.ShapeError, ["one_hot", "num_classes"]),
        (lambda: nr.one_hot(nr.asarray([1]), 3, dtype="float8"), nr.DTypeError, ["one_hot"]),
    ],
)
def test_selection_errors(call: Any, error: type, words: list[str]) -> None:
    with pytest.raises(error) as info:
        call()
    for w in words:
        assert w in str(info.value), (w, str(info.value))


# ------------------------------------------------------------------ derivatives


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x[1, ::-2],
        lambda x: x[None, ..., 1:],
        lambda x: x[[0, 0, 2, 0]],
        lambda x: x[[[0], [2]], [1, 1, 3]],
        lambda x: x[x > 0.0],
        lambda x: nr.take(x, [5, 5, 0, -1]),
        lambda x: nr.take_along_axis(x, nr.asarray([[0, 0], [3, 3], [1, 0]]), axis=1),
        lambda x: nr.gather(x, 0, nr.asarray([[0, 0, 0], [2, 2, 2]])),
        lambda x: nr.masked_select(x, nr.asarray([True, False, False, True])),
    ],
)
def test_indexing_gradients_with_repeated_indices(fn: Any) -> None:
    x = nr.asarray(np.random.default_rng(0).standard_normal((3, 4)))
    check_grads(fn, (x,), order=2)


def test_repeated_gather_accumulates_exactly() -> None:
    g = nr.grad(lambda x: x[[0, 0, 2, 0]].sum())(nr.zeros(3))
    np.testing.assert_array_equal(g.numpy(), [3.0, 0.0, 1.0])


# ------------------------------------------------------------------ immutability


def test_no_selection_changes_its_input() -> None:
    a = np.random.default_rng(1).standard_normal((3, 4))
    x = nr.asarray(a)
    before = x.numpy().copy()
    idx = nr.asarray([2, 0, 2])
    results = [
        x[1],
        x[::2, 1:],
        x[idx],
        x[x > 0],
        nr.take(x, idx, axis=1),
        nr.index_select(x, 0, idx),
        nr.take_along_axis(x, nr.asarray([[1], [0], [3]]), axis=1),
        nr.gather(x, 1, nr.asarray([[1], [0], [3]])),
        nr.masked_select(x, x > 0),
        nr.nonzero(x > 0),
        nr.searchsorted(nr.asarray([0.0, 1.0]), x),
    ]
    nr.grad(lambda v: v[idx].sum() + v[1:, 2].sum())(x)
    assert len(results) == 11
    np.testing.assert_array_equal(x.numpy(), before)
    with pytest.raises(ValueError):
        x[1].numpy()[0] = 5.0
