"""vmap of indexing and updates: static keys on batched arrays, index arrays that differ per
example (embedding lookups, traced scalars, ``.at`` updates, take/gather/scatter), the
value-dependent primitives (nonzero, bincount, searchsorted), derivatives through them, and the
errors raised where a result's shape would depend on traced values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import neurarust as nr
from neurarust.core.errors import ConcretizationError, DTypeError, IndexBoundsError
from neurarust.core.ops.indexing import bincount_p, random_key

B = 3


def _example(x: Any, axis: int | None, k: int) -> Any:
    if axis is None:
        return x
    return nr.asarray(np.take(np.asarray(x), k, axis=axis))


def _size(args: tuple[Any, ...], in_axes: tuple[int | None, ...]) -> int:
    return next(np.shape(a)[d] for a, d in zip(args, in_axes, strict=True) if d is not None)


def assert_vmap_matches_loop(
    f: Callable[..., Any], in_axes: tuple[int | None, ...], *args: Any, rtol: float = 1e-6
) -> None:
    """``vmap(f, in_axes)(*args)`` equals stacking ``f`` on each example (every output leaf)."""
    args = tuple(nr.asarray(a) if isinstance(a, np.ndarray) else a for a in args)
    got = nr.vmap(f, in_axes=in_axes)(*args)
    per = [
        f(*[_example(a, d, k) for a, d in zip(args, in_axes, strict=True)])
        for k in range(_size(args, in_axes))
    ]
    got_leaves = nr.tree.leaves(got)
    per_leaves = [nr.tree.leaves(p) for p in per]
    assert len(got_leaves) == len(per_leaves[0])
    for j, g in enumerate(got_leaves):
        want = np.stack([np.asarray(p[j]) for p in per_leaves])
        g = np.asarray(g)
        assert g.shape == want.shape
        assert g.dtype == want.dtype
        np.testing.assert_allclose(g, want, rtol=rtol, atol=1e-7)


RNG = np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _reseed() -> None:
    """Every test draws the same values, whatever ran before it in its process."""
    global RNG
    RNG = np.random.default_rng(1234)


def _normal(*shape: int) -> np.ndarray:
    return RNG.normal(size=shape)


# ------------------------------------------------------------------ static keys


@pytest.mark.parametrize("seed", range(12))
def test_static_keys_on_every_batch_axis(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = tuple(int(d) for d in rng.integers(1, 4, size=int(rng.integers(1, 4))))
    key = random_key(rng, shape, advanced=bool(seed % 2))
    for axis in [*range(len(shape) + 1), -1]:
        xs = np.moveaxis(rng.normal(size=(B, *shape)), 0, axis)
        assert_vmap_matches_loop(lambda x, key=key: x[key], (axis,), xs)


@pytest.mark.parametrize(
    "key",
    [
        (slice(None), [0, 2], [1, 1]),  # consecutive arrays after a slice
        ([0, 2], slice(None), [1, 0]),  # separated: their dimensions go first
        (1, slice(None), [0, 3]),  # an int next to an array counts as advanced
        ([[0], [2]], Ellipsis, [1, 3]),  # an Ellipsis between arrays
        (None, [2, 0], None, 3),
    ],
)
@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_static_advanced_key_layouts(key: tuple[Any, ...], axis: int) -> None:
    xs = np.moveaxis(_normal(B, 3, 4, 5), 0, axis)
    assert_vmap_matches_loop(lambda x: x[key], (axis,), xs)


def test_mask_spanning_the_batch_axis_moves_it_to_the_front() -> None:
    mask = np.array([[True, False, True, True], [False, True, False, True], [True] * 4])
    xs = _normal(3, B, 4)
    assert_vmap_matches_loop(lambda x: x[mask], (1,), xs)
    assert_vmap_matches_loop(lambda x: x[mask, None], (-1,), np.moveaxis(xs, 1, -1))


def test_static_updates_with_batched_values_and_array() -> None:
    key = (slice(None), np.array([0, 0, 2]))
    xs, vs = _normal(3, B, 4), _normal(3, 3, B)
    for kind in ("set", "add", "subtract", "multiply", "divide", "min", "max"):

        def f(x: Any, v: Any, kind: str = kind) -> Any:
            return getattr(x.at[key], kind)(v)

        assert_vmap_matches_loop(f, (1, 2), xs, vs)
        assert_vmap_matches_loop(f, (None, -1), xs[:, 0], vs)
        assert_vmap_matches_loop(f, (1, None), xs, vs[..., 0])


# ------------------------------------------------------------ traced index arrays


@pytest.mark.parametrize("idx_axis", [0, 1, -1])
def test_embedding_lookup_per_example(idx_axis: int) -> None:
    table = _normal(7, 4)
    idx = np.moveaxis(RNG.integers(-7, 7, size=(B, 5)), 0, idx_axis)
    f = nr.vmap(lambda t, i: t[i], in_axes=(None, idx_axis))
    got = f(nr.asarray(table), nr.asarray(idx))
    want = table[np.moveaxis(idx, idx_axis, 0)]
    np.testing.assert_allclose(got.numpy(), want)
    assert_vmap_matches_loop(lambda t, i: t[i], (None, idx_axis), table, idx)


def test_traced_scalar_index() -> None:
    xs, i = _normal(B, 5, 2), np.array([4, -1, 0])
    assert_vmap_matches_loop(lambda x, j: x[j], (0, 0), xs, i)
    assert_vmap_matches_loop(lambda x, j: x[j], (None, 0), xs[0], i)
    assert_vmap_matches_loop(lambda x, j: x[:, j], (2, 0), np.moveaxis(xs, 0, 2), i % 2)
    got = nr.vmap(lambda x, j: x[j])(nr.asarray(xs), nr.asarray(i))
    np.testing.assert_allclose(got.numpy(), xs[np.arange(B), i])


@pytest.mark.parametrize(
    "make_key",
    [
        lambda i, j: (i, slice(None), j),  # separated advanced indices
        lambda i, j: (slice(None), i, j),  # consecutive, after a slice
        lambda i, j: (None, i, Ellipsis, 1),
        lambda i, j: (
            slice(1, None),
            i,
            np.array([[0], [1]]),
        ),  # a static array beside a traced one
        lambda i, j: (np.array([[0], [2]]), j, slice(None, None, -1)),
    ],
)
@pytest.mark.parametrize("axes", [(0, 0, 0), (1, 0, None), (None, 1, 0), (-1, None, -1)])
def test_traced_mixed_keys(make_key: Callable[..., Any], axes: tuple[Any, ...]) -> None:
    shape = (3, 2, 4)
    x = np.moveaxis(_normal(B, *shape), 0, axes[0]) if axes[0] is not None else _normal(*shape)
    i = RNG.integers(-2, 2, size=(B, 2, 3))
    j = RNG.integers(0, 2, size=(B, 3))
    i = np.moveaxis(i, 0, axes[1]) if axes[1] is not None else i[0]
    j = np.moveaxis(j, 0, axes[2]) if axes[2] is not None else j[0]
    assert_vmap_matches_loop(lambda x, i, j: x[make_key(i, j)], axes, x, i, j)


def test_nested_vmap_of_traced_index() -> None:
    table = _normal(6, 3)
    idx = RNG.integers(-6, 6, size=(2, B, 4))
    inner = nr.vmap(lambda t, i: t[i], in_axes=(None, 0))
    got = nr.vmap(inner, in_axes=(None, 0))(nr.asarray(table), nr.asarray(idx))
    np.testing.assert_allclose(got.numpy(), table[idx])
    tables = _normal(2, 6, 3)
    got = nr.vmap(nr.vmap(lambda t, i: t[i], in_axes=(None, 1)), in_axes=(0, 0))(
        nr.asarray(tables), nr.asarray(np.moveaxis(idx, 1, 2))
    )
    want = np.stack([tables[a][idx[a].T] for a in range(2)])
    np.testing.assert_allclose(got.numpy(), np.moveaxis(want, 1, 2))


@pytest.mark.parametrize("kind", ["set", "add", "subtract", "multiply", "divide", "power"])
@pytest.mark.parametrize("axes", [(0, 0, 0), (None, 1, 0), (1, 0, None)])
def test_traced_at_updates_with_repeats(kind: str, axes: tuple[Any, ...]) -> None:
    x = RNG.uniform(0.5, 2.0, size=(B, 5, 2))
    idx = np.array([[0, 0, 3], [4, -1, 2], [1, 1, 1]])
    v = RNG.uniform(0.5, 2.0, size=(B, 3, 2))
    x = np.moveaxis(x, 0, axes[0]) if axes[0] is not None else x[0]
    idx = np.moveaxis(idx, 0, axes[1]) if axes[1] is not None else idx[0]
    v = np.moveaxis(v, 0, axes[2]) if axes[2] is not None else v[0]

    def f(x: Any, i: Any, v: Any) -> Any:
        return getattr(x.at[i], kind)(v)

    assert_vmap_matches_loop(f, axes, x, idx, v, rtol=1e-10)


def test_traced_at_min_max_and_scalar_values() -> None:
    xs, idx = _normal(B, 4), np.array([[0, 0], [3, 1], [2, 2]])
    for kind in ("min", "max", "add", "set"):

        def f(x: Any, i: Any, kind: str = kind) -> Any:
            return getattr(x.at[i], kind)(0.25)

        assert_vmap_matches_loop(f, (0, 0), xs, idx)
    got = nr.vmap(lambda i: nr.zeros(4).at[i].add(1.0))(nr.asarray(idx))
    np.testing.assert_allclose(got.numpy(), [[2, 0, 0, 0], [0, 1, 0, 1], [0, 0, 2, 0]])


def test_take_index_select_take_along_axis_gather_with_traced_indices() -> None:
    x = _normal(B, 4, 3)
    idx = RNG.integers(-3, 3, size=(B, 5))
    assert_vmap_matches_loop(lambda a, i: nr.take(a, i, axis=1), (0, 0), x, idx)
    assert_vmap_matches_loop(lambda a, i: nr.take(a, i), (None, 1), x[0], idx.T)
    assert_vmap_matches_loop(lambda a, i: nr.index_select(a, -1, i), (2, 0), x.T, idx)
    along = RNG.integers(0, 3, size=(B, 4, 2))
    assert_vmap_matches_loop(
        lambda a, i: nr.take_along_axis(a, i, axis=-1), (0, 2), x, np.moveaxis(along, 0, 2)
    )
    assert_vmap_matches_loop(lambda a, i: nr.gather(a, 1, i), (None, 0), x[0], along)


def test_torch_scatters_with_traced_indices() -> None:
    x, src = _normal(B, 3, 4), _normal(B, 2, 4)
    idx = RNG.integers(0, 3, size=(B, 2, 4))
    for reduce in (None, "add", "multiply", "amax", "amin"):
        assert_vmap_matches_loop(
            lambda a, i, s, reduce=reduce: nr.scatter(a, 0, i, s, reduce=reduce),
            (0, 0, 0),
            x,
            idx,
            src,
            rtol=1e-10,
        )
    assert_vmap_matches_loop(
        lambda a, i, s: nr.scatter_add(a, 0, i, s), (None, 0, 0), x[0], idx, src
    )
    rows = RNG.integers(-3, 3, size=(B, 2))
    assert_vmap_matches_loop(lambda a, i, s: nr.index_add(a, 0, i, s), (0, 0, 0), x, rows, src)
    assert_vmap_matches_loop(
        lambda a, i, s: nr.index_put(a, (i,), s, accumulate=True), (0, 0, 0), x, rows, src
    )
    keys = _normal(B, 5)
    assert_vmap_matches_loop(
        lambda a, order, q: nr.searchsorted(a, q, sorter=order),
        (0, 0, None),
        keys,
        np.argsort(keys, axis=1),
        np.array([-0.5, 0.0, 0.5]),
    )


# ------------------------------------------------------------------ derivatives


def _grads(f: Callable[..., Any], argnums: tuple[int, ...]) -> Callable[..., Any]:
    return nr.grad(f, argnums=argnums)


def test_vmap_of_grad_through_traced_gather_and_updates() -> None:
    x, idx, v = _normal(B, 5), np.array([[0, 0, 4], [1, -1, 2], [3, 3, 3]]), _normal(B, 3)

    def loss(x: Any, i: Any, v: Any) -> Any:
        y = x.at[i].set(v) * x
        y = y.at[i].multiply(v) + nr.sin(y)[i].sum()
        return (y.at[i].max(v) ** 2).sum()

    assert_vmap_matches_loop(_grads(loss, (0, 2)), (0, 0, 0), x, idx, v, rtol=1e-9)
    assert_vmap_matches_loop(_grads(loss, (0, 2)), (None, 0, None), x[0], idx, v[0], rtol=1e-9)


def test_grad_of_vmap_embedding_lookup() -> None:
    table, idx = _normal(6, 2), RNG.integers(-6, 6, size=(B, 4))

    def loss(t: Any) -> Any:
        return (nr.vmap(lambda i: t[i] ** 3, in_axes=0)(nr.asarray(idx))).sum()

    want = np.zeros_like(table)
    np.add.at(want, idx, 3 * table[idx] ** 2)
    np.testing.assert_allclose(nr.grad(loss)(nr.asarray(table)).numpy(), want, rtol=1e-10)


def test_multiply_with_zeros_and_repeats_differentiates_exactly() -> None:
    """The traced path's derivative in the values (products of the others, zeros counted)
    agrees with the static path's (rounds of gathers and scatters)."""
    x = np.array([[1.5, -2.0, 0.5], [0.7, 0.2, -1.1], [2.0, 1.0, 3.0]])
    idx = np.array([[0, 0, 0, 0, 0, 2], [1, 1, 2, 2, 1, 1], [2, 0, 2, 0, 2, 2]])
    v = np.array(
        [
            [0.0, 2.0, 3.0, 1.5, -0.5, 2.0],
            [0.0, 0.0, 4.0, -1.0, 1.5, 0.5],
            [1.25, 0.0, 0.5, 2.0, -1.5, 0.75],
        ]
    )

    def loss(x: Any, i: Any, v: Any) -> Any:
        return (x.at[i].multiply(v) ** 2).sum()

    assert_vmap_matches_loop(_grads(loss, (0, 2)), (0, 0, 0), x, idx, v, rtol=1e-12)
    hess = nr.vmap(nr.grad(lambda x, i, v: _grads(loss, (2,))(x, i, v)[0].sum(), argnums=2))
    got = hess(nr.asarray(x), nr.asarray(idx), nr.asarray(v))
    for k in range(B):
        want = nr.grad(lambda v, k=k: _grads(loss, (2,))(nr.asarray(x[k]), idx[k], v)[0].sum())
        np.testing.assert_allclose(got.numpy()[k], want(nr.asarray(v[k])).numpy(), rtol=1e-10)


