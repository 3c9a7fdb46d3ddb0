"""vmap of reductions, scans, softmax and sorting: batched results equal a loop over examples,
under several batch axes, nesting and gradients; value-dependent shapes raise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import neurarust as nr
from neurarust.core.errors import ConcretizationError
from neurarust.core.ops.reduction import argmax_p, reduce_sum_p
from neurarust.core.ops.sorting import gather_along_axis, scatter_add_along_axis

B = 3
RNG = np.random.default_rng(0)
X = RNG.permutation(3 * 4 * 5).reshape(3, 4, 5).astype(np.float64) / 7 - 4
POS = np.abs(X) + 0.5


def _loop(f: Callable[..., Any], args: list[np.ndarray], in_axes: tuple[Any, ...]) -> Any:
    """``f`` on each example (the batch axis of each argument removed), stacked on axis 0."""
    size = next(a.shape[d] for a, d in zip(args, in_axes, strict=True) if d is not None)
    outs = []
    for k in range(size):
        ex = [
            nr.asarray(a if d is None else np.take(a, k, axis=d))
            for a, d in zip(args, in_axes, strict=True)
        ]
        outs.append(f(*ex))
    if isinstance(outs[0], tuple):
        return tuple(np.stack([np.asarray(o[j]) for o in outs]) for j in range(len(outs[0])))
    return np.stack([np.asarray(o) for o in outs])


def _check(f: Callable[..., Any], args: list[np.ndarray], in_axes: tuple[Any, ...]) -> None:
    got = nr.vmap(f, in_axes=in_axes)(*[nr.asarray(a) for a in args])
    want = _loop(f, args, in_axes)
    got_leaves = tuple(got) if isinstance(got, tuple) else (got,)
    want_leaves = want if isinstance(want, tuple) else (want,)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves, strict=True):
        g = np.asarray(g)
        assert g.shape == w.shape
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


REDUCTIONS = {
    "sum_all": lambda x: nr.sum(x),
    "sum_neg": lambda x: nr.sum(x, axis=-1),
    "sum_pair_keep": lambda x: nr.sum(x, axis=(0, -1), keepdims=True),
    "prod": lambda x: nr.prod(x, axis=0),
    "mean": lambda x: nr.mean(x, axis=(1, 0)),
    "var": lambda x: nr.var(x, axis=-1, correction=1),
    "std_keep": lambda x: nr.std(x, axis=0, keepdims=True),
    "max": lambda x: nr.max(x, axis=1),
    "min_all": lambda x: nr.min(x),
    "argmax": lambda x: nr.argmax(x, axis=-1),
    "argmax_keep": lambda x: nr.argmax(x, axis=0, keepdims=True),
    "argmax_flat": lambda x: nr.argmax(x),
    "argmin_flat_keep": lambda x: nr.argmin(x, keepdims=True),
    "all": lambda x: nr.all(x > -3, axis=1),
    "any_keep": lambda x: nr.any(x > 3.5, axis=-1, keepdims=True),
    "count_nonzero": lambda x: nr.count_nonzero(nr.round(x), axis=(0, 1)),
    "logsumexp": lambda x: nr.logsumexp(x, axis=-2, keepdims=True),
    "logsumexp_all": lambda x: nr.logsumexp(x),
}


@pytest.mark.parametrize("in_axis", [0, 1, 2, -1, -2])
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reductions(name: str, in_axis: int) -> None:
    _check(REDUCTIONS[name], [X], (in_axis,))


SCANS = {
    "cumsum": lambda x: nr.cumsum(x, axis=-1),
    "cumsum_flat": lambda x: nr.cumsum(x),
    "cumprod": lambda x: nr.cumprod(x, axis=0),
    "cumulative_sum_initial": lambda x: nr.cumulative_sum(x, axis=1, include_initial=True),
    "cumulative_prod_initial": lambda x: nr.cumulative_prod(x, axis=-1, include_initial=True),
    "diff": lambda x: nr.diff(x, axis=0),
    "diff_n2": lambda x: nr.diff(x, axis=-1, n=2, append=0.5),
    "softmax": lambda x: nr.softmax(x, axis=0),
    "log_softmax": lambda x: nr.log_softmax(x),
    "sort": lambda x: nr.sort(x, axis=0),
    "sort_desc": lambda x: nr.sort(x, axis=-1, descending=True),
    "argsort": lambda x: nr.argsort(x, axis=1),
    "argsort_desc": lambda x: nr.argsort(nr.round(x), axis=-1, descending=True),
    "topk": lambda x: tuple(nr.topk(x, 2, axis=-1)),
    "topk_smallest": lambda x: tuple(nr.topk(x, 3, axis=0, largest=False)),
}


@pytest.mark.parametrize("in_axis", [0, 2, -2])
@pytest.mark.parametrize("name", list(SCANS))
def test_axis_ops(name: str, in_axis: int) -> None:
    _check(SCANS[name], [X], (in_axis,))


def _batched(shape: tuple[int, ...], axis: int | None, dtype: Any, high: int = 4) -> np.ndarray:
    """Random examples of ``shape`` stacked along ``axis`` (one example when ``axis`` is None);
    integer dtypes draw from ``[0, high)``."""
    full = shape if axis is None else (B, *shape)
    if np.dtype(dtype).kind == "i":
        v = RNG.integers(0, high, size=full).astype(dtype)
    else:
        v = RNG.normal(size=full).astype(dtype)
    return v if axis is None else np.moveaxis(v, 0, axis)


@pytest.mark.parametrize("in_axes", [(0, None), (None, 1), (2, 0), (-1, -2)])
def test_diff_prepend(in_axes: tuple[int | None, int | None]) -> None:
    x = _batched((3, 4), in_axes[0], np.float64)
    edge = _batched((1, 4), in_axes[1], np.float64)
    _check(lambda a, p: nr.diff(a, axis=0, n=2, prepend=p), [x, edge], in_axes)


@pytest.mark.parametrize(
    ("x_axis", "i_axis"), [(0, 0), (1, None), (None, 2), (2, 0), (-1, 1), (0, -1)]
)
def test_gather_and_scatter(x_axis: int | None, i_axis: int | None) -> None:
    x = _batched((2, 4, 5), x_axis, np.float64)
    idx = _batched((2, 3, 5), i_axis, np.int64, high=4)
    _check(lambda a, i: gather_along_axis(a, i, 1), [x, idx], (x_axis, i_axis))
    g = _batched((2, 3, 5), x_axis, np.float64)
    _check(lambda a, i: scatter_add_along_axis(a, i, 1, (2, 4, 5)), [g, idx], (x_axis, i_axis))


NESTED = {
    "sum": lambda x: nr.sum(x, axis=-1),
    "argmax_flat": lambda x: nr.argmax(x),
    "logsumexp": lambda x: nr.logsumexp(x, keepdims=True),
    "cumulative_sum": lambda x: nr.cumulative_sum(x, include_initial=True),
    "softmax": lambda x: nr.softmax(x),
    "sort": lambda x: nr.sort(x, descending=True),
    "topk": lambda x: nr.topk(x, 2).values,
    "diff": lambda x: nr.diff(x, append=1.0),
}


@pytest.mark.parametrize("name", list(NESTED))
def test_nested_vmap(name: str) -> None:
    f = NESTED[name]
    got = nr.vmap(nr.vmap(f, in_axes=-1), in_axes=1)(nr.asarray(X))
    want = np.stack(
        [np.stack([np.asarray(f(nr.asarray(X[:, j, k]))) for k in range(5)]) for j in range(4)]
    )
    assert got.shape == want.shape
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12, atol=1e-12)


WEIGHTS = nr.reshape(nr.arange(4.0, dtype=nr.float64), (4, 1))
DIFFERENTIABLE = {
    "sum": lambda x: nr.sum(x * x, axis=0),
    "prod": lambda x: nr.prod(x, axis=-1),
    "mean_std": lambda x: nr.std(x, axis=(0, 1)) + nr.mean(x),
    "max": lambda x: nr.max(x, axis=0),
    "min_all": lambda x: nr.min(x),
    "logsumexp": lambda x: nr.logsumexp(x, axis=-1),
    "cumsum": lambda x: nr.cumsum(x, axis=0) ** 2,
    "cumprod": lambda x: nr.cumprod(x, axis=-1),
    "cumulative_prod": lambda x: nr.cumulative_prod(x, axis=0, include_initial=True) ** 2,
    "diff": lambda x: nr.diff(x, axis=0, n=2) ** 2,
    "softmax": lambda x: nr.softmax(x, axis=0) * WEIGHTS,
    "log_softmax": lambda x: nr.log_softmax(x) ** 2,
    "sort": lambda x: nr.sort(x, axis=0) * WEIGHTS,
    "topk": lambda x: nr.topk(x, 2, axis=-1).values ** 3,
}


def _scalar(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda x: nr.sum(f(x))


@pytest.mark.parametrize("in_axis", [0, -1])
@pytest.mark.parametrize("name", list(DIFFERENTIABLE))
def test_vmap_of_grad(name: str, in_axis: int) -> None:
    """Per-example gradients of examples shaped (4, 3) (the batch of 5 along ``in_axis``)."""
    x = X.reshape(5, 4, 3) if in_axis == 0 else X.reshape(4, 3, 5)
    g = nr.grad(_scalar(DIFFERENTIABLE[name]))
    _check(g, [x], (in_axis,))


@pytest.mark.parametrize("name", list(DIFFERENTIABLE))
def test_grad_of_vmap(name: str) -> None:
    """The gradient of a sum over a vmapped batch is the stack of per-example gradients."""
    f = DIFFERENTIABLE[name]
    x = X.reshape(4, 5, 3)
    got = nr.grad(lambda a: nr.sum(nr.vmap(f, in_axes=1)(a)))(nr.asarray(x))
    g = nr.grad(_scalar(f))
    want = np.stack([np.asarray(g(nr.asarray(x[:, k]))) for k in range(5)], axis=1)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10, atol=1e-12)


def test_rules_keep_the_batch_axis_in_place() -> None:
    """Rules renumber axis parameters instead of moving the batch axis."""
    x = nr.asarray(X)
    out, dim = reduce_sum_p.batch([x], [1], axes=(0, 1))
    assert dim == 0
    np.testing.assert_allclose(np.asarray(out), X.sum(axis=(0, 2)))
    out, dim = reduce_sum_p.batch([x], [2], axes=(1,))
    assert dim == 1
    np.testing.assert_allclose(np.asarray(out), X.sum(axis=1))
    out, dim = argmax_p.batch([x], [1], axis=0, keepdims=False)
    assert dim == 0
    np.testing.assert_array_equal(np.asarray(out), X.argmax(axis=0))
    out, dim = argmax_p.batch([x], [1], axis=1, keepdims=True)
    assert dim == 1
    np.testing.assert_array_equal(np.asarray(out), X.argmax(axis=2, keepdims=True))


UNIQUE = {
    "unique_values": lambda x: nr.unique_values(x),
    "unique_counts": lambda x: nr.unique_counts(x).counts,
    "unique_inverse": lambda x: nr.unique_inverse(x).inverse_indices,
    "unique_all": lambda x: nr.unique_all(x).values,
}


@pytest.mark.parametrize("name", list(UNIQUE))
def test_unique_under_vmap_raises(name: str) -> None:
    x = nr.asarray([[1.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
    with pytest.raises(ConcretizationError, match=rf"{name}: the number of distinct values"):
        nr.vmap(UNIQUE[name])(x)
    with pytest.raises(ConcretizationError, match=rf"{name}:.*nr\.sort"):
        nr.vmap(nr.grad(lambda a: nr.sum(a * nr.sum(UNIQUE[name](a)))))(x)


def test_unique_of_an_unbatched_argument_works() -> None:
    """An argument that is the same for every example still has concrete values."""
    table = nr.asarray([3, 1, 3, 2])
    f = nr.vmap(lambda x, t: x + nr.sum(nr.unique_values(t)), in_axes=(0, None))
    got = f(nr.asarray([0, 10]), table)
    np.testing.assert_array_equal(np.asarray(got), [6, 16])
