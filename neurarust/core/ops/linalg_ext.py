"""The ``nr.linalg`` extension, part one: the shared machinery, then diagonals, solvers,
determinants, ``cholesky``, ``matrix_power`` and ``cross``.

Factorizations (``eigh``, ``qr``, ``svd``, ``pinv``, ...) are in ``linalg_spectral.py`` and
norms in ``linalg_norms.py``; ``nr.linalg`` (``neurarust/linalg.py``) gathers them.

Each primitive wraps one ``xp.linalg`` kernel and declares its JVP and VJP rules in neurarust
ops (so derivatives of any order work), following the standard results collected by Giles
("An extended collection of matrix derivative results", 2008) and used by JAX and PyTorch.

Conventions, as in JAX:

- Integer and bool inputs are computed in the default float dtype (``inv`` of an int64 matrix
  is float32); float16 and bfloat16 are computed in float32 and rounded back.
- ``cholesky``, ``eigh`` and ``eigvalsh`` read the symmetric (Hermitian) part
  ``(x + x.mT) / 2`` of their input. For a symmetric input this is the input itself (PyTorch
  and NumPy read the lower triangle instead); it makes derivatives agree with finite
  differences for every direction.
- A matrix LAPACK cannot handle (singular for ``inv``/``solve``, not positive definite for
  ``cholesky``) raises :class:`LinAlgError`.
- Derivatives of ``cholesky``, ``eigh``, ``eigvalsh``, ``qr``, ``svd``, ``svdvals``, ``pinv``
  and ``slogdet`` are for real inputs (a DTypeError for complex ones); eigenvector and
  singular-vector derivatives need distinct eigenvalues / singular values (NaN otherwise, as
  in JAX and PyTorch).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import namespace
from ..batching import Dims, move_axis, to_front
from ..errors import DTypeError, NeurarustError, ShapeError
from ..opinfo import OpInfo, Sample, rand, register
from ..primitive import Primitive, ShapedArray
from . import reduction
from .arguments import asarray, astype, broadcast_shapes, normalize_axis, to_array
from .creation import eye, zeros_like
from .elementwise import conj
from .linalg import einsum, matmul, promote_arrays
from .rules import linear
from .shape import broadcast_to, expand_dims, matrix_transpose, moveaxis, reshape


class LinAlgError(NeurarustError, np.linalg.LinAlgError):
    """A matrix an operation cannot handle: singular, not positive definite, no convergence.

    Also a ``numpy.linalg.LinAlgError`` (and so a ``ValueError``).
    """


class SlogdetResult(NamedTuple):
    """The result of :func:`slogdet`."""

    sign: Array
    logabsdet: Array


# ----------------------------------------------------------------------- helpers


_LOW_PRECISION = (dtypes.float16, dtypes.bfloat16)


def lapack_kernel(op: str, arg: str, expected: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """The kernel ``fn`` with 16-bit floats computed in float32 and LAPACK failures raised as
    :class:`LinAlgError` naming ``op``, its argument ``arg`` and what it ``expected``."""

    def kernel(*args: Any, **params: Any) -> Any:
        dt = args[0].dtype
        low = dt in _LOW_PRECISION
        if low:
            args = tuple(a.astype(np.float32) for a in args)
        try:
            out = fn(*args, **params)
        except np.linalg.LinAlgError as e:
            raise LinAlgError(
                f"{op}: argument '{arg}' expected {expected}, got a matrix that is not ({e})"
            ) from None
        if not low:
            return out
        if isinstance(out, tuple):
            return tuple(o.astype(dt) if o.dtype.kind == "f" else o for o in out)
        return out.astype(dt) if out.dtype.kind == "f" else out

    kernel.__name__ = op
    return kernel


def hermitian_part(a: Any) -> Any:
    """``(a + a^H) / 2`` of a stack of square matrices (a backend buffer)."""
    xp = namespace(a)
    at = xp.swapaxes(a, -1, -2)
    return (a + (xp.conj(at) if a.dtype.kind == "c" else at)) * 0.5


def as_matrices(op: str, x: Any, name: str = "x", square: bool = False) -> Array:
    """``x`` as an inexact Array of at least 2 dimensions (square ones when ``square``)."""
    x = to_array(op, name, x)
    if x.ndim < 2:
        raise ShapeError(
            f"{op}: argument '{name}' expected a matrix or a stack of matrices (at least 2 "
            f"dimensions), got shape {tuple(x.shape)}"
        )
    if square and x.shape[-1] != x.shape[-2]:
        raise ShapeError(
            f"{op}: argument '{name}' expected square matrices (shape (..., n, n)), got shape "
            f"{tuple(x.shape)}"
        )
    return x if dtypes.is_inexact(x.dtype) else astype(x, dtypes.default_float)


def require_real(op: str, x: Array) -> None:
    """Raise DTypeError for complex ``x``: the derivative rules of ``op`` are for real input."""
    if x.dtype.kind == "c":
        raise DTypeError(
            f"{op}: derivatives expected a real floating input, got dtype {x.dtype} "
            "(derivatives of this function are implemented for real matrices only)"
        )


def constant_like(like: Array, value: np.ndarray) -> Array:
    """A constant with the values of NumPy ``value`` in the dtype and on the device of
    ``like``."""
    return asarray(value, dtype=like.dtype, device=like.device)


def symmetrize(x: Array) -> Array:
    """``(x + x.mT) / 2`` in neurarust ops."""
    return (x + matrix_transpose(x)) * 0.5


def diag_embed(v: Array) -> Array:
    """Stack of diagonal matrices with diagonals ``v`` (shape (..., n) -> (..., n, n))."""
    return expand_dims(v, -1) * constant_like(v, np.eye(v.shape[-1]))


def _batch_scalar(v: Array) -> Array:
    """``v`` (one value per matrix) shaped to scale a stack of matrices."""
    return reshape(v, (*v.shape, 1, 1))


def inverse_gaps(diff: Array) -> Array:
    """``1 / diff`` off the diagonal and 0 on it, for a stack of square matrices."""
    i = constant_like(diff, np.eye(diff.shape[-1]))
    return (1 - i) / (diff + i)


def matrix_stack_rule(prim: Primitive) -> Callable[..., Any]:
    """The vmap rule of a one-operand primitive on a stack of matrices ``(..., m, n)`` whose
    results keep the leading dimensions (``inv``, ``det``, ``svd``, ...): the kernels take any
    leading dimensions, so a batch axis among them stays where it is and one among the matrix
    dimensions moves to the front."""

    def rule(args: Sequence[Any], dims: Dims, **params: Any) -> tuple[Any, Any]:
        (x,), (d,) = args, dims
        if d >= len(x.shape) - 2:
            x, d = move_axis(x, d, 0), 0
        out = prim.bind(x, **params)
        return out, (d,) * len(out) if prim.multiple_results else d

    return rule


def shape_of(x: Array) -> tuple[int, ...]:
    """The shape of ``x`` as a tuple (for messages and shape arithmetic)."""
    return tuple(x.shape)


def real_dtype(dtype: np.dtype) -> np.dtype:
    """The real dtype of the same precision (complex64 -> float32)."""
    return np.dtype(dtype.char.lower()) if dtype.kind == "c" else dtype


# ---------------------------------------------------------- diagonal, trace, power


def _embed_diagonal(g: Array, offset: int, shape: tuple[int, ...]) -> Array:
    """The stack of (m, n) matrices that hold ``g`` on diagonal ``offset`` and 0 elsewhere."""
    m, n = shape[-2:]
    along = m if offset >= 0 else n
    padded = matmul(g, constant_like(g, np.eye(g.shape[-1], along)))
    placed = expand_dims(padded, -1 if offset >= 0 else -2)
    return placed * constant_like(g, np.eye(m, n, offset))


def _diagonal(x: Any, *, offset: int) -> Any:
    return namespace(x).diagonal(x, offset, -2, -1)


def _diagonal_shape(x: ShapedArray, *, offset: int) -> ShapedArray:
    m, n = x.shape[-2:]
    length = max(0, min(m, n - offset) if offset >= 0 else min(m + offset, n))
    return ShapedArray((*x.shape[:-2], length), x.dtype)


diagonal_p = linear(
    Primitive("diagonal", _diagonal, _diagonal_shape),
    lambda g, out, x, *, offset: _embed_diagonal(g, offset, shape_of(x)),
)
diagonal_p.defbatch(matrix_stack_rule(diagonal_p))


def diagonal(x: Any, /, *, offset: int = 0) -> Array:
    """The diagonal ``offset`` (0 main, positive above, negative below) of each matrix.

    Examples
    --------
    >>> nr.linalg.diagonal(nr.asarray([[1, 2], [3, 4]])).tolist()
    [1, 4]
    """
    x = to_array("diagonal", "x", x)
    if x.ndim < 2:
        raise ShapeError(
            f"diagonal: argument 'x' expected at least 2 dimensions, got shape {shape_of(x)}"
        )
    offset = operator.index(offset)
    if x.__class__ is Array:
        return wrap(_diagonal(x._v, offset=offset))
    return diagonal_p.bind(x, offset=offset)


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Array:
    """The sum of diagonal ``offset`` of each matrix (integers sum as int64, as ``sum``).

    Examples
    --------
    >>> int(nr.linalg.trace(nr.asarray([[1, 2], [3, 4]])))
    5
    """
    return reduction.sum(diagonal(x, offset=offset), axis=-1, dtype=dtype)


# ---------------------------------------------------------------- inv, solve, det


def _inv(x: Any) -> Any:
    return namespace(x).linalg.inv(x)


inv_p = Primitive(
    "inv",
    lapack_kernel("inv", "x", "invertible matrices", _inv),
    lambda x: ShapedArray(x.shape, x.dtype),
)
inv_p.defjvp(lambda t, out, x: -matmul(out, matmul(t, out)))
inv_p.defvjp(lambda g, out, x: -matmul(matrix_transpose(out), matmul(g, matrix_transpose(out))))
inv_p.defbatch(matrix_stack_rule(inv_p))


def inv(x: Any, /) -> Array:
    """The inverse of each square matrix in ``x`` (shape (..., n, n)).

    Raises :class:`LinAlgError` for a singular matrix.

    Examples
    --------
    >>> nr.linalg.inv(nr.asarray([[2.0, 0.0], [0.0, 4.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    x = as_matrices("inv", x, square=True)
    if x.__class__ is Array:
        return wrap(inv_p.impl(x._v))
    return inv_p.bind(x)


def _solve(a: Any, b: Any) -> Any:
    return namespace(a).linalg.solve(a, b)


def _solve_vjp_b(g: Array, out: Array, a: Array, b: Array) -> Array:
    return solve(matrix_transpose(a), g)


solve_p = Primitive(
    "solve",
    lapack_kernel("solve", "x1", "invertible matrices", _solve),
    lambda a, b: ShapedArray(b.shape, b.dtype),
)
solve_p.defjvp(
    lambda t, out, a, b: -solve(a, matmul(t, out)),
    lambda t, out, a, b: solve(a, t),
)
solve_p.defvjp(
    lambda g, out, a, b: -matmul(_solve_vjp_b(g, out, a, b), matrix_transpose(out)),
    _solve_vjp_b,
)


def _solve_batch(args: Sequence[Any], dims: Dims) -> tuple[Any, int]:
    """vmap of ``solve`` (``a`` ``(*lead, n, n)``, ``b`` ``(*lead, n, k)`` per example).

    With one matrix for every example, the batch joins the columns of ``b``: one solve of
    ``(n, k*B)`` right-hand sides (one factorization). A batched ``a`` is a batched solve, an
    unbatched ``b`` then broadcast (a view) along the batch axis.
    """
    a, b = args
    da, db = dims
    lead = len(a.shape) - 2 - (da is not None)
    if da is None:
        if db <= lead:
            b, db = move_axis(b, db, lead + 1), lead + 1
        s = tuple(b.shape)
        cols = reshape(b, (*s[: lead + 1], s[lead + 1] * s[lead + 2]))
        return reshape(solve_p.bind(a, cols), s), db
    target = da if da <= lead else db if db is not None and db <= lead else 0
    a = move_axis(a, da, target)
    if db is None:
        b = move_axis(to_front(b, None, a.shape[target]), 0, target)
    else:
        b = move_axis(b, db, target)
    return solve_p.bind(a, b), target


solve_p.defbatch(_solve_batch)


def solve(x1: Any, x2: Any, /) -> Array:
    """The solution ``x`` of ``x1 @ x = x2`` for square ``x1`` (shape (..., n, n)).

    ``x2`` of shape (n,) is one vector (the result has shape (..., n)); otherwise ``x2`` is a
    stack of (n, k) matrices whose batch dimensions broadcast with those of ``x1`` (array API
    semantics). Raises :class:`LinAlgError` for a singular ``x1``.

    Examples
    --------
    >>> nr.linalg.solve(nr.asarray([[2.0, 0.0], [0.0, 4.0]]), nr.asarray([2.0, 2.0])).tolist()
    [1.0, 0.5]
    """
    a, b = promote_arrays("solve", x1, x2)
    a = as_matrices("solve", a, "x1", square=True)
    b = as_matrices("solve", b, "x2") if b.ndim != 1 else astype(b, a.dtype)
    n = a.shape[-1]
    rows = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if rows != n:
        raise ShapeError(
            f"solve: shapes {shape_of(a)} and {shape_of(b)} do not fit: x2 expected {n} rows "
            f"(x1 is {n}x{n}), got {rows}"
        )
    try:
        batch = broadcast_shapes("solve", a.shape[:-2], b.shape[:-2] if b.ndim > 1 else ())
    except ShapeError:
        raise ShapeError(
            f"solve: shapes {shape_of(a)} and {shape_of(b)} do not fit: batch dimensions "
            f"{shape_of(a)[:-2]} and {shape_of(b)[:-2]} do not broadcast"
        ) from None
    vector = b.ndim == 1
    if vector:
        b = reshape(b, (n, 1))
    a_shape, b_shape = (*batch, n, n), (*batch, *b.shape[-2:])
    if a.__class__ is Array and b.__class__ is Array:
        xp = namespace(a._v)
        u = a._v if a.shape == a_shape else xp.broadcast_to(a._v, a_shape)
        v = b._v if b.shape == b_shape else xp.broadcast_to(b._v, b_shape)
        out = wrap(solve_p.impl(u, v))
    else:
        out = solve_p.bind(broadcast_to(a, a_shape), broadcast_to(b, b_shape))
    return reshape(out, (*batch, n)) if vector else out


def _det(x: Any) -> Any:
    return namespace(x).linalg.det(x)


def _trace_of_solve(x: Array, t: Array) -> Array:
    """``trace(x^{-1} t)`` for each matrix of a stack."""
    return reduction.sum(diagonal(solve(x, t)), axis=-1)


det_p = Primitive(
    "det",
    lapack_kernel("det", "x", "matrices with a computable determinant", _det),
    lambda x: ShapedArray(x.shape[:-2], x.dtype),
)
det_p.defjvp(lambda t, out, x: out * _trace_of_solve(x, t))
det_p.defvjp(lambda g, out, x: _batch_scalar(g * out) * matrix_transpose(inv(x)))
det_p.defbatch(matrix_stack_rule(det_p))


def det(x: Any, /) -> Array:
    """The determinant of each square matrix in ``x``.

    The derivative is ``det(x) * inv(x).mT``, so it needs invertible matrices.

    Examples
    --------
    >>> float(nr.linalg.det(nr.asarray([[1.0, 2.0], [3.0, 4.0]])))
    -2.0
    """
    x = as_matrices("det", x, square=True)
    if x.__class__ is Array:
        return wrap(det_p.impl(x._v))
    return det_p.bind(x)


def _slogdet(x: Any) -> Any:
    return tuple(namespace(x).linalg.slogdet(x))


def _slogdet_shape(x: ShapedArray) -> tuple[ShapedArray, ShapedArray]:
    return ShapedArray(x.shape[:-2], x.dtype), ShapedArray(x.shape[:-2], real_dtype(x.dtype))


def _slogdet_jvp(t: Array, out: tuple[Array, Array], x: Array) -> tuple[Array, Array]:
    require_real("slogdet", x)
    return zeros_like(out[0]), _trace_of_solve(x, t)


def _slogdet_vjp(g: tuple[Array, Array], out: tuple[Array, Array], x: Array) -> Array:
    require_real("slogdet", x)
    return _batch_scalar(g[1]) * matrix_transpose(inv(x))


slogdet_p = Primitive(
    "slogdet",
    lapack_kernel("slogdet", "x", "matrices with a computable determinant", _slogdet),
    _slogdet_shape,
    multiple_results=True,
)
slogdet_p.defjvp(_slogdet_jvp).defvjp(_slogdet_vjp)
slogdet_p.defbatch(matrix_stack_rule(slogdet_p))


def slogdet(x: Any, /) -> SlogdetResult:
    """The sign and the natural log of the absolute value of each determinant, as
    ``(sign, logabsdet)``: ``det = sign * exp(logabsdet)`` without overflow.

    ``sign`` is 0 and ``logabsdet`` is ``-inf`` for a singular matrix. ``logabsdet`` is
    differentiable (for real matrices); ``sign`` is piecewise constant.

    Examples
    --------
    >>> nr.linalg.slogdet(nr.asarray([[1.0, 2.0], [3.0, 4.0]])).sign.item()
    -1.0
    """
    x = as_matrices("slogdet", x, square=True)
    if x.__class__ is Array:
        sign, logabsdet = slogdet_p.impl(x._v)
        return SlogdetResult(wrap(sign), wrap(logabsdet))
    return SlogdetResult(*slogdet_p.bind(x))


# ---------------------------------------------------------- cholesky, matrix_power


def _cholesky(x: Any) -> Any:
    return namespace(x).linalg.cholesky(hermitian_part(x))


def _phi(x: Array) -> Array:
    """The lower triangle of each matrix with its diagonal halved."""
    n = x.shape[-1]
    return x * constant_like(x, np.tril(np.ones((n, n))) - 0.5 * np.eye(n))


def _cholesky_jvp(t: Array, out: Array, x: Array) -> Array:
    require_real("cholesky", x)
    inner = solve(out, matrix_transpose(solve(out, symmetrize(t))))
    return matmul(out, _phi(inner))


def _cholesky_vjp(g: Array, out: Array, x: Array) -> Array:
    require_real("cholesky", x)
    lt = matrix_transpose(out)
    left = solve(lt, _phi(matmul(lt, g)))
    return symmetrize(matrix_transpose(solve(lt, matrix_transpose(left))))


cholesky_p = Primitive(
    "cholesky",
    lapack_kernel("cholesky", "x", "symmetric positive-definite matrices", _cholesky),
    lambda x: ShapedArray(x.shape, x.dtype),
)
cholesky_p.defjvp(_cholesky_jvp).defvjp(_cholesky_vjp)
cholesky_p.defbatch(matrix_stack_rule(cholesky_p))


def cholesky(x: Any, /, *, upper: bool = False) -> Array:
    """The Cholesky factor of each symmetric (Hermitian) positive-definite matrix: lower
    triangular ``L`` with ``x = L @ L.mT`` (or upper ``U = L.mT`` with ``upper=True``).

    Reads the symmetric part ``(x + x.mT) / 2``; raises :class:`LinAlgError` when a matrix is
    not positive definite.

    Examples
    --------
    >>> nr.linalg.cholesky(nr.asarray([[4.0, 2.0], [2.0, 2.0]])).tolist()
    [[2.0, 0.0], [1.0, 1.0]]
    """
    x = as_matrices("cholesky", x, square=True)
    low = wrap(cholesky_p.impl(x._v)) if x.__class__ is Array else cholesky_p.bind(x)
    if not upper:
        return low
    if low.dtype.kind == "c":
        low = conj(low)
    return matrix_transpose(low)


def matrix_power(x: Any, n: int, /) -> Array:
    """Each square matrix raised to the integer power ``n`` (``n < 0`` inverts first, so
    integer matrices give the default float dtype; ``n = 0`` gives identities).

    Examples
    --------
    >>> nr.linalg.matrix_power(nr.asarray([[1, 1], [0, 1]]), 3).tolist()
    [[1, 3], [0, 1]]
    """
    x = to_array("matrix_power", "x", x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ShapeError(
            f"matrix_power: argument 'x' expected square matrices (shape (..., n, n)), got "
            f"shape {shape_of(x)}"
        )
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(
            f"matrix_power: argument 'n' expected an int, got {type(n).__name__}"
        ) from None
    if n < 0:
        x, n = inv(x), -n
    if n == 0:
        ident = eye(x.shape[-1], dtype=x.dtype, device=x.device)
        return broadcast_to(ident, shape_of(x))
    result = None
    while n:
        if n & 1:
            result = x if result is None else matmul(result, x)
        n >>= 1
        if n:
            x = matmul(x, x)
    return result


# -------------------------------------------------------------------------- cross


def _levi_civita() -> np.ndarray:
    eps = np.zeros((3, 3, 3))
    for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):
        eps[i, j, k], eps[i, k, j] = 1.0, -1.0
    return eps


def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Array:
    """The cross product of 3-vectors along ``axis`` (the other dimensions broadcast).

    ``axis`` counts from the end of each array, as in the array API.

    Examples
    --------
    >>> nr.linalg.cross(nr.asarray([1.0, 0.0, 0.0]), nr.asarray([0.0, 1.0, 0.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    a, b = promote_arrays("cross", x1, x2)
    nd = min(a.ndim, b.ndim)
    if nd == 0:
        raise ShapeError(
            f"cross: arguments expected at least 1 dimension each, got shapes {shape_of(a)} and "
            f"{shape_of(b)}"
        )
    back = normalize_axis("cross", axis, nd) - nd
    if a.shape[back] != 3 or b.shape[back] != 3:
        raise ShapeError(
            f"cross: arguments expected size 3 along axis {axis}, got shapes {shape_of(a)} and "
            f"{shape_of(b)}"
        )
    if back != -1:
        a, b = moveaxis(a, back, -1), moveaxis(b, back, -1)
    broadcast_shapes("cross", shape_of(a)[:-1], shape_of(b)[:-1])
    out = einsum("ijk,...j,...k->...i", constant_like(a, _levi_civita()), a, b)
    return out if back == -1 else moveaxis(out, -1, back)


# ------------------------------------------------------------------------ OpInfos


def sample_batch(rng: np.random.Generator) -> tuple[int, ...]:
    """No batch dimension or one of size 2 or 3."""
    return (int(rng.integers(2, 4)),) if rng.random() < 0.5 else ()


def sample_size(rng: np.random.Generator, low: int = 1, high: int = 4) -> int:
    """A matrix side in ``[low, high]``."""
    return int(rng.integers(low, high + 1))


def swap_last(a: np.ndarray) -> np.ndarray:
    """NumPy ``a`` with its last two axes swapped."""
    return np.swapaxes(a, -1, -2)


def invertible_sample(
    rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype
) -> np.ndarray:
    """Diagonally dominant (so well conditioned) square matrices."""
    n = shape[-1]
    return (rng.uniform(-0.5, 0.5, shape) + n * np.eye(n)).astype(dtype)


def spd_sample(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Symmetric positive-definite matrices with eigenvalues at least n."""
    a = rng.uniform(-1, 1, shape)
    return (a @ swap_last(a) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def orthonormal(rng: np.random.Generator, batch: tuple[int, ...], m: int, k: int) -> np.ndarray:
    """Random (m, k) matrices with orthonormal columns."""
    return np.linalg.qr(rng.standard_normal((*batch, m, k)))[0]


def symmetric_sample(
    rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype
) -> np.ndarray:
    """Symmetric matrices with eigenvalues at least 0.6 apart."""
    *batch, n, _ = shape
    q = orthonormal(rng, tuple(batch), n, n)
    w = np.arange(n) - n / 2 + rng.uniform(-0.2, 0.2, (*batch, n))
    return ((q * w[..., None, :]) @ swap_last(q)).astype(dtype)


def distinct_singular_values(
    rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype
) -> np.ndarray:
    """Matrices with singular values in [1.3, k + 0.7], at least 0.6 apart."""
    *batch, m, n = shape
    k = min(m, n)
    u = orthonormal(rng, tuple(batch), m, k)
    v = orthonormal(rng, tuple(batch), n, k)
    s = np.arange(k, 0, -1) + 0.5 + rng.uniform(-0.2, 0.2, (*batch, k))
    return ((u * s[..., None, :]) @ swap_last(v)).astype(dtype)


def square_samples(make: Callable[..., np.ndarray]) -> Callable[..., list[Sample]]:
    """Samples of one stack of square matrices built by ``make(rng, shape, dtype)``."""

    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        return [
            Sample((make(rng, (*sample_batch(rng), n, n), dtype),))
            for n in (1, sample_size(rng, 2))
        ]

    return samples


def _solve_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    n, k = sample_size(rng), sample_size(rng)
    b = (int(rng.integers(2, 4)),)
    return [
        Sample((invertible_sample(rng, (n, n), dtype), rand(rng, (n,), dtype))),
        Sample((invertible_sample(rng, (*b, n, n), dtype), rand(rng, (n,), dtype))),
        Sample((invertible_sample(rng, (n, n), dtype), rand(rng, (*b, n, k), dtype))),
        Sample((invertible_sample(rng, (*b, n, n), dtype), rand(rng, (1, n, k), dtype))),
    ]


def _det_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    n = sample_size(rng)
    x = invertible_sample(rng, (*sample_batch(rng), n, n), dtype)
    flipped = x.copy()
    flipped[..., 0, :] *= -1
    return [Sample((x,)), Sample((flipped,))]


def _cholesky_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    n = sample_size(rng)
    x = spd_sample(rng, (*sample_batch(rng), n, n), dtype)
    return [Sample((x,)), Sample((x,), {"upper": True})]


def _np_cholesky(x: np.ndarray, upper: bool = False) -> np.ndarray:
    return np.linalg.cholesky(x, upper=upper)


def _diagonal_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    x = rand(rng, (*sample_batch(rng), sample_size(rng), sample_size(rng)), dtype)
    return [Sample((x,)), Sample((x,), {"offset": 1}), Sample((x,), {"offset": -1})]


def _np_diagonal(x: np.ndarray, offset: int = 0) -> np.ndarray:
    return np.linalg.diagonal(x, offset=offset)


def _np_trace(x: np.ndarray, offset: int = 0) -> np.ndarray:
    return np.linalg.trace(x, offset=offset)


def _power_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    n = sample_size(rng)
    x = invertible_sample(rng, (*sample_batch(rng), n, n), dtype) / n
    return [Sample((x, p)) for p in (0, 1, 2, 3, 5, -1, -2)]


def _cross_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    return [
        Sample((rand(rng, (3,), dtype), rand(rng, (3,), dtype))),
        Sample((rand(rng, (*sample_batch(rng), 3), dtype), rand(rng, (2, 1, 3), dtype))),
        Sample((rand(rng, (3, 2), dtype), rand(rng, (3, 2), dtype)), {"axis": -2}),
    ]


def _np_cross(x1: np.ndarray, x2: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.linalg.cross(x1, x2, axis=axis)


_INTS = (dtypes.float32, dtypes.float64, dtypes.int32)


register(
    OpInfo("linalg.inv", inv, np.linalg.inv, ("inv",), square_samples(invertible_sample)),
    OpInfo("linalg.solve", solve, np.linalg.solve, ("solve",), _solve_samples),
    OpInfo("linalg.det", det, np.linalg.det, ("det",), _det_samples),
    OpInfo("linalg.slogdet", slogdet, np.linalg.slogdet, ("slogdet",), _det_samples),
    OpInfo("linalg.cholesky", cholesky, _np_cholesky, ("cholesky",), _cholesky_samples),
    OpInfo(
        "linalg.diagonal", diagonal, _np_diagonal, ("diagonal",), _diagonal_samples, dtypes=_INTS
    ),
    OpInfo(
        "linalg.trace",
        trace,
        _np_trace,
        ("diagonal", "reduce_sum"),
        _diagonal_samples,
        dtypes=_INTS,
    ),
    OpInfo(
        "linalg.matrix_power",
        matrix_power,
        np.linalg.matrix_power,
        ("matmul",),
        _power_samples,
        rtol=1e-4,
    ),
    OpInfo("linalg.cross", cross, _np_cross, ("einsum",), _cross_samples, dtypes=_INTS),
)