def test_jvp_of_vmapped_traced_gather() -> None:
    x, t, idx = _normal(B, 4), _normal(B, 4), np.array([[3, 3], [0, -1], [2, 1]])
    f = nr.vmap(lambda x, i: nr.sin(x[i]))
    out, tangent = nr.jvp(lambda x: f(x, nr.asarray(idx)), (nr.asarray(x),), (nr.asarray(t),))
    rows = np.arange(B)[:, None]
    np.testing.assert_allclose(out.numpy(), np.sin(x[rows, idx]))
    np.testing.assert_allclose(tangent.numpy(), np.cos(x[rows, idx]) * t[rows, idx])


# ------------------------------------------------------- value-dependent primitives


@pytest.mark.parametrize("size", [0, 2, 5, 30])
def test_nonzero_with_size(size: int) -> None:
    x = RNG.integers(0, 2, size=(B, 3, 4)) * RNG.integers(1, 3, size=(B, 3, 4))
    x[0] = 0
    assert_vmap_matches_loop(lambda a: nr.nonzero(a, size=size, fill_value=-1), (0,), x)
    assert_vmap_matches_loop(lambda a: nr.nonzero(a, size=size), (2,), np.moveaxis(x, 0, 2) > 0)
    assert_vmap_matches_loop(lambda a: nr.nonzero(a, size=size), (0,), np.zeros((B, 0)))


