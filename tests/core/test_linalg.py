"""Tests of the products (matmul, einsum, tensordot, vecdot, outer) and of ``nr.linalg``.

The OpInfo suite covers every function's values, shape rules and derivatives on its samples;
these tests add properties over hypothesis-drawn shapes and batch dimensions, derivative checks
of invariant functions of the decompositions, and every error path.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
import neurarust.linalg  # binds nr.linalg (see the report) and registers its OpInfos
from neurarust.test_util import check_grads

la = nr.linalg
SEEDS = st.integers(0, 2**32 - 1)
BATCHES = st.sampled_from([(), (1,), (2,), (3,)])
SIDES = st.integers(1, 4)


def _np(x: Any) -> np.ndarray:
    return np.asarray(x.numpy())


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _uniform(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.uniform(-1.0, 1.0, shape)


def _invertible(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    n = shape[-1]
    return rng.uniform(-0.5, 0.5, shape) + n * np.eye(n)


def _spd(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    a = _uniform(rng, shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


def _orthonormal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return np.linalg.qr(rng.standard_normal(shape))[0]


def _symmetric(rng: np.random.Generator, batch: tuple[int, ...], n: int) -> np.ndarray:
    """Symmetric matrices with well separated eigenvalues."""
    q = _orthonormal(rng, (*batch, n, n))
    w = np.arange(n) * 1.5 - n + rng.uniform(-0.3, 0.3, (*batch, n))
    return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)


def _separated(rng: np.random.Generator, batch: tuple[int, ...], m: int, n: int) -> np.ndarray:
    """Matrices with well separated singular values in [1.2, k + 0.8]."""
    k = min(m, n)
    u = _orthonormal(rng, (*batch, m, k))
    v = _orthonormal(rng, (*batch, n, k))
    s = np.arange(k, 0, -1) + 0.5 + rng.uniform(-0.3, 0.3, (*batch, k))
    return (u * s[..., None, :]) @ np.swapaxes(v, -1, -2)


def _close(got: Any, want: Any, rtol: float = 1e-10, atol: float = 1e-10) -> None:
    np.testing.assert_allclose(_np(got), np.asarray(want), rtol=rtol, atol=atol)


# ----------------------------------------------------------------------------- matmul


@given(seed=SEEDS, batch1=BATCHES, batch2=BATCHES, n=SIDES, k=SIDES, m=SIDES)
def test_matmul_broadcasts_batches_like_numpy(
    seed: int, batch1: tuple, batch2: tuple, n: int, k: int, m: int
) -> None:
    rng = _rng(seed)
    a, b = _uniform(rng, (*batch1, n, k)), _uniform(rng, (*batch2, 1, k, m))
    _close(nr.matmul(nr.asarray(a), nr.asarray(b)), np.matmul(a, b))


@given(seed=SEEDS, batch=BATCHES, n=SIDES, k=SIDES)
def test_matmul_vector_rules_like_numpy(seed: int, batch: tuple, n: int, k: int) -> None:
    rng = _rng(seed)
    v, w, m = _uniform(rng, (k,)), _uniform(rng, (k,)), _uniform(rng, (*batch, k, n))
    mt = np.swapaxes(m, -1, -2)
    for x, y in ((v, w), (v, m), (mt, v)):
        got = nr.matmul(nr.asarray(x), nr.asarray(y))
        assert got.shape == np.matmul(x, y).shape
        _close(got, np.matmul(x, y))


def test_matmul_promotes_and_the_operator_agrees() -> None:
    a = nr.asarray(np.arange(6, dtype=np.int32).reshape(2, 3))
    b = nr.asarray(np.ones((3, 2), np.float32))
    assert nr.matmul(a, b).dtype == nr.float32
    assert (a @ b).dtype == nr.float32
    assert nr.matmul(a, a.mT).dtype == nr.int32
    _close(a @ b, np.arange(6).reshape(2, 3) @ np.ones((3, 2)))


def test_matmul_bfloat16_keeps_its_dtype() -> None:
    a = nr.ones((2, 3), dtype=nr.bfloat16)
    assert nr.matmul(a, a.mT).dtype == nr.bfloat16
    assert (a @ a.mT).dtype == nr.bfloat16
    assert float(nr.matmul(a, a.mT)[0, 0]) == 3.0


@pytest.mark.parametrize(
    ("s1", "s2"),
    [((2, 3), (3, 4)), ((2, 2, 3), (3,)), ((3,), (2, 3, 1)), ((3,), (3,)), ((1, 2, 3), (4, 3, 2))],
)
def test_matmul_gradients(s1: tuple, s2: tuple) -> None:
    rng = _rng(0)
    a, b = nr.asarray(_uniform(rng, s1)), nr.asarray(_uniform(rng, s2))
    check_grads(nr.matmul, (a, b), order=2)
    check_grads(lambda x, y: x @ y, (a, b), order=1)


@pytest.mark.parametrize(
    ("s1", "s2", "needle"),
    [
        ((2, 3), (4, 5), "shapes (2, 3) and (4, 5) cannot be multiplied: contracted dimensions 3"),
        ((3,), (4,), "contracted dimensions 3 != 4"),
        ((), (3,), "at least 1 dimension"),
        ((2, 2, 3), (3, 3, 2), "batch dimensions (2,) and (3,) do not broadcast"),
    ],
)
def test_matmul_errors_name_the_shapes(s1: tuple, s2: tuple, needle: str) -> None:
    a, b = nr.zeros(s1), nr.zeros(s2)
    with pytest.raises(nr.ShapeError, match=r"^matmul: ") as info:
        nr.matmul(a, b)
    assert needle in str(info.value)
    with pytest.raises(nr.ShapeError, match=r"^matmul: "):
        a @ b
    with pytest.raises(nr.ShapeError, match=r"^matmul: "):
        nr.grad(lambda x: (x @ b).sum())(a)


# ----------------------------------------------------------------------------- einsum

_EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),
    ("ii->", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("...ii->...i", [(2, 3, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ij->i", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->ji", [(2, 3)]),
    ("ij", [(2, 3)]),
    ("ji", [(2, 3)]),
    ("ij,ij->ij", [(2, 3), (1, 3)]),
    ("iij,jk->ik", [(2, 2, 3), (3, 2)]),
    ("iii->i", [(2, 2, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("i,i->", [(4,), (4,)]),
    ("ab , bc -> ac", [(2, 2), (2, 2)]),
]


@pytest.mark.parametrize(("subscripts", "shapes"), _EINSUMS, ids=[e[0] for e in _EINSUMS])
def test_einsum_values_and_gradients(subscripts: str, shapes: list) -> None:
    rng = _rng(1)
    ops = [_uniform(rng, s) for s in shapes]
    got = nr.einsum(subscripts, *(nr.asarray(o) for o in ops))
    _close(got, np.einsum(subscripts, *ops))
    check_grads(lambda *xs: nr.einsum(subscripts, *xs), [nr.asarray(o) for o in ops], order=2)


@given(seed=SEEDS, batch=BATCHES, n=SIDES, k=SIDES)
def test_einsum_matches_matmul_under_transforms(seed: int, batch: tuple, n: int, k: int) -> None:
    rng = _rng(seed)
    a, b = nr.asarray(_uniform(rng, (*batch, n, k))), nr.asarray(_uniform(rng, (k, n)))
    _close(nr.einsum("...ij,jk->...ik", a, b), _np(a @ b), rtol=1e-12)
    ga = nr.grad(lambda x: nr.einsum("...ij,jk->...ik", x, b).sum())(a)
    _close(ga, _np(nr.grad(lambda x: (x @ b).sum())(a)), rtol=1e-12)


def test_einsum_promotes_dtypes() -> None:
    a = nr.asarray(np.ones((2, 2), np.int32))
    assert nr.einsum("ij,jk->ik", a, nr.ones((2, 2))).dtype == nr.float32
    assert nr.einsum("ij->", a).dtype == nr.int32


@pytest.mark.parametrize(
    ("subscripts", "shapes", "needle"),
    [
        ("ij,jk->ik", [(2, 3)], "name 2 operand(s), got 1"),
        ("ij,jk->ik", [(2, 3), (4, 2)], "label 'j' has size 3"),
        ("ij->ik", [(2, 3)], "output labels that appear in the inputs ('k')"),
        ("ij->ii", [(2, 2)], "each output label once ('i' repeats)"),
        ("i1->i", [(2, 2)], "expected letters"),
        ("ij->i->j", [(2, 2)], "at most one '->'"),
        ("ijk->i", [(2, 3)], "has shape (2, 3) (2 dimensions) but its subscripts 'ijk' name 3"),
        ("...i->i", [(2, 3)], "expected '...' in the output"),
        ("ii->i", [(2, 3)], "label 'i' repeats in operand 0"),
    ],
)
def test_einsum_errors(subscripts: str, shapes: list, needle: str) -> None:
    with pytest.raises(nr.ShapeError, match=r"^einsum: ") as info:
        nr.einsum(subscripts, *(nr.zeros(s) for s in shapes))
    assert needle in str(info.value)


def test_einsum_rejects_the_interleaved_form_and_no_operands() -> None:
    with pytest.raises(TypeError, match="only the string form"):
        nr.einsum(nr.ones((2,)), [0])
    with pytest.raises(nr.ShapeError, match="expected 1 to 64 operands, got 0"):
        nr.einsum("i->i")


# ------------------------------------------------------------ tensordot, vecdot, outer


@given(seed=SEEDS, a=SIDES, b=SIDES, c=SIDES)
def test_tensordot_matches_numpy(seed: int, a: int, b: int, c: int) -> None:
    rng = _rng(seed)
    x, y, z = _uniform(rng, (a, b, c)), _uniform(rng, (b, c, a)), _uniform(rng, (c, a))
    for axes in (0, 2, ([1, 2], [0, 1]), ([0], [2]), ((0, 1), (2, 0))):
        _close(nr.tensordot(nr.asarray(x), nr.asarray(y), axes=axes), np.tensordot(x, y, axes))
    _close(la.tensordot(nr.asarray(x), nr.asarray(z), axes=1), np.tensordot(x, z, 1))


def test_tensordot_errors() -> None:
    with pytest.raises(nr.ShapeError, match=r"tensordot: .*contracted dimensions 3 != 4"):
        nr.tensordot(nr.zeros((2, 3)), nr.zeros((4, 2)), axes=1)
    with pytest.raises(nr.ShapeError, match=r"tensordot: argument 'axes' expected an int in"):
        nr.tensordot(nr.zeros((2,)), nr.zeros((2,)), axes=2)
    with pytest.raises(nr.ShapeError, match="equal length"):
        nr.tensordot(nr.zeros((2, 2)), nr.zeros((2, 2)), axes=([0, 1], [0]))
    with pytest.raises(nr.AxisError, match="tensordot"):
        nr.tensordot(nr.zeros((2, 2)), nr.zeros((2, 2)), axes=([5], [0]))
    with pytest.raises(TypeError, match="pair of axis sequences"):
        nr.tensordot(nr.zeros((2, 2)), nr.zeros((2, 2)), axes="x")


@given(seed=SEEDS, batch=BATCHES, n=SIDES)
def test_vecdot_matches_numpy(seed: int, batch: tuple, n: int) -> None:
    rng = _rng(seed)
    x, y = _uniform(rng, (*batch, 2, n)), _uniform(rng, (n,))
    _close(nr.vecdot(nr.asarray(x), nr.asarray(y)), np.vecdot(x, y))
    z = _uniform(rng, (*batch, 2, n))
    _close(nr.vecdot(nr.asarray(x), nr.asarray(z), axis=-2), np.vecdot(x, z, axis=-2))


def test_vecdot_conjugates_the_first_argument() -> None:
    x = nr.asarray(np.array([1 + 2j, 3j], np.complex64))
    assert complex(nr.vecdot(x, x)) == pytest.approx(14.0)


def test_vecdot_and_outer_errors() -> None:
    with pytest.raises(nr.ShapeError, match=r"vecdot: .*axis -1: 3 != 4"):
        nr.vecdot(nr.zeros((3,)), nr.zeros((4,)))
    with pytest.raises(nr.ShapeError, match="at least 1 dimension"):
        nr.vecdot(nr.zeros(()), nr.zeros((3,)))
    with pytest.raises(nr.ShapeError, match=r"outer: arguments expected 1-D arrays, got shapes"):
        nr.outer(nr.zeros((2, 2)), nr.zeros((2,)))


def test_outer_values_and_gradient() -> None:
    x, y = nr.asarray([1.0, 2.0]), nr.asarray([3.0, 4.0, 5.0])
    _close(nr.outer(x, y), np.outer([1.0, 2.0], [3.0, 4.0, 5.0]))
    check_grads(nr.outer, (x, y), order=2)


# ------------------------------------------------------------------- nr.linalg values


def test_linalg_namespace() -> None:
    assert nr.linalg.matrix_transpose is nr.matrix_transpose
    assert nr.linalg.matmul is nr.matmul
    for name in nr.linalg.__all__:
        assert getattr(nr.linalg, name) is not None


@given(seed=SEEDS, batch=BATCHES, n=SIDES)
def test_inverse_solve_det_match_numpy(seed: int, batch: tuple, n: int) -> None:
    rng = _rng(seed)
    a = _invertible(rng, (*batch, n, n))
    b, v = _uniform(rng, (*batch, n, 2)), _uniform(rng, (n,))
    x = nr.asarray(a)
    _close(la.inv(x), np.linalg.inv(a))
    _close(la.solve(x, nr.asarray(b)), np.linalg.solve(a, b))
    _close(la.solve(x, nr.asarray(v)), np.linalg.solve(a, v))
    _close(la.det(x), np.linalg.det(a))
    sign, logabsdet = la.slogdet(x)
    want = np.linalg.slogdet(a)
    _close(sign, want.sign)
    _close(logabsdet, want.logabsdet)


@given(seed=SEEDS, batch=BATCHES, n=SIDES)
def test_factorizations_reconstruct_their_input(seed: int, batch: tuple, n: int) -> None:
    rng = _rng(seed)
    spd = _spd(rng, (*batch, n, n))
    low = la.cholesky(nr.asarray(spd))
    _close(low @ low.mT, spd, rtol=1e-9)
    _close(la.cholesky(nr.asarray(spd), upper=True), np.swapaxes(_np(low), -1, -2))
    w, v = la.eigh(nr.asarray(spd))
    _close((v * w[..., None, :]) @ v.mT, spd, rtol=1e-9)
    _close(la.eigvalsh(nr.asarray(spd)), np.linalg.eigvalsh(spd))
    rect = _uniform(rng, (*batch, n + 1, n))
    q, r = la.qr(nr.asarray(rect))
    _close(q @ r, rect, atol=1e-12)
    u, s, vh = la.svd(nr.asarray(rect), full_matrices=False)
    _close((u * s[..., None, :]) @ vh, rect, atol=1e-12)
    _close(la.svdvals(nr.asarray(rect)), np.linalg.svd(rect, compute_uv=False))
    _close(la.pinv(nr.asarray(rect)), np.linalg.pinv(rect), atol=1e-9)


def test_result_tuples_have_array_api_names() -> None:
    x = nr.asarray(_spd(_rng(0), (3, 3)))
    assert la.eigh(x).eigenvalues.shape == (3,)
    assert la.qr(x).Q.shape == la.qr(x).R.shape == (3, 3)
    assert la.svd(x).Vh.shape == (3, 3)
    assert la.slogdet(x).logabsdet.shape == ()
    assert la.qr(nr.ones((4, 2)), mode="complete").Q.shape == (4, 4)
    assert la.svd(nr.ones((4, 2))).U.shape == (4, 4)


def test_matrix_rank_and_pinv_tolerance() -> None:
    x = nr.asarray(np.diag([1.0, 1e-3, 0.0]))
    assert int(la.matrix_rank(x)) == 2
    assert int(la.matrix_rank(x, rtol=1e-2)) == 1
    assert la.matrix_rank(nr.zeros((2, 3, 3))).tolist() == [0, 0]
    assert la.matrix_rank(x).dtype == nr.int64
    _close(la.pinv(x, rtol=1e-2), np.diag([1.0, 0.0, 0.0]))


def test_diagonal_trace_and_matrix_power() -> None:
    x = np.arange(12).reshape(3, 4)
    for offset in (-2, -1, 0, 1, 3, 5):
        _close(la.diagonal(nr.asarray(x), offset=offset), np.diagonal(x, offset))
        assert int(la.trace(nr.asarray(x), offset=offset)) == np.trace(x, offset)
    assert la.trace(nr.asarray(x)).dtype == nr.int64
    m = np.array([[1, 1], [0, 1]])
    assert la.matrix_power(nr.asarray(m), 5).tolist() == [[1, 5], [0, 1]]
    assert la.matrix_power(nr.asarray(m), 0).tolist() == [[1, 0], [0, 1]]
    inverse = la.matrix_power(nr.asarray(m), -2)
    assert inverse.dtype == nr.float32
    _close(inverse, [[1, -2], [0, 1]])


@pytest.mark.parametrize("dtype", [nr.float16, nr.bfloat16])
def test_low_precision_is_computed_in_float32(dtype: Any) -> None:
    x = nr.asarray([[2.0, 0.0], [0.0, 4.0]], dtype=dtype)
    out = la.inv(x)
    assert out.dtype == dtype
    assert out.astype(nr.float32).tolist() == [[0.5, 0.0], [0.0, 0.25]]
    assert la.eigh(x).eigenvalues.dtype == dtype
    assert nr.einsum("ij,jk->ik", x, x).dtype == dtype


def test_integer_input_gives_float32() -> None:
    x = nr.asarray([[2, 0], [0, 4]])
    for fn in (la.inv, la.det, la.cholesky, la.eigvalsh, la.svdvals, la.pinv, la.vector_norm):
        assert fn(x).dtype == nr.float32, fn.__name__
    assert la.solve(x, nr.asarray([2, 4])).tolist() == [1.0, 1.0]


def test_cross_matches_numpy() -> None:
    rng = _rng(3)
    a, b = _uniform(rng, (2, 1, 3)), _uniform(rng, (4, 3))
    _close(la.cross(nr.asarray(a), nr.asarray(b)), np.cross(a, b))
    c, d = _uniform(rng, (3, 2)), _uniform(rng, (3, 2))
    _close(la.cross(nr.asarray(c), nr.asarray(d), axis=-2), np.cross(c, d, axis=0))
    assert la.cross(nr.asarray([1, 0, 0]), nr.asarray([0, 1, 0])).tolist() == [0, 0, 1]


# ----------------------------------------------------------------------------- norms


@given(seed=SEEDS, batch=BATCHES, n=SIDES, m=SIDES)
def test_norms_match_numpy(seed: int, batch: tuple, n: int, m: int) -> None:
    rng = _rng(seed)
    a = _uniform(rng, (*batch, n, m))
    x = nr.asarray(a)
    for order in (2, 1, math.inf, -math.inf, 0, 3, 0.5):
        _close(la.vector_norm(x, ord=order), np.linalg.vector_norm(a, ord=order))
        _close(
            la.vector_norm(x, axis=-1, keepdims=True, ord=order),
            np.linalg.vector_norm(a, axis=-1, keepdims=True, ord=order),
        )
    for order in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        want = np.linalg.matrix_norm(a, ord=order, keepdims=True)
        _close(la.matrix_norm(x, ord=order, keepdims=True), want, atol=1e-12)
    _close(la.norm(x), np.linalg.norm(a.reshape(-1)))
    _close(la.norm(x, axis=-1), np.linalg.norm(a, axis=-1))
    _close(
        la.norm(x, axis=(-1, -2), keepdims=True), np.linalg.norm(a, axis=(-1, -2), keepdims=True)
    )
    if not batch:
        _close(la.norm(x, ord=1), np.linalg.norm(a, ord=1))


def test_vector_norm_gradient_at_zero_is_zero() -> None:
    g = nr.grad(lambda v: la.vector_norm(v))(nr.zeros((3,)))
    assert g.tolist() == [0.0, 0.0, 0.0]
    g = nr.grad(lambda v: la.matrix_norm(v))(nr.zeros((2, 2)))
    assert g.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    check_grads(lambda v: la.vector_norm(v), (nr.asarray([3.0, -4.0]),), order=2)


# --------------------------------------------------------------- decomposition grads


def _grad_check(f: Any, *args: np.ndarray) -> None:
    check_grads(f, [nr.asarray(a) for a in args], order=2)


@pytest.mark.parametrize("batch", [(), (2,)])
def test_determinant_and_inverse_gradients(batch: tuple) -> None:
    rng = _rng(4)
    a = _invertible(rng, (*batch, 3, 3))
    _grad_check(la.det, a)
    _grad_check(lambda x: la.slogdet(x).logabsdet, a * np.array([[-1.0], [1.0], [1.0]]))
    _grad_check(la.inv, a)
    _grad_check(la.solve, a, _uniform(rng, (*batch, 3, 2)))
    _grad_check(la.solve, a, _uniform(rng, (3,)))


def test_cholesky_gradients() -> None:
    rng = _rng(5)
    _grad_check(la.cholesky, _spd(rng, (3, 3)))
    _grad_check(lambda x: la.cholesky(x, upper=True), _spd(rng, (2, 3, 3)))


def test_eigh_gradients_of_invariant_functions() -> None:
    rng = _rng(6)
    a = _symmetric(rng, (2,), 3)
    weights = nr.asarray([1.0, -2.0, 0.5])
    _grad_check(lambda x: (la.eigh(x).eigenvalues * weights).sum(-1), a)

    def projector(x: Any) -> Any:
        _, v = la.eigh(x)
        first = v[..., :, :1]
        return first @ first.mT

    _grad_check(projector, a)
    _grad_check(la.eigvalsh, a)


def test_eigvalsh_and_svdvals_gradients_at_repeated_values() -> None:
    g = nr.grad(lambda x: la.eigvalsh(x).sum())(nr.eye(3, dtype=nr.float64))
    _close(g, np.eye(3))
    g = nr.grad(lambda x: la.svdvals(x).sum())(nr.eye(3, dtype=nr.float64))
    _close(g, np.eye(3))


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4), (2, 3, 2)])
def test_svd_gradients_of_invariant_functions(shape: tuple) -> None:
    rng = _rng(7)
    a = _separated(rng, shape[:-2], *shape[-2:])

    def reconstruct(x: Any) -> Any:
        u, s, vh = la.svd(x, full_matrices=False)
        return (u * (s * s)[..., None, :]) @ vh

    _grad_check(reconstruct, a)
    _grad_check(lambda x: la.svd(x, full_matrices=False).S, a)
    _grad_check(la.svdvals, a)
    _grad_check(la.pinv, a)


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 3, 2)])
def test_qr_gradients(shape: tuple) -> None:
    rng = _rng(8)
    a = _separated(rng, shape[:-2], *shape[-2:])
    _grad_check(lambda x: la.qr(x), a)
    _grad_check(lambda x: la.qr(x).R.sum(-1), a)


def test_norm_gradients() -> None:
    a = _separated(_rng(9), (), 3, 2)
    for order in ("fro", "nuc", 2, -2, 1, math.inf):
        _grad_check(lambda x, order=order: la.matrix_norm(x, ord=order), a)
    _grad_check(lambda x: la.vector_norm(x, ord=3, axis=0), a)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "fn", [la.inv, la.det, la.slogdet, la.cholesky, la.eigh, la.eigvalsh], ids=lambda f: f.__name__
)
def test_square_matrices_required(fn: Any) -> None:
    name = fn.__name__
    with pytest.raises(nr.ShapeError, match=rf"^{name}: argument 'x' expected square matrices"):
        fn(nr.zeros((2, 3)))
    with pytest.raises(nr.ShapeError, match=rf"^{name}: argument 'x' expected a matrix"):
        fn(nr.zeros((3,)))


def test_singular_and_indefinite_matrices_raise_linalg_error() -> None:
    with pytest.raises(la.LinAlgError, match=r"^inv: argument 'x' expected invertible matrices"):
        la.inv(nr.zeros((2, 2)))
    with pytest.raises(np.linalg.LinAlgError, match=r"^solve: argument 'x1'"):
        la.solve(nr.zeros((2, 2)), nr.ones((2,)))
    with pytest.raises(ValueError, match=r"^cholesky: .*positive-definite"):
        la.cholesky(-nr.eye(2))
    assert issubclass(la.LinAlgError, nr.NeurarustError)


def test_solve_shape_errors() -> None:
    with pytest.raises(nr.ShapeError, match=r"solve: shapes \(3, 3\) and \(2,\) .*expected 3 rows"):
        la.solve(nr.eye(3), nr.ones((2,)))
    with pytest.raises(nr.ShapeError, match=r"solve: .*batch dimensions \(2,\) and \(3,\)"):
        la.solve(nr.ones((2, 3, 3)), nr.ones((3, 3, 1)))
    with pytest.raises(nr.ShapeError, match=r"solve: argument 'x1' expected square"):
        la.solve(nr.ones((3, 2)), nr.ones((3,)))


def test_unsupported_derivatives_raise_clear_errors() -> None:
    with pytest.raises(nr.ShapeError, match=r"qr: derivatives expected mode='reduced'"):
        nr.grad(lambda x: la.qr(x).R.sum())(nr.ones((2, 3)))
    with pytest.raises(nr.ShapeError, match=r"svd: derivatives expected full_matrices=False"):
        nr.grad(lambda x: la.svd(x).S.sum())(nr.ones((3, 2)))
    z = nr.asarray(np.eye(2, dtype=np.complex128) * 2)
    with pytest.raises(nr.DTypeError, match=r"eigh: derivatives expected a real"):
        nr.jvp(lambda x: la.eigh(x).eigenvalues, (z,), (z,))


def test_option_errors() -> None:
    with pytest.raises(ValueError, match=r"qr: argument 'mode' expected one of"):
        la.qr(nr.eye(2), mode="r")
    with pytest.raises(ValueError, match=r"matrix_norm: argument 'ord' expected one of"):
        la.matrix_norm(nr.eye(2), ord=3)
    with pytest.raises(ValueError, match=r"vector_norm: argument 'ord' expected a real number"):
        la.vector_norm(nr.eye(2), ord="fro")
    with pytest.raises(nr.ShapeError, match=r"norm: argument 'x' expected 1 or 2 dimensions"):
        la.norm(nr.ones((2, 2, 2)), ord=2)
    with pytest.raises(nr.ShapeError, match=r"norm: argument 'axis' expected one or two axes"):
        la.norm(nr.ones((2, 2, 2)), axis=(0, 1, 2))
    with pytest.raises(nr.ShapeError, match=r"norm: argument 'axis' expected two different"):
        la.norm(nr.ones((2, 2)), axis=(0, -2))
    with pytest.raises(TypeError, match=r"pinv: argument 'rtol' expected None or a real number"):
        la.pinv(nr.eye(2), rtol="big")
    with pytest.raises(TypeError, match=r"matrix_power: argument 'n' expected an int"):
        la.matrix_power(nr.eye(2), 1.5)
    with pytest.raises(nr.ShapeError, match=r"matrix_power: argument 'x' expected square"):
        la.matrix_power(nr.ones((2, 3)), 2)
    with pytest.raises(nr.ShapeError, match=r"diagonal: argument 'x' expected at least 2"):
        la.diagonal(nr.ones((3,)))
    with pytest.raises(nr.ShapeError, match=r"cross: arguments expected size 3 along axis -1"):
        la.cross(nr.ones((2,)), nr.ones((2,)))
    with pytest.raises(nr.ShapeError, match=r"cross: "):
        la.cross(nr.ones((2, 3)), nr.ones((4, 3)))
    with pytest.raises(nr.ShapeError, match=r"cross: arguments expected at least 1 dimension"):
        la.cross(nr.ones(()), nr.ones((3,)))
