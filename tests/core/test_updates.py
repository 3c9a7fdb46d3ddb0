"""The functional-update shim (``x.at[idx]``) and PyTorch's in-place indexing ops as functions:
values against NumPy's ``ufunc.at`` and hand loops (eagerly and under transforms),
derivatives with repeated indices, errors and immutability."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.ops.indexing import random_key
from neurarust.test_util import check_grads

SEEDS = st.integers(0, 2**32 - 1)
UFUNCS = {
    "add": np.add,
    "subtract": np.subtract,
    "multiply": np.multiply,
    "divide": np.divide,
    "power": np.power,
    "min": np.minimum,
    "max": np.maximum,
}
KINDS = ["set", *UFUNCS]


def _reference(kind: str, a: np.ndarray, key: Any, v: np.ndarray) -> np.ndarray:
    out = a.copy()
    if kind == "set":
        out[key] = v
    else:
        UFUNCS[kind].at(out, key, np.broadcast_to(v, out[key].shape))
    return out


def _case(seed: int, kind: str) -> tuple[np.ndarray, Any, np.ndarray]:
    """A random array, key (repeats are likely) and values for update ``kind``."""
    rng = np.random.default_rng(seed)
    shape = tuple(int(d) for d in rng.integers(1, 4, size=rng.integers(1, 4)))
    key = random_key(rng, shape, advanced=bool(rng.random() < 0.7))
    low = 0.5 if kind in ("divide", "power") else -2.0
    a = rng.uniform(low, 2.0, size=shape)
    target = a[key].shape
    v = rng.uniform(low, 2.0, size=target[int(rng.integers(0, len(target) + 1)) :])
    return a, key, v


@pytest.mark.parametrize("kind", KINDS)
@given(seed=SEEDS)
def test_at_matches_numpy_eagerly_and_traced(kind: str, seed: int) -> None:
    a, key, v = _case(seed, kind)
    want = _reference(kind, a, key, v)
    x = nr.asarray(a)
    got = getattr(x.at[key], kind)(nr.asarray(v))
    assert got.dtype == x.dtype
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    traced, _ = nr.jvp(
        lambda x, v: getattr(x.at[key], kind)(v),
        (x, nr.asarray(v)),
        (nr.zeros_like(x), nr.zeros_like(v)),
    )
    np.testing.assert_allclose(traced.numpy(), want, rtol=1e-12)
    np.testing.assert_array_equal(x.numpy(), a)


@pytest.mark.parametrize("kind", KINDS)
@given(seed=SEEDS)
def test_at_gradients_with_repeated_indices(kind: str, seed: int) -> None:
    a, key, v = _case(seed, kind)
    f = lambda x, v: getattr(x.at[key], kind)(v)  # noqa: E731
    check_grads(f, (nr.asarray(a), nr.asarray(v)), order=2, seed=seed % 1000)


def test_add_accumulates_repeated_indices() -> None:
    x = nr.zeros(4)
    idx = nr.asarray([0, 0, 3, 0])
    got = x.at[idx].add(nr.asarray([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(got.numpy(), [7.0, 0.0, 0.0, 3.0])
    np.testing.assert_array_equal(x.at[idx].subtract(1.0).numpy(), [-3.0, 0.0, 0.0, -1.0])
    g = nr.grad(lambda v: (x.at[idx].add(v) * nr.asarray([1.0, 2.0, 3.0, 4.0])).sum())(nr.ones(4))
    np.testing.assert_array_equal(g.numpy(), [1.0, 1.0, 4.0, 1.0])


def test_multiply_with_repeats_and_zeros_differentiates_exactly() -> None:
    idx = [1, 1, 1]
    x = nr.asarray([2.0, 3.0], dtype=nr.float64)
    v = nr.asarray([0.0, 5.0, 7.0], dtype=nr.float64)
    np.testing.assert_array_equal(x.at[idx].multiply(v).numpy(), [2.0, 0.0])
    gx, gv = nr.grad(lambda x, v: x.at[idx].multiply(v).sum(), argnums=(0, 1))(x, v)
    np.testing.assert_array_equal(gx.numpy(), [1.0, 0.0])
    np.testing.assert_array_equal(gv.numpy(), [105.0, 0.0, 0.0])
    check_grads(lambda x, v: x.at[idx].multiply(v), (x, v), order=2)


def test_set_with_repeats_differentiates_the_winner_only() -> None:
    x = nr.zeros(3, dtype=nr.float64)
    v = nr.asarray([1.0, 2.0, 3.0], dtype=nr.float64)
    idx = nr.asarray([2, 0, 2])
    out = x.at[idx].set(v)
    np.testing.assert_array_equal(out.numpy(), [2.0, 0.0, 3.0])
    gx, gv = nr.grad(lambda x, v: (x.at[idx].set(v) ** 2).sum(), argnums=(0, 1))(x + 1.0, v)
    np.testing.assert_array_equal(gx.numpy(), [0.0, 2.0, 0.0])
    np.testing.assert_array_equal(gv.numpy(), [0.0, 4.0, 6.0])
    _, tangent = nr.jvp(lambda v: x.at[idx].set(v), (v,), (nr.asarray([10.0, 20.0, 30.0]),))
    np.testing.assert_array_equal(tangent.numpy(), [20.0, 0.0, 30.0])


@pytest.mark.parametrize("kind", ["min", "max"])
def test_extremum_ties_share_the_derivative(kind: str) -> None:
    x = nr.asarray([1.0, 5.0], dtype=nr.float64)
    v = nr.asarray([1.0, 1.0, 0.0 if kind == "max" else 2.0], dtype=nr.float64)
    idx = [0, 0, 0]
    gx, gv = nr.grad(lambda x, v: getattr(x.at[idx], kind)(v).sum(), argnums=(0, 1))(x, v)
    np.testing.assert_allclose(gx.numpy(), [1 / 3, 1.0])
    np.testing.assert_allclose(gv.numpy(), [1 / 3, 1 / 3, 0.0])
    _, t = nr.jvp(lambda v: getattr(x.at[idx], kind)(v), (v,), (nr.asarray([3.0, 6.0, 9.0]),))
    np.testing.assert_allclose(t.numpy(), [3.0, 0.0])


def test_extremum_with_nan_result_gives_no_derivative() -> None:
    x = nr.asarray([np.nan, 1.0], dtype=nr.float64)
    g = nr.grad(lambda v: x.at[0].max(v).sum())(nr.asarray(2.0, dtype=nr.float64))
    assert float(g) == 0.0


def test_get_and_basic_keys() -> None:
    a = np.arange(12.0).reshape(3, 4)
    x = nr.asarray(a)
    np.testing.assert_array_equal(x.at[1:, ::2].get().numpy(), a[1:, ::2])
    np.testing.assert_array_equal(x.at[x > 5].get().numpy(), a[a > 5])
    want = a.copy()
    want[None, 1:, 2] = [[-1.0, -2.0]]
    np.testing.assert_array_equal(x.at[None, 1:, 2].set([[-1.0, -2.0]]).numpy(), want)
    want = a.copy()
    want[..., 0] *= 2
    np.testing.assert_array_equal(x.at[..., 0].multiply(2).numpy(), want)
    np.testing.assert_array_equal(nr.asarray(3.0).at[()].set(1.0).numpy(), 1.0)


def test_values_are_cast_to_the_dtype_of_x() -> None:
    x = nr.asarray([1, 2, 3], dtype=nr.int32)
    got = x.at[0].set(7.9)
    assert got.dtype == nr.int32 and got.tolist() == [7, 2, 3]
    got = x.at[[1, 2]].add(nr.asarray([0.5, -1.7]))
    assert got.dtype == nr.int32 and got.tolist() == [1, 2, 2]
    y = nr.zeros(2, dtype=nr.float32)
    got = y.at[1].set(nr.asarray(1.0, dtype=nr.float64))
    assert got.dtype == nr.float32
    assert y.at[0].set(True).tolist() == [1.0, 0.0]


def test_update_under_grad_with_traced_values() -> None:
    def f(w: nr.Array) -> nr.Array:
        y = nr.zeros(4, dtype=w.dtype).at[1:3].set(w * 2.0)
        return (y.at[[0, 0]].add(w) ** 2).sum()

    check_grads(f, (nr.asarray([1.0, -2.0], dtype=nr.float64),), order=2)


# ------------------------------------------------------------------ PyTorch ops


def _torch_scatter(a: np.ndarray, dim: int, index: np.ndarray, src: Any, reduce: Any):
    out = a.copy()
    for pos in np.ndindex(*index.shape):
        dst = list(pos)
        dst[dim] = index[pos]
        dst = tuple(dst)
        s = src[pos] if isinstance(src, np.ndarray) else src
        if reduce is None:
            out[dst] = s
        elif reduce == "add":
            out[dst] += s
        elif reduce == "multiply":
            out[dst] *= s
        elif reduce == "amax":
            out[dst] = max(out[dst], s)
        else:
            out[dst] = min(out[dst], s)
    return out


def _scatter_case(seed: int) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    shape = tuple(int(d) for d in rng.integers(1, 4, size=rng.integers(1, 4)))
    dim = int(rng.integers(0, len(shape)))
    ishape = [int(rng.integers(1, d + 1)) for d in shape]
    ishape[dim] = int(rng.integers(1, 5))
    index = rng.integers(0, shape[dim], size=ishape)
    src = rng.standard_normal([d + int(rng.integers(0, 2)) for d in ishape])
    return rng.standard_normal(shape), dim, index, src


@pytest.mark.parametrize("reduce", [None, "add", "multiply", "amax", "amin"])
@given(seed=SEEDS)
def test_scatter_matches_loops(reduce: Any, seed: int) -> None:
    a, dim, index, src = _scatter_case(seed)
    got = nr.scatter(nr.asarray(a), dim, nr.asarray(index), nr.asarray(src), reduce=reduce)
    np.testing.assert_allclose(got.numpy(), _torch_scatter(a, dim, index, src, reduce))
    got = nr.scatter(nr.asarray(a), dim, index, 2.5, reduce=reduce)
    np.testing.assert_allclose(got.numpy(), _torch_scatter(a, dim, index, 2.5, reduce))
    check_grads(
        lambda x, s: nr.scatter(x, dim, index, s, reduce=reduce),
        (nr.asarray(a), nr.asarray(src)),
        order=2,
        seed=seed % 1000,
    )


@given(seed=SEEDS)
def test_scatter_add_index_add_index_put_match_numpy(seed: int) -> None:
    a, dim, index, src = _scatter_case(seed)
    got = nr.scatter_add(nr.asarray(a), dim, index, nr.asarray(src))
    np.testing.assert_allclose(got.numpy(), _torch_scatter(a, dim, index, src, "add"))
    rng = np.random.default_rng(seed)
    idx = rng.integers(-a.shape[dim], a.shape[dim], size=int(rng.integers(1, 5)))
    source = rng.standard_normal((*a.shape[:dim], idx.shape[0], *a.shape[dim + 1 :]))
    want = a.copy()
    np.add.at(want, (slice(None),) * dim + (idx,), -0.5 * source)
    got = nr.index_add(nr.asarray(a), dim, nr.asarray(idx), nr.asarray(source), alpha=-0.5)
    np.testing.assert_allclose(got.numpy(), want)
    check_grads(lambda x, s: nr.index_add(x, dim, idx, s, alpha=3.0), (a, source), order=2)
    indices = tuple(rng.integers(0, d, size=3) for d in a.shape[: int(rng.integers(1, a.ndim + 1))])
    values = rng.standard_normal(a[indices].shape)
    want = a.copy()
    np.add.at(want, indices, values)
    got = nr.index_put(nr.asarray(a), [nr.asarray(i) for i in indices], values, accumulate=True)
    np.testing.assert_allclose(got.numpy(), want)
    want = a.copy()
    want[indices] = values
    np.testing.assert_allclose(nr.index_put(a, indices, nr.asarray(values)).numpy(), want)


def test_masked_fill_and_fill() -> None:
    a = np.arange(6.0).reshape(2, 3)
    mask = np.array([True, False, True])
    got = nr.masked_fill(nr.asarray(a), nr.asarray(mask), -1.0)
    np.testing.assert_array_equal(got.numpy(), np.where(mask, -1.0, a))
    got = nr.masked_fill(nr.asarray(a, dtype=nr.int32), nr.asarray(mask), 2.7)
    assert got.dtype == nr.int32 and got.tolist() == [[2, 1, 2], [2, 4, 2]]
    value = nr.asarray(4.0, dtype=nr.float64)
    check_grads(lambda x, v: nr.masked_fill(x, nr.asarray(mask), v), (a, value), order=2)
    got = nr.fill(nr.asarray(a, dtype=nr.int64), 3.9)
    assert got.dtype == nr.int64 and got.tolist() == [[3] * 3] * 2
    np.testing.assert_array_equal(nr.fill(nr.asarray(a), value).numpy(), np.full((2, 3), 4.0))
    g = nr.grad(lambda v: nr.fill(nr.asarray(a), v).sum())(value)
    assert float(g) == 6.0
    check_grads(lambda x, v: nr.fill(x, v) * x, (a, value), order=2)


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda x: x.at[5].set(1.0), nr.IndexBoundsError, ["at[].set", "index 5", "size 3"]),
        (lambda x: x.at[[0, -4]].add(1.0), nr.IndexBoundsError, ["at[].add", "index -4"]),
        (lambda x: x.at[[0.5]].add(1.0), nr.DTypeError, ["at[].add", "float64"]),
        (lambda x: x.at[0].set(nr.ones(3)), nr.ShapeError, ["at[].set", "(3,)", "(2,)"]),
        (lambda x: x.at[:2].max(nr.ones((2, 2, 2))), nr.ShapeError, ["at[].max", "(2, 2)"]),
        (lambda x: x.at[[0, 1]].add(nr.ones(3)), nr.ShapeError, ["at[].add", "(3,)"]),
        (lambda x: x.at[[0, 1], [0, 0, 0]].add(1.0), nr.IndexBoundsError, ["not a valid"]),
        (
            lambda x: nr.asarray([1, 2]).at[0].divide(2),
            nr.DTypeError,
            ["at[].divide", "int64"],
        ),
        (lambda x: nr.asarray([True]).at[0].subtract(True), nr.DTypeError, ["subtract"]),
        (lambda x: nr.scatter(x, 0, [[0]], 1.0, reduce="mean"), ValueError, ["reduce"]),
        (lambda x: nr.scatter(x, 0, [[0, 0]], nr.ones((1, 1))), nr.ShapeError, ["src"]),
        (lambda x: nr.scatter(x, 0, [[3]], 1.0), nr.IndexBoundsError, ["scatter", "index 3"]),
        (lambda x: nr.scatter(x, 2, [[0]], 1.0), nr.AxisError, ["scatter", "dim"]),
        (lambda x: nr.scatter_add(x, 0, [0], 1.0), nr.ShapeError, ["scatter_add", "index"]),
        (lambda x: nr.scatter(x, 0, [[0.0]], 1.0), nr.DTypeError, ["scatter", "index"]),
        (lambda x: nr.index_add(x, 0, [0], nr.ones(2)), nr.ShapeError, ["index_add", "(1, 2)"]),
        (lambda x: nr.index_add(x, 0, [7], nr.ones((1, 2))), nr.IndexBoundsError, ["index 7"]),
        (lambda x: nr.index_put(x, nr.asarray([0]), 1.0), TypeError, ["index_put", "tuple"]),
        (lambda x: nr.index_put(x, ([0], [9]), 1.0), nr.IndexBoundsError, ["index_put"]),
        (lambda x: nr.masked_fill(x, nr.ones(2), 0.0), nr.DTypeError, ["masked_fill", "mask"]),
        (
            lambda x: nr.masked_fill(x, nr.asarray([True] * 3), 0.0),
            nr.ShapeError,
            ["masked_fill", "mask"],
        ),
        (lambda x: nr.masked_fill(x, x > 0, nr.ones(3)), nr.ShapeError, ["masked_fill"]),
        (lambda x: nr.fill(x, nr.ones(2)), nr.ShapeError, ["fill", "value"]),
    ],
)
def test_update_errors(call: Any, error: type, words: list[str]) -> None:
    x = nr.asarray(np.zeros((3, 2)))
    with pytest.raises(error) as info:
        call(x)
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_update_errors_under_a_transform() -> None:
    with pytest.raises(nr.IndexBoundsError, match="index 3"):
        nr.grad(lambda v: nr.zeros(3).at[nr.asarray([0, 3])].set(v).sum())(nr.ones(2))
    with pytest.raises(nr.ShapeError, match="does not broadcast"):
        nr.grad(lambda v: nr.zeros(3).at[:2].add(v).sum())(nr.ones(3))


# ------------------------------------------------------------------ immutability


def test_no_update_changes_its_inputs() -> None:
    base = np.random.default_rng(2).standard_normal((4, 3))
    whole = nr.asarray(base)
    x = whole[1:]
    v = nr.asarray([1.0, 2.0, 3.0], dtype=nr.float64)
    before_whole, before_v = whole.numpy().copy(), v.numpy().copy()
    for kind in KINDS:
        getattr(x.at[0], kind)(v)
        getattr(x.at[[0, 0]], kind)(v)
        getattr(x.at[x > 0], kind)(2.0)
    nr.scatter(x, 0, [[0, 1, 0]], v[None], reduce="amax")
    nr.scatter_add(x, 1, [[0, 0]], v[None, :2])
    nr.index_add(x, 0, [2], v[None])
    nr.index_put(x, ([0, 0],), v)
    nr.masked_fill(x, x > 0, v)
    nr.fill(x, 1.0)
    nr.grad(lambda x: x.at[[0, 0]].multiply(v).sum())(x)
    np.testing.assert_array_equal(whole.numpy(), before_whole)
    np.testing.assert_array_equal(v.numpy(), before_v)
    assert np.shares_memory(x.numpy(), whole.numpy())


def test_at_indexer_repr_and_setitem_hint() -> None:
    x = nr.zeros((2, 3))
    assert "AtIndexer" in repr(x.at) and "(2, 3)" in repr(x.at)
    assert "IndexUpdate" in repr(x.at[0])
    with pytest.raises(TypeError, match=r"x.at\[idx\].set"):
        x[0] = 1.0
