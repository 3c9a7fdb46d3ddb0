"""vmap of the linear algebra functions: values against Python loops for several in_axes,
nested vmap, vmap of gradients and gradients of vmap, the single-product batching of
``matmul`` and ``solve``, and the errors the rules raise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import neurarust as nr
from neurarust.core.errors import ConcretizationError, ShapeError
from neurarust.core.ops import linalg as linalg_ops
from neurarust.core.ops import linalg_ext
from neurarust.linalg import LinAlgError

B = 3


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _flat(out: Any) -> list[np.ndarray]:
    if isinstance(out, (tuple, list)):
        return [leaf for item in out for leaf in _flat(item)]
    return [np.asarray(out)]


def _take(x: np.ndarray, axis: int | None, k: int) -> nr.Array:
    return nr.asarray(x if axis is None else np.take(x, k, axis=axis))


def _size(args: tuple[np.ndarray, ...], in_axes: tuple[int | None, ...]) -> int:
    return next(a.shape[d] for a, d in zip(args, in_axes, strict=True) if d is not None)


def loop(f: Callable[..., Any], in_axes: tuple[int | None, ...], *args: np.ndarray) -> list[Any]:
    """``f`` applied to each example, its results stacked along a new first axis."""
    outs = [
        _flat(f(*(_take(a, d, k) for a, d in zip(args, in_axes, strict=True))))
        for k in range(_size(args, in_axes))
    ]
    return [np.stack([o[j] for o in outs]) for j in range(len(outs[0]))]


def check(
    f: Callable[..., Any],
    in_axes: tuple[int | None, ...],
    *args: np.ndarray,
    rtol: float = 1e-9,
    atol: float = 1e-10,
) -> None:
    """``vmap(f, in_axes)`` equals the loop, in shapes, dtypes and values."""
    got = _flat(nr.vmap(f, in_axes=in_axes)(*(nr.asarray(a) for a in args)))
    want = loop(f, in_axes, *args)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


def normal(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return _rng(seed).standard_normal(shape)


def invertible(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    n = shape[-1]
    return _rng(seed).uniform(-0.5, 0.5, shape) + n * np.eye(n)


def spd(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    a = _rng(seed).uniform(-1, 1, shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


def insert_batch(x: np.ndarray, axis: int) -> np.ndarray:
    """``B`` scaled copies of ``x`` stacked along ``axis`` (positive definiteness kept)."""
    return np.stack([x * (1.0 - 0.2 * k) for k in range(B)], axis=axis)


@pytest.fixture
def matmul_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[tuple[int, ...], ...]]]:
    """The operand shapes of every run of the matmul kernel."""
    calls: list[tuple[tuple[int, ...], ...]] = []
    kernel = linalg_ops.matmul_p.impl

    def spy(a: Any, b: Any) -> Any:
        calls.append((a.shape, b.shape))
        return kernel(a, b)

    monkeypatch.setattr(linalg_ops.matmul_p, "impl", spy)
    yield calls


# ------------------------------------------------------------------------ matmul


@pytest.mark.parametrize(
    ("s1", "s2", "in_axes"),
    [
        ((4, 3), (3, 5), (0, None)),
        ((4, 3), (3, 5), (1, None)),
        ((4, 3), (3, 5), (-1, None)),
        ((4, 3), (3, 5), (None, 0)),
        ((4, 3), (3, 5), (None, 1)),
        ((4, 3), (3, 5), (None, -1)),
        ((4, 3), (3, 5), (0, 0)),
        ((4, 3), (3, 5), (2, -3)),
        ((3,), (3, 5), (0, None)),
        ((3,), (3, 5), (None, 2)),
        ((4, 3), (3,), (None, 0)),
        ((3,), (3,), (1, 0)),
        ((2, 4, 3), (2, 3, 5), (0, None)),
        ((2, 4, 3), (2, 3, 5), (3, None)),
        ((2, 4, 3), (2, 3, 5), (None, 1)),
        ((2, 4, 3), (2, 3, 5), (None, 0)),
        ((2, 4, 3), (2, 3, 5), (1, 1)),
        ((2, 4, 3), (2, 3, 5), (3, 2)),
        ((2, 1, 4, 3), (5, 3, 2), (2, -1)),
    ],
)
def test_matmul_matches_loop(s1: tuple[int, ...], s2: tuple[int, ...], in_axes: Any) -> None:
    a = normal(s1) if in_axes[0] is None else insert_batch(normal(s1), in_axes[0] % (len(s1) + 1))
    b = normal(s2, 2)
    b = b if in_axes[1] is None else insert_batch(b, in_axes[1] % (len(s2) + 1))
    check(nr.matmul, in_axes, a, b)


def test_matmul_integer_operands() -> None:
    a = np.arange(B * 6, dtype=np.int64).reshape(B, 2, 3)
    check(nr.matmul, (0, None), a, np.arange(12, dtype=np.int64).reshape(3, 4))


def test_batched_rows_times_weight_is_one_2d_product(matmul_calls: list[Any]) -> None:
    x, w = nr.asarray(normal((8, 5))), nr.asarray(normal((5, 4), 1))
    out = nr.vmap(lambda r: r @ w)(x)
    np.testing.assert_allclose(out.numpy(), x.numpy() @ w.numpy(), rtol=1e-12)
    assert matmul_calls == [((8, 5), (5, 4))]


def test_batch_axis_between_rows_and_columns_needs_no_transpose(matmul_calls: list[Any]) -> None:
    x, w = normal((4, B, 5)), normal((5, 2), 1)
    out = nr.vmap(lambda m: m @ nr.asarray(w), in_axes=1)(nr.asarray(x))
    np.testing.assert_allclose(out.numpy(), np.einsum("nbk,km->bnm", x, w), rtol=1e-12)
    assert matmul_calls == [((4 * B, 5), (5, 2))]


def test_weight_times_batched_columns_is_one_2d_product(matmul_calls: list[Any]) -> None:
    w, x = nr.asarray(normal((4, 5))), nr.asarray(normal((6, 5), 1))
    out = nr.vmap(lambda v: w @ v)(x)
    np.testing.assert_allclose(out.numpy(), x.numpy() @ w.numpy().T, rtol=1e-12)
    assert matmul_calls == [((4, 5), (5, 6))]


def test_per_example_gradients_of_an_mlp(matmul_calls: list[Any]) -> None:
    w1, w2 = nr.asarray(normal((4, 6))), nr.asarray(normal((6, 2), 1))
    xs = normal((5, 4), 2)

    def loss(params: tuple[nr.Array, nr.Array], x: nr.Array) -> nr.Array:
        return nr.sum((nr.tanh(x @ params[0]) @ params[1]) ** 2)

    g1, g2 = nr.vmap(nr.grad(loss), in_axes=(None, 0))((w1, w2), nr.asarray(xs))
    # forward products and the backward product to the hidden layer are single 2-D GEMMs;
    # only the per-example weight gradients (outer products) are batched products
    assert sorted(matmul_calls) == [
        ((5, 2), (2, 6)),
        ((5, 4), (4, 6)),
        ((5, 4, 1), (5, 1, 6)),
        ((5, 6), (6, 2)),
        ((5, 6, 1), (5, 1, 2)),
    ]
    for k in range(5):
        e1, e2 = nr.grad(loss)((w1, w2), nr.asarray(xs[k]))
        np.testing.assert_allclose(g1.numpy()[k], e1.numpy(), rtol=1e-10)
        np.testing.assert_allclose(g2.numpy()[k], e2.numpy(), rtol=1e-10)


def test_nested_vmap_matmul() -> None:
    a, b = normal((2, B, 4, 3)), normal((3, 5, B), 1)
    f = nr.vmap(nr.vmap(nr.matmul, in_axes=(0, None)), in_axes=(1, -1))
    got = f(nr.asarray(a), nr.asarray(b)).numpy()
    want = np.stack([np.stack([a[i, j] @ b[..., j] for i in range(2)]) for j in range(B)])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_vmap_of_grad_and_grad_of_vmap_matmul() -> None:
    a, w = normal((B, 4, 3)), nr.asarray(normal((3, 2), 1))

    def f(x: nr.Array) -> nr.Array:
        return nr.sum(nr.sin(x @ w))

    got = nr.vmap(nr.grad(f))(nr.asarray(a)).numpy()
    want = np.stack([nr.grad(f)(nr.asarray(a[k])).numpy() for k in range(B)])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    g = nr.grad(lambda x: nr.vmap(f)(x).sum())(nr.asarray(a)).numpy()
    np.testing.assert_allclose(g, want, rtol=1e-12)
    gw = nr.grad(lambda v: nr.vmap(lambda x: nr.sum(nr.sin(x @ v)))(nr.asarray(a)).sum())(w)
    want_w = sum(nr.grad(lambda v, x=a[k]: nr.sum(nr.sin(nr.asarray(x) @ v)))(w) for k in range(B))
    np.testing.assert_allclose(gw.numpy(), want_w.numpy(), rtol=1e-12)


def test_jvp_of_vmap_matmul() -> None:
    a, t, w = normal((B, 2, 3)), normal((B, 2, 3), 1), nr.asarray(normal((3, 4), 2))
    out, tan = nr.jvp(nr.vmap(lambda x: x @ w), (nr.asarray(a),), (nr.asarray(t),))
    np.testing.assert_allclose(out.numpy(), a @ w.numpy(), rtol=1e-12)
    np.testing.assert_allclose(tan.numpy(), t @ w.numpy(), rtol=1e-12)


# ------------------------------------------------------------------------ einsum


@pytest.mark.parametrize(
    ("subscripts", "shapes", "in_axes"),
    [
        ("ij,jk->ik", ((2, 3), (3, 4)), (0, None)),
        ("ij,jk->ik", ((2, 3), (3, 4)), (None, -1)),
        ("ij,jk->ik", ((2, 3), (3, 4)), (1, 2)),
        ("ii->i", ((3, 3),), (1,)),
        ("ii", ((3, 3),), (-1,)),
        ("ij->ji", ((2, 3),), (2,)),
        ("...ij,...jk", ((2, 1, 2, 3), (4, 3, 2)), (3, None)),
        ("i,j->ij", ((2,), (3,)), (None, 1)),
        ("ij,jk,kl->il", ((2, 3), (3, 2), (2, 2)), (0, None, 2)),
        ("", ((),), (0,)),
    ],
)
def test_einsum_matches_loop(subscripts: str, shapes: Any, in_axes: Any) -> None:
    args = [
        normal(s, k) if d is None else insert_batch(normal(s, k), d % (len(s) + 1))
        for k, (s, d) in enumerate(zip(shapes, in_axes, strict=True))
    ]
    check(lambda *ops: nr.einsum(subscripts, *ops), in_axes, *args)


@pytest.mark.parametrize(
    ("fn", "shapes", "in_axes"),
    [
        (lambda a, b: nr.tensordot(a, b, axes=([1, 2], [2, 0])), ((2, 3, 4), (4, 2, 3)), (3, 0)),
        (nr.vecdot, ((2, 3), (3,)), (None, 0)),
        (nr.outer, ((2,), (3,)), (-1, 1)),
        (nr.linalg.cross, ((2, 3), (3,)), (1, None)),
    ],
)
def test_einsum_based_functions_match_loop(fn: Any, shapes: Any, in_axes: Any) -> None:
    args = [
        normal(s, k) if d is None else insert_batch(normal(s, k), d % (len(s) + 1))
        for k, (s, d) in enumerate(zip(shapes, in_axes, strict=True))
    ]
    check(fn, in_axes, *args)


def test_nested_vmap_einsum_and_its_gradient() -> None:
    a, b = normal((B, 2, 3, 4)), normal((4, 2, 5), 1)

    def f(x: nr.Array, y: nr.Array) -> nr.Array:
        return nr.einsum("ij,jk->ik", x, y)

    got = nr.vmap(nr.vmap(f, in_axes=(0, 1)), in_axes=(0, None))(nr.asarray(a), nr.asarray(b))
    want = np.einsum("bsij,jsk->bsik", a, b)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)

    def loss(x: nr.Array, y: nr.Array) -> nr.Array:
        return nr.sum(nr.cos(nr.einsum("ii,ij->j", x, y)))

    sq, y = normal((B, 3, 3), 2), nr.asarray(normal((3, 5), 3))
    ga = nr.vmap(nr.grad(loss), in_axes=(0, None))(nr.asarray(sq), y)
    want_g = np.stack([nr.grad(loss)(nr.asarray(sq[k]), y).numpy() for k in range(B)])
    np.testing.assert_allclose(ga.numpy(), want_g, rtol=1e-12)


def test_vmap_of_grad_of_einsum_with_a_dropped_label() -> None:
    # the VJP rule builds ones/eye constants on the cotangent's device (which vmap must allow)
    a, v = normal((B, 3, 3)), nr.asarray(normal((4,), 1))

    def f(x: nr.Array) -> nr.Array:
        return nr.sum(nr.einsum("ii,k->k", x, v) ** 2)

    got = nr.vmap(nr.grad(f))(nr.asarray(a)).numpy()
    want = np.stack([nr.grad(f)(nr.asarray(a[k])).numpy() for k in range(B)])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_einsum_with_every_letter_has_no_label_for_the_batch_axis() -> None:
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    x = nr.ones((2, *(1,) * len(letters)))
    with pytest.raises(ShapeError, match="einsum: vmap needs a label for the batch axis"):
        nr.vmap(lambda e: nr.einsum(f"{letters}->{letters}", e))(x)


# --------------------------------------------------------------------- solvers


@pytest.mark.parametrize(
    ("sb", "in_axes"),
    [
        ((4,), (None, 0)),
        ((4,), (None, -1)),
        ((4, 2), (None, 0)),
        ((4, 2), (None, 1)),
        ((4, 2), (None, 2)),
        ((4, 2), (0, None)),
        ((4, 2), (-1, None)),
        ((4, 2), (0, 2)),
        ((4,), (2, 1)),
        ((2, 4, 2), (None, 0)),
        ((2, 4, 2), (1, None)),
        ((2, 4, 2), (1, 1)),
        ((1, 4, 2), (3, 0)),
    ],
)
def test_solve_matches_loop(sb: tuple[int, ...], in_axes: Any) -> None:
    sa = (4, 4) if len(sb) < 3 else (2, 4, 4)
    a = invertible(sa)
    a = a if in_axes[0] is None else insert_batch(a, in_axes[0] % (len(sa) + 1))
    b = normal(sb, 1)
    b = b if in_axes[1] is None else insert_batch(b, in_axes[1] % (len(sb) + 1))
    check(nr.linalg.solve, in_axes, a, b)


def test_solve_with_one_matrix_is_one_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    kernel = linalg_ext.solve_p.impl

    def spy(a: Any, b: Any) -> Any:
        calls.append((a.shape, b.shape))
        return kernel(a, b)

    monkeypatch.setattr(linalg_ext.solve_p, "impl", spy)
    a, b = invertible((4, 4)), normal((5, 4), 1)
    got = nr.vmap(nr.linalg.solve, in_axes=(None, 0))(nr.asarray(a), nr.asarray(b))
    np.testing.assert_allclose(got.numpy(), np.linalg.solve(a, b.T).T, rtol=1e-12)
    assert calls == [((4, 4), (4, 5))]


def _square(make: Callable[..., np.ndarray]) -> Callable[[int], np.ndarray]:
    return lambda axis: insert_batch(make((2, 3, 3)), axis)


def _row(x: nr.Array, i: int) -> nr.Array:
    """Row ``i`` of each matrix, kept as a (1, n) matrix (a product with a one-hot row)."""
    return nr.matmul(nr.asarray(np.eye(1, x.shape[-2], i)), x)


def _eigh_fixed(x: nr.Array) -> tuple[nr.Array, nr.Array]:
    w, v = nr.linalg.eigh(x)
    return w, v * nr.where(_row(v, 0) > 0, 1.0, -1.0)


def _svd_fixed(x: nr.Array) -> tuple[nr.Array, nr.Array, nr.Array]:
    u, s, vh = nr.linalg.svd(x, full_matrices=False)
    signs = nr.where(_row(u, 0) > 0, 1.0, -1.0)
    return u * signs, s, vh * nr.matrix_transpose(signs)


def _qr_fixed(x: nr.Array) -> tuple[nr.Array, nr.Array]:
    q, r = nr.linalg.qr(x)
    signs = nr.where(nr.linalg.diagonal(r) > 0, 1.0, -1.0)
    return q * nr.expand_dims(signs, -2), r * nr.expand_dims(signs, -1)


STACK_FUNCTIONS = [
    ("inv", nr.linalg.inv, invertible),
    ("det", nr.linalg.det, invertible),
    ("slogdet", nr.linalg.slogdet, invertible),
    ("cholesky", nr.linalg.cholesky, spd),
    ("cholesky_upper", lambda x: nr.linalg.cholesky(x, upper=True), spd),
    ("eigh", _eigh_fixed, spd),
    ("eigvalsh", nr.linalg.eigvalsh, spd),
    ("qr", _qr_fixed, normal),
    ("svd", _svd_fixed, normal),
    ("svdvals", nr.linalg.svdvals, normal),
    ("pinv", nr.linalg.pinv, normal),
    ("pinv_rtol", lambda x: nr.linalg.pinv(x, rtol=0.3), normal),
    ("matrix_rank", lambda x: nr.linalg.matrix_rank(x, rtol=0.3), normal),
    ("diagonal", lambda x: nr.linalg.diagonal(x, offset=1), normal),
    ("trace", nr.linalg.trace, normal),
    ("matrix_power_0", lambda x: nr.linalg.matrix_power(x, 0), invertible),
    ("matrix_power_-2", lambda x: nr.linalg.matrix_power(x, -2), invertible),
    ("matrix_norm_nuc", lambda x: nr.linalg.matrix_norm(x, ord="nuc"), normal),
    ("matrix_norm_2", lambda x: nr.linalg.matrix_norm(x, ord=2, keepdims=True), normal),
    ("matrix_norm_inf", lambda x: nr.linalg.matrix_norm(x, ord=np.inf), normal),
    ("norm_fro", lambda x: nr.linalg.norm(x, axis=(0, 2)), normal),
    ("vector_norm", lambda x: nr.linalg.vector_norm(x, axis=(0, -1), ord=3), normal),
]


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
@pytest.mark.parametrize(
    ("name", "fn", "make"), STACK_FUNCTIONS, ids=[s[0] for s in STACK_FUNCTIONS]
)
def test_matrix_stack_functions_match_loop(name: str, fn: Any, make: Any, axis: int) -> None:
    del name
    x = insert_batch(make((2, 3, 3)), axis % 4)
    check(fn, (axis,), x, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("fn", [_qr_fixed, _svd_fixed, nr.linalg.pinv, nr.linalg.svdvals])
@pytest.mark.parametrize("shape", [(4, 2), (2, 4)])
def test_rectangular_matrices_match_loop(fn: Any, shape: tuple[int, int]) -> None:
    check(fn, (1,), insert_batch(normal(shape), 1), rtol=1e-8, atol=1e-9)


def test_nested_vmap_of_stack_functions() -> None:
    x = spd((B, 2, 4, 4))
    f = nr.vmap(nr.vmap(lambda m: nr.linalg.cholesky(nr.linalg.inv(m))), in_axes=1)
    got = f(nr.asarray(x)).numpy()
    want = np.linalg.cholesky(np.linalg.inv(np.swapaxes(x, 0, 1)))
    np.testing.assert_allclose(got, want, rtol=1e-10)


GRAD_FUNCTIONS = [
    ("inv", lambda x: nr.sum(nr.sin(nr.linalg.inv(x))), invertible),
    ("det", lambda x: nr.linalg.det(x), invertible),
    ("slogdet", lambda x: nr.linalg.slogdet(x).logabsdet, invertible),
    ("cholesky", lambda x: nr.sum(nr.linalg.cholesky(x) ** 2), spd),
    ("eigvalsh", lambda x: nr.sum(nr.linalg.eigvalsh(x) ** 3), spd),
    ("eigh", lambda x: nr.sum(_row(_eigh_fixed(x)[1], 0)), spd),
    ("svdvals", lambda x: nr.sum(nr.linalg.svdvals(x) ** 2), normal),
    ("svd", lambda x: nr.sum(_row(_svd_fixed(x)[0], 1)), normal),
    ("qr", lambda x: nr.sum(nr.cos(_qr_fixed(x)[0])), normal),
    ("pinv", lambda x: nr.sum(nr.linalg.pinv(x) ** 2), normal),
    ("diagonal", lambda x: nr.sum(nr.exp(nr.linalg.diagonal(x, offset=-1))), normal),
    ("solve", lambda x: nr.sum(nr.linalg.solve(x, nr.asarray(np.arange(3.0)))), invertible),
    ("matrix_norm", lambda x: nr.linalg.matrix_norm(x, ord="nuc"), normal),
    ("norm", lambda x: nr.linalg.norm(x), normal),
    ("cross", lambda x: nr.sum(nr.linalg.cross(x, nr.flip(x, axis=0) + 1.0) ** 2), normal),
]


@pytest.mark.parametrize(("name", "fn", "make"), GRAD_FUNCTIONS, ids=[s[0] for s in GRAD_FUNCTIONS])
def test_vmap_of_grad_and_grad_of_vmap(name: str, fn: Any, make: Any) -> None:
    del name
    x = insert_batch(make((3, 3)), 2)
    want = np.stack([nr.grad(fn)(nr.asarray(x[..., k])).numpy() for k in range(B)], axis=-1)
    got = nr.vmap(nr.grad(fn), in_axes=2, out_axes=2)(nr.asarray(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)
    through = nr.grad(lambda y: nr.vmap(fn, in_axes=-1)(y).sum())(nr.asarray(x)).numpy()
    np.testing.assert_allclose(through, want, rtol=1e-8, atol=1e-10)


def test_vmap_of_jvp_of_cholesky() -> None:
    x, t = insert_batch(spd((3, 3)), 0), normal((B, 3, 3), 1)

    def f(m: nr.Array, dm: nr.Array) -> nr.Array:
        return nr.jvp(nr.linalg.cholesky, (m,), (dm,))[1]

    check(f, (0, 0), x, t, rtol=1e-8, atol=1e-10)
    check(f, (0, None), x, t[0], rtol=1e-8, atol=1e-10)


# ------------------------------------------------------------------------ errors


def test_a_singular_matrix_in_the_batch_raises_linalg_error() -> None:
    x = invertible((B, 3, 3))
    x[1] = 0.0
    with pytest.raises(LinAlgError, match="inv: argument 'x' expected invertible matrices"):
        nr.vmap(nr.linalg.inv)(nr.asarray(x))


def test_a_per_example_tolerance_has_no_single_value() -> None:
    x, tol = nr.asarray(normal((B, 3, 3))), nr.asarray(np.full(B, 0.1))
    with pytest.raises(ConcretizationError, match="vmap"):
        nr.vmap(lambda m, r: nr.linalg.pinv(m, rtol=r))(x, tol)