def test_bincount_primitive_and_batched_weights() -> None:
    x = RNG.integers(0, 5, size=(4, B))
    got = nr.vmap(lambda a: bincount_p.bind(a, length=6), in_axes=1)(nr.asarray(x))
    np.testing.assert_array_equal(got.numpy(), [np.bincount(c, minlength=6) for c in x.T])
    w = _normal(B, 4)
    assert_vmap_matches_loop(lambda w: nr.bincount(nr.asarray(x[:, 0]), w), (0,), w)


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_batched_rows(side: str) -> None:
    x1 = np.sort(RNG.integers(-3, 3, size=(B, 6)).astype(float), axis=1)
    x1[0, -2:] = np.nan
    x2 = RNG.integers(-4, 4, size=(2, B)).astype(float)
    x2[0, 0] = np.nan

    def f(a: Any, b: Any) -> Any:
        return nr.searchsorted(a, b, side=side)

    assert_vmap_matches_loop(f, (0, 1), x1, x2)
    assert_vmap_matches_loop(f, (None, 1), x1[1], x2)
    assert_vmap_matches_loop(f, (-1, None), x1.T, x2[:, 0])
    c1 = np.sort_complex(RNG.integers(0, 3, size=(B, 4)) + 1j * RNG.integers(0, 2, size=(B, 4)))
    assert_vmap_matches_loop(f, (0, 0), c1, c1[:, ::-1])


