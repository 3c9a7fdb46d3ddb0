"""The ``nr.linalg`` extension, part two: eigen, QR and singular value decompositions, and
what is built on singular values (``pinv``, ``matrix_rank``).

Conventions (dtypes, symmetric parts, real-only derivatives) are those of ``linalg_ext.py``.
The derivative rules are the standard ones (Giles 2008; Townsend 2016 for the SVD; Golub and
Pereyra 1973 for the pseudo-inverse; QR as in JAX and PyTorch), written in neurarust ops; each
VJP is the transpose of its JVP.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import namespace
from ..errors import ShapeError
from ..opinfo import OpInfo, Sample, rand, register
from ..primitive import Primitive, ShapedArray
from .elementwise import greater, where
from .linalg import einsum, matmul
from .linalg_ext import (
    as_matrices,
    constant_like,
    diag_embed,
    diagonal,
    distinct_singular_values,
    hermitian_part,
    inverse_gaps,
    lapack_kernel,
    matrix_stack_rule,
    real_dtype,
    require_real,
    sample_batch,
    sample_size,
    shape_of,
    solve,
    square_samples,
    swap_last,
    symmetric_sample,
    symmetrize,
)
from .shape import expand_dims, matrix_transpose


class EighResult(NamedTuple):
    """The result of :func:`eigh`."""

    eigenvalues: Array
    eigenvectors: Array


class QRResult(NamedTuple):
    """The result of :func:`qr`."""

    Q: Array
    R: Array


class SVDResult(NamedTuple):
    """The result of :func:`svd`."""

    U: Array
    S: Array
    Vh: Array


# ------------------------------------------------------------------- eigh, eigvalsh


def _eigh(x: Any) -> Any:
    return tuple(namespace(x).linalg.eigh(hermitian_part(x)))


def _eigh_jvp(t: Array, out: tuple[Array, Array], x: Array) -> tuple[Array, Array]:
    require_real("eigh", x)
    w, v = out
    rotated = symmetrize(matmul(matrix_transpose(v), matmul(t, v)))
    gaps = inverse_gaps(expand_dims(w, -2) - expand_dims(w, -1))
    return diagonal(rotated), matmul(v, gaps * rotated)


def _eigh_vjp(g: tuple[Array, Array], out: tuple[Array, Array], x: Array) -> Array:
    require_real("eigh", x)
    gw, gv = g
    w, v = out
    gaps = inverse_gaps(expand_dims(w, -2) - expand_dims(w, -1))
    inner = diag_embed(gw) + gaps * matmul(matrix_transpose(v), gv)
    return symmetrize(matmul(v, matmul(inner, matrix_transpose(v))))


eigh_p = Primitive(
    "eigh",
    lapack_kernel("eigh", "x", "symmetric matrices whose eigensolver converges", _eigh),
    lambda x: (ShapedArray(x.shape[:-1], real_dtype(x.dtype)), ShapedArray(x.shape, x.dtype)),
    multiple_results=True,
)
eigh_p.defjvp(_eigh_jvp).defvjp(_eigh_vjp).defbatch(matrix_stack_rule(eigh_p))


def eigh(x: Any, /) -> EighResult:
    """Eigenvalues (ascending) and eigenvectors (columns) of each symmetric (Hermitian)
    matrix, as ``(eigenvalues, eigenvectors)``.

    Reads the symmetric part ``(x + x.mT) / 2``. Eigenvector derivatives need distinct
    eigenvalues; each eigenvector's sign is whatever LAPACK returns.

    Examples
    --------
    >>> nr.linalg.eigh(nr.asarray([[2.0, 0.0], [0.0, 1.0]])).eigenvalues.tolist()
    [1.0, 2.0]
    """
    x = as_matrices("eigh", x, square=True)
    if x.__class__ is Array:
        w, v = eigh_p.impl(x._v)
        return EighResult(wrap(w), wrap(v))
    return EighResult(*eigh_p.bind(x))


def _eigvalsh(x: Any) -> Any:
    return namespace(x).linalg.eigvalsh(hermitian_part(x))


def _eigvalsh_jvp(t: Array, out: Array, x: Array) -> Array:
    require_real("eigvalsh", x)
    v = eigh(x).eigenvectors
    return einsum("...ji,...jk,...ki->...i", v, t, v)


def _eigvalsh_vjp(g: Array, out: Array, x: Array) -> Array:
    require_real("eigvalsh", x)
    v = eigh(x).eigenvectors
    return einsum("...ik,...k,...jk->...ij", v, g, v)


eigvalsh_p = Primitive(
    "eigvalsh",
    lapack_kernel("eigvalsh", "x", "symmetric matrices whose eigensolver converges", _eigvalsh),
    lambda x: ShapedArray(x.shape[:-1], real_dtype(x.dtype)),
)
eigvalsh_p.defjvp(_eigvalsh_jvp).defvjp(_eigvalsh_vjp).defbatch(matrix_stack_rule(eigvalsh_p))


def eigvalsh(x: Any, /) -> Array:
    """The eigenvalues (ascending) of each symmetric (Hermitian) matrix.

    Reads the symmetric part ``(x + x.mT) / 2``. Differentiable also where eigenvalues
    repeat, unlike the eigenvectors of :func:`eigh`.
    """
    x = as_matrices("eigvalsh", x, square=True)
    if x.__class__ is Array:
        return wrap(eigvalsh_p.impl(x._v))
    return eigvalsh_p.bind(x)


# ---------------------------------------------------------------------------- qr


_QR_MODES = ("reduced", "complete")


def _qr(x: Any, *, mode: str) -> Any:
    return tuple(namespace(x).linalg.qr(x, mode=mode))


def _qr_shape(x: ShapedArray, *, mode: str) -> tuple[ShapedArray, ShapedArray]:
    *batch, m, n = x.shape
    k = m if mode == "complete" else min(m, n)
    return ShapedArray((*batch, m, k), x.dtype), ShapedArray((*batch, k, n), x.dtype)


def _qr_derivable(x: Array, mode: str) -> None:
    require_real("qr", x)
    m, n = x.shape[-2:]
    if m < n or (mode == "complete" and m != n):
        raise ShapeError(
            f"qr: derivatives expected mode='reduced' with a tall or square matrix (m >= n), "
            f"got mode={mode!r} and shape {shape_of(x)} (as in JAX and PyTorch, Q is not "
            "unique otherwise)"
        )


def _qr_jvp(t: Array, out: tuple[Array, Array], x: Array, *, mode: str) -> tuple[Array, Array]:
    _qr_derivable(x, mode)
    q, r = out
    t_rinv = matrix_transpose(solve(matrix_transpose(r), matrix_transpose(t)))
    c = matmul(matrix_transpose(q), t_rinv)
    n = c.shape[-1]
    low = c * constant_like(c, np.tril(np.ones((n, n)), -1))
    skew = low - matrix_transpose(low)
    return matmul(q, skew - c) + t_rinv, matmul(c - skew, r)


def _qr_vjp(g: tuple[Array, Array], out: tuple[Array, Array], x: Array, *, mode: str) -> Array:
    _qr_derivable(x, mode)
    gq, gr = g
    q, r = out
    m = matmul(gr, matrix_transpose(r)) - matmul(matrix_transpose(q), gq)
    n = m.shape[-1]
    upper = constant_like(m, np.triu(np.ones((n, n))))
    strict_lower = 1 - upper
    copied = m * upper + matrix_transpose(m) * strict_lower
    left = gq + matmul(q, copied)
    return matrix_transpose(solve(r, matrix_transpose(left)))


qr_p = Primitive(
    "qr",
    lapack_kernel("qr", "x", "matrices whose QR factorization converges", _qr),
    _qr_shape,
    multiple_results=True,
)
qr_p.defjvp(_qr_jvp).defvjp(_qr_vjp).defbatch(matrix_stack_rule(qr_p))


def qr(x: Any, /, *, mode: str = "reduced") -> QRResult:
    """The QR factorization of each matrix, as ``(Q, R)``: ``x = Q @ R``, ``Q`` with
    orthonormal columns and ``R`` upper triangular.

    ``mode="reduced"`` gives ``Q`` (m, k) and ``R`` (k, n) with ``k = min(m, n)``;
    ``mode="complete"`` gives ``Q`` (m, m) and ``R`` (m, n). Derivatives are implemented for
    ``mode="reduced"`` with ``m >= n`` (a ShapeError otherwise).
    """
    if mode not in _QR_MODES:
        raise ValueError(f"qr: argument 'mode' expected one of {_QR_MODES}, got {mode!r}")
    x = as_matrices("qr", x)
    if x.__class__ is Array:
        q, r = qr_p.impl(x._v, mode=mode)
        return QRResult(wrap(q), wrap(r))
    return QRResult(*qr_p.bind(x, mode=mode))


# -------------------------------------------------------------------- svd, pinv


def _svd(x: Any, *, full_matrices: bool) -> Any:
    return tuple(namespace(x).linalg.svd(x, full_matrices=full_matrices))


def _svd_shape(x: ShapedArray, *, full_matrices: bool) -> tuple[ShapedArray, ...]:
    *batch, m, n = x.shape
    k = min(m, n)
    ku, kv = (m, n) if full_matrices else (k, k)
    return (
        ShapedArray((*batch, m, ku), x.dtype),
        ShapedArray((*batch, k), real_dtype(x.dtype)),
        ShapedArray((*batch, kv, n), x.dtype),
    )


def _svd_derivable(x: Array, full_matrices: bool) -> None:
    require_real("svd", x)
    m, n = x.shape[-2:]
    if full_matrices and m != n:
        raise ShapeError(
            f"svd: derivatives expected full_matrices=False (or square matrices), got "
            f"full_matrices=True and shape {shape_of(x)} (the extra singular vectors are not "
            "unique)"
        )


def _svd_gaps(s: Array) -> Array:
    """``F[i, j] = 1 / (s_j^2 - s_i^2)`` off the diagonal, 0 on it."""
    sq = s * s
    return inverse_gaps(expand_dims(sq, -2) - expand_dims(sq, -1))


def _svd_jvp(
    t: Array, out: tuple[Array, Array, Array], x: Array, *, full_matrices: bool
) -> tuple[Array, Array, Array]:
    _svd_derivable(x, full_matrices)
    u, s, vh = out
    v = matrix_transpose(vh)
    rotated = matmul(matrix_transpose(u), matmul(t, v))
    row, col = expand_dims(s, -2), expand_dims(s, -1)
    gaps = _svd_gaps(s)
    right, left = rotated * row, col * rotated
    du = matmul(u, gaps * (right + matrix_transpose(right)))
    dv = matmul(v, gaps * (left + matrix_transpose(left)))
    m, n = x.shape[-2:]
    if m > n:
        tv = matmul(t, v)
        du = du + (tv - matmul(u, matmul(matrix_transpose(u), tv))) / row
    if n > m:
        tu = matmul(matrix_transpose(t), u)
        dv = dv + (tu - matmul(v, matmul(vh, tu))) / row
    return du, diagonal(rotated), matrix_transpose(dv)


def _svd_vjp(
    g: tuple[Array, Array, Array], out: tuple[Array, Array, Array], x: Array, *, full_matrices: bool
) -> Array:
    _svd_derivable(x, full_matrices)
    gu, gs, gvh = g
    u, s, vh = out
    v, gv = matrix_transpose(vh), matrix_transpose(gvh)
    row, col = expand_dims(s, -2), expand_dims(s, -1)
    gaps = _svd_gaps(s)
    ju = gaps * matmul(matrix_transpose(u), gu)
    jv = gaps * matmul(vh, gv)
    inner = diag_embed(gs) + (ju + matrix_transpose(ju)) * row + col * (jv + matrix_transpose(jv))
    ga = matmul(u, matmul(inner, vh))
    m, n = x.shape[-2:]
    if m > n:
        ga = ga + matmul((gu - matmul(u, matmul(matrix_transpose(u), gu))) / row, vh)
    if n > m:
        ga = ga + matmul(u, matrix_transpose((gv - matmul(v, matmul(vh, gv))) / row))
    return ga


svd_p = Primitive(
    "svd",
    lapack_kernel("svd", "x", "matrices whose SVD converges", _svd),
    _svd_shape,
    multiple_results=True,
)
svd_p.defjvp(_svd_jvp).defvjp(_svd_vjp).defbatch(matrix_stack_rule(svd_p))


def svd(x: Any, /, *, full_matrices: bool = True) -> SVDResult:
    """The singular value decomposition of each matrix, as ``(U, S, Vh)``:
    ``x = U @ diag(S) @ Vh`` with ``S`` descending.

    With ``full_matrices=True`` ``U`` is (m, m) and ``Vh`` (n, n); otherwise (m, k) and
    (k, n), ``k = min(m, n)``. Derivatives need ``full_matrices=False`` (or square matrices)
    and distinct singular values; each singular vector pair's sign is whatever LAPACK returns.
    """
    x = as_matrices("svd", x)
    full_matrices = bool(full_matrices)
    if x.__class__ is Array:
        u, s, vh = svd_p.impl(x._v, full_matrices=full_matrices)
        return SVDResult(wrap(u), wrap(s), wrap(vh))
    return SVDResult(*svd_p.bind(x, full_matrices=full_matrices))


def _svdvals(x: Any) -> Any:
    return namespace(x).linalg.svd(x, compute_uv=False)


def _svdvals_jvp(t: Array, out: Array, x: Array) -> Array:
    require_real("svdvals", x)
    u, _, vh = svd(x, full_matrices=False)
    return einsum("...ik,...ij,...kj->...k", u, t, vh)


def _svdvals_vjp(g: Array, out: Array, x: Array) -> Array:
    require_real("svdvals", x)
    u, _, vh = svd(x, full_matrices=False)
    return einsum("...ik,...k,...kj->...ij", u, g, vh)


svdvals_p = Primitive(
    "svdvals",
    lapack_kernel("svdvals", "x", "matrices whose SVD converges", _svdvals),
    lambda x: ShapedArray((*x.shape[:-2], min(x.shape[-2:])), real_dtype(x.dtype)),
)
svdvals_p.defjvp(_svdvals_jvp).defvjp(_svdvals_vjp).defbatch(matrix_stack_rule(svdvals_p))


def svdvals(x: Any, /) -> Array:
    """The singular values (descending) of each matrix.

    Differentiable also where singular values repeat (the singular vectors of :func:`svd`
    are not).
    """
    x = as_matrices("svdvals", x)
    if x.__class__ is Array:
        return wrap(svdvals_p.impl(x._v))
    return svdvals_p.bind(x)


def _rtol(op: str, rtol: Any) -> float | None:
    """``rtol`` as a Python float (or None), or a TypeError naming ``op``."""
    if rtol is None:
        return None
    if isinstance(rtol, Array) and rtol.ndim == 0:
        rtol = rtol.item()
    if isinstance(rtol, bool) or not isinstance(rtol, (int, float)):
        raise TypeError(
            f"{op}: argument 'rtol' expected None or a real number (one tolerance for every "
            f"matrix), got {type(rtol).__name__}"
        )
    return float(rtol)


def _cutoff(x: Any, rtol: float | None) -> float:
    """The relative cutoff for small singular values: ``max(m, n) * eps`` by default."""
    return rtol if rtol is not None else max(x.shape[-2:]) * float(np.finfo(x.dtype).eps)


def _pinv(x: Any, *, rtol: float | None) -> Any:
    return namespace(x).linalg.pinv(x, _cutoff(x, rtol))


def _pinv_jvp(t: Array, out: Array, x: Array, *, rtol: float | None) -> Array:
    require_real("pinv", x)
    p, pt, tt = out, matrix_transpose(out), matrix_transpose(t)
    first = -matmul(p, matmul(t, p))
    second = matmul(p, matmul(pt, tt - matmul(matmul(tt, x), p)))
    third = matmul(tt - matmul(p, matmul(x, tt)), matmul(pt, p))
    return first + second + third


def _pinv_vjp(g: Array, out: Array, x: Array, *, rtol: float | None) -> Array:
    require_real("pinv", x)
    p, pt, gt = out, matrix_transpose(out), matrix_transpose(g)
    first = -matmul(pt, matmul(g, pt))
    second = matmul(gt - matmul(x, matmul(p, gt)), matmul(p, pt))
    third = matmul(matmul(pt, p), gt - matmul(matmul(gt, p), x))
    return first + second + third


pinv_p = Primitive(
    "pinv",
    lapack_kernel("pinv", "x", "matrices whose SVD converges", _pinv),
    lambda x, *, rtol: ShapedArray((*x.shape[:-2], x.shape[-1], x.shape[-2]), x.dtype),
)
pinv_p.defjvp(_pinv_jvp).defvjp(_pinv_vjp).defbatch(matrix_stack_rule(pinv_p))


def pinv(x: Any, /, *, rtol: float | None = None) -> Array:
    """The Moore-Penrose pseudo-inverse of each matrix (shape (..., m, n) -> (..., n, m)).

    Singular values at most ``rtol`` times the largest are treated as zero (default
    ``max(m, n) * eps``). Derivatives (Golub and Pereyra) hold where the rank does not change.
    """
    x = as_matrices("pinv", x)
    tol = _rtol("pinv", rtol)
    if x.__class__ is Array:
        return wrap(pinv_p.impl(x._v, rtol=tol))
    return pinv_p.bind(x, rtol=tol)


def _matrix_rank(x: Any, *, rtol: float | None) -> Any:
    xp = namespace(x)
    s = xp.linalg.svd(x, compute_uv=False)
    if s.shape[-1] == 0:
        return xp.zeros(s.shape[:-1], dtype=np.int64)
    tol = s.max(axis=-1, keepdims=True) * _cutoff(x, rtol)
    return xp.count_nonzero(s > tol, axis=-1).astype(np.int64)


matrix_rank_p = Primitive(
    "matrix_rank",
    lapack_kernel("matrix_rank", "x", "matrices whose SVD converges", _matrix_rank),
    lambda x, *, rtol: ShapedArray(x.shape[:-2], dtypes.int64),
    differentiable=False,
)
matrix_rank_p.defbatch(matrix_stack_rule(matrix_rank_p))


def matrix_rank(x: Any, /, *, rtol: float | None = None) -> Array:
    """The rank of each matrix (int64): its number of singular values above ``rtol`` times
    the largest (default ``rtol = max(m, n) * eps``)."""
    x = as_matrices("matrix_rank", x)
    tol = _rtol("matrix_rank", rtol)
    if x.__class__ is Array:
        return wrap(matrix_rank_p.impl(x._v, rtol=tol))
    return matrix_rank_p.bind(x, rtol=tol)


# ------------------------------------------------------------------------ OpInfos


def _rect_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    m, n = sample_size(rng, 2), sample_size(rng)
    return [
        Sample((distinct_singular_values(rng, (*sample_batch(rng), m, n), dtype),)),
        Sample((distinct_singular_values(rng, (n, m), dtype),)),
    ]


def _first_row_signs(rows: Any) -> Any:
    """+1 where ``rows`` is positive, else -1 (constants to every transform)."""
    return where(greater(rows, 0), 1.0, -1.0)


def _eigh_fixed(x: Any) -> tuple[Array, Array]:
    """``eigh`` with each eigenvector's sign fixed by its first entry (a test function)."""
    w, v = eigh(x)
    first = matmul(constant_like(v, np.eye(1, v.shape[-2])), v)
    return w, v * _first_row_signs(first)