def test_one_hot_with_static_num_classes() -> None:
    labels = RNG.integers(-1, 4, size=(B, 5))
    assert_vmap_matches_loop(lambda a: nr.one_hot(a, 4), (1,), labels.T)


# ------------------------------------------------------------------ errors


def test_out_of_range_traced_indices_raise() -> None:
    x = nr.asarray(_normal(B, 4))
    with pytest.raises(IndexBoundsError, match="index 4 is out of bounds"):
        nr.vmap(lambda a, i: a[i])(x, nr.asarray([0, 4, 1]))
    with pytest.raises(IndexBoundsError, match="index -5 is out of bounds"):
        nr.vmap(lambda i: x[0].at[i].add(1.0))(nr.asarray([0, -5, 1]))
    with pytest.raises(IndexBoundsError, match="index 9 is out of bounds"):
        nr.vmap(lambda a, i: nr.take(a, i))(x, nr.asarray([[0], [9], [1]]))


@pytest.mark.parametrize(
    ("f", "match"),
    [
        (lambda x, m: x[m], "getitem: a boolean mask index"),
        (lambda x, m: x.at[m].set(0.0), r"at\[\]\.set: a boolean mask index"),
        (lambda x, m: nr.masked_select(x, m), "masked_select: the result's length"),
        (lambda x, m: nr.nonzero(m), "nonzero: .*Pass size=n"),
        (lambda x, m: nr.bincount(nr.astype(m, nr.int64)), r"bincount: .*\.at\[x\]\.add\(1\)"),
        (lambda x, m: nr.one_hot(nr.astype(m, nr.int64), -1), "one_hot: num_classes=-1"),
        (lambda x, m: x[: nr.sum(m)], "slice bound"),
    ],
)
def test_value_dependent_shapes_raise(f: Callable[..., Any], match: str) -> None:
    x, mask = nr.asarray(_normal(B, 4)), nr.asarray(RNG.random((B, 4)) < 0.5)
    with pytest.raises(ConcretizationError, match=match):
        nr.vmap(f)(x, mask)


def test_float_traced_index_raises_dtype_error() -> None:
    x = nr.asarray(_normal(B, 4))
    with pytest.raises(DTypeError, match="index arrays of an integer or bool dtype"):
        nr.vmap(lambda a, i: a[i])(x, nr.asarray([0.0, 1.0, 2.0]))