def _np_eigh_fixed(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w, v = np.linalg.eigh(x)
    return w, v * np.where(v[..., :1, :] > 0, 1, -1)


def _svd_fixed(x: Any, full_matrices: bool = True) -> tuple[Array, Array, Array]:
    """``svd`` with each singular vector pair's sign fixed by the first entry of U."""
    u, s, vh = svd(x, full_matrices=full_matrices)
    ku, kv, k = u.shape[-1], vh.shape[-2], s.shape[-1]
    signs = _first_row_signs(matmul(constant_like(u, np.eye(1, u.shape[-2])), u))
    ones_after_k = np.zeros((1, kv))
    ones_after_k[:, k:] = 1.0
    vh_signs = matmul(signs, constant_like(u, np.eye(ku, kv))) + constant_like(u, ones_after_k)
    return u * signs, s, vh * matrix_transpose(vh_signs)


def _np_svd_fixed(x: np.ndarray, full_matrices: bool = True) -> tuple[np.ndarray, ...]:
    u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
    signs = np.where(u[..., :1, :] > 0, 1, -1)
    k = s.shape[-1]
    vh_signs = np.ones((*vh.shape[:-1], 1))
    vh_signs[..., :k, :] = swap_last(signs)[..., :k, :]
    return u * signs, s, vh * vh_signs


def _svd_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    m, n = sample_size(rng, 2), sample_size(rng)
    tall = distinct_singular_values(rng, (*sample_batch(rng), m, n), dtype)
    wide = distinct_singular_values(rng, (n, m), dtype)
    square = distinct_singular_values(rng, (n, n), dtype)
    return [
        Sample((tall,), {"full_matrices": False}),
        Sample((wide,), {"full_matrices": False}),
        Sample((square,), {"full_matrices": True}),
    ]


def _svd_forward_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    m, n = sample_size(rng, 2), sample_size(rng)
    full = [Sample((distinct_singular_values(rng, s, dtype),)) for s in ((m, n), (n, m))]
    return full + _svd_samples(rng, dtype)


def _qr_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    m, n = sample_size(rng, 2), sample_size(rng)
    m, n = max(m, n), min(m, n)
    return [
        Sample((distinct_singular_values(rng, (*sample_batch(rng), m, n), dtype),)),
        Sample((distinct_singular_values(rng, (n, n), dtype),), {"mode": "complete"}),
    ]


def _qr_forward_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    x = rand(rng, (2, 4), dtype)
    return [Sample((x,)), Sample((swap_last(x),), {"mode": "complete"}), *_qr_samples(rng, dtype)]


def _np_qr(x: np.ndarray, mode: str = "reduced") -> tuple[np.ndarray, np.ndarray]:
    return tuple(np.linalg.qr(x, mode=mode))


def _np_svd_forward(x: np.ndarray) -> np.ndarray:
    return np.linalg.svd(x, compute_uv=False)


def _rank_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    m, n, r = sample_size(rng), sample_size(rng), sample_size(rng)
    low = rand(rng, (*sample_batch(rng), m, r), dtype) @ rand(rng, (r, n), dtype)
    return [Sample((low,)), Sample((np.zeros((2, 3), dtype),)), Sample((low,), {"rtol": 0.5})]


def _np_matrix_rank(x: np.ndarray, rtol: float | None = None) -> np.ndarray:
    return np.linalg.matrix_rank(x, rtol=rtol)


register(
    OpInfo("linalg.eigh", _eigh_fixed, _np_eigh_fixed, ("eigh",), square_samples(symmetric_sample)),
    OpInfo(
        "linalg.eigvalsh",
        eigvalsh,
        np.linalg.eigvalsh,
        ("eigvalsh",),
        square_samples(symmetric_sample),
    ),
    OpInfo("linalg.qr", qr, _np_qr, ("qr",), _qr_forward_samples, grad_samples=_qr_samples),
    OpInfo(
        "linalg.svd",
        _svd_fixed,
        _np_svd_fixed,
        ("svd",),
        _svd_forward_samples,
        grad_samples=_svd_samples,
    ),
    OpInfo("linalg.svdvals", svdvals, _np_svd_forward, ("svdvals",), _rect_samples),
    OpInfo("linalg.pinv", pinv, np.linalg.pinv, ("pinv",), _rect_samples),
    OpInfo(
        "linalg.matrix_rank",
        matrix_rank,
        _np_matrix_rank,
        ("matrix_rank",),
        _rank_samples,
        grad=False,
    ),
)
