"""The ``nr.linalg`` extension, part three: ``vector_norm``, ``matrix_norm`` and ``norm``.

Norms are compositions of differentiable ops; the Euclidean norm is written so that its
derivative at the zero vector is 0 (a subgradient, as in PyTorch) rather than NaN.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import namespace
from ..errors import ShapeError
from ..opinfo import OpInfo, Sample, register
from . import elementwise, reduction
from .arguments import astype, normalize_axes, normalize_axis, to_array
from .elementwise import conj, greater, real, sqrt, where
from .linalg import matmul
from .linalg_ext import (
    as_matrices,
    constant_like,
    distinct_singular_values,
    real_dtype,
    sample_batch,
    sample_size,
    shape_of,
)
from .linalg_spectral import svdvals
from .shape import permute_dims, reshape

_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def _abs_squared(x: Array) -> Array:
    """``|x|^2`` elementwise, real for complex ``x``."""
    return x * x if x.dtype.kind != "c" else real(x * conj(x))


def _euclidean(x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
    """``sqrt(sum(|x|^2))`` whose derivative at 0 is 0 (not NaN)."""
    if x.__class__ is Array and x.dtype.kind == "f":
        xp = namespace(x._v)
        return wrap(xp.sqrt(xp.sum(x._v * x._v, axis=axes, keepdims=keepdims)))
    s = reduction.sum(_abs_squared(x), axis=axes, keepdims=keepdims)
    positive = greater(s, 0)
    return where(positive, sqrt(where(positive, s, 1.0)), 0.0)


def vector_norm(
    x: Any,
    /,
    *,
    axis: Any = None,
    keepdims: bool = False,
    ord: float = 2,  # noqa: A002 - the array API / NumPy name
) -> Array:
    """The vector ``ord``-norm of ``x`` over ``axis`` (all axes when None).

    ``ord`` may be any real number: 2 (Euclidean), 1, ``inf`` (max of ``|x|``), ``-inf``
    (min), 0 (number of non-zeros), or ``p`` for ``sum(|x|**p) ** (1/p)``. The derivative of
    the 2-norm at the zero vector is 0 (a subgradient), as in PyTorch.

    Examples
    --------
    >>> float(nr.linalg.vector_norm(nr.asarray([3.0, 4.0])))
    5.0
    """
    x = to_array("vector_norm", "x", x)
    if not dtypes.is_inexact(x.dtype):
        x = astype(x, dtypes.default_float)
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise ValueError(
            f"vector_norm: argument 'ord' expected a real number (2, 1, inf, -inf, 0, p), "
            f"got {ord!r}"
        )
    axes = normalize_axes("vector_norm", axis, x.ndim)
    if ord == 2:
        return _euclidean(x, axes, keepdims)
    real = real_dtype(x.dtype)
    if ord == 0:
        return reduction.sum(astype(x != 0, real), axis=axes, keepdims=keepdims)
    size = elementwise.abs(x)
    if ord == 1:
        return reduction.sum(size, axis=axes, keepdims=keepdims)
    if ord == math.inf:
        return reduction.max(size, axis=axes, keepdims=keepdims)
    if ord == -math.inf:
        return reduction.min(size, axis=axes, keepdims=keepdims)
    return reduction.sum(size**ord, axis=axes, keepdims=keepdims) ** (1.0 / ord)


def _select(s: Array, index: int) -> Array:
    """``s[..., index]`` as a product with a one-hot vector."""
    one_hot = np.zeros(s.shape[-1])
    one_hot[index] = 1.0
    return matmul(s, constant_like(s, one_hot))


def matrix_norm(
    x: Any,
    /,
    *,
    keepdims: bool = False,
    ord: Any = "fro",  # noqa: A002 - the array API / NumPy name
) -> Array:
    """The matrix ``ord``-norm of each matrix in ``x``.

    ``ord``: ``"fro"`` (Frobenius), ``"nuc"`` (sum of singular values), 2 / -2 (largest /
    smallest singular value), 1 / -1 (max / min column sum of ``|x|``), ``inf`` / ``-inf``
    (max / min row sum). With ``keepdims`` the two matrix dimensions stay as size 1.
    """
    x = as_matrices("matrix_norm", x)
    if isinstance(ord, bool) or ord not in _MATRIX_ORDS:
        raise ValueError(
            f"matrix_norm: argument 'ord' expected one of 'fro', 'nuc', 1, -1, 2, -2, inf, -inf, "
            f"got {ord!r}"
        )
    if ord == "fro":
        return _euclidean(x, (x.ndim - 2, x.ndim - 1), keepdims)
    if ord in ("nuc", 2, -2):
        s = svdvals(x)
        out = reduction.sum(s, axis=-1) if ord == "nuc" else _select(s, 0 if ord == 2 else -1)
    else:
        rows = ord in (math.inf, -math.inf)
        sums = reduction.sum(elementwise.abs(x), axis=-1 if rows else -2)
        out = reduction.max(sums, axis=-1) if ord > 0 else reduction.min(sums, axis=-1)
    return reshape(out, (*out.shape, 1, 1)) if keepdims else out


def norm(
    x: Any,
    /,
    ord: Any = None,  # noqa: A002 - the array API / NumPy name
    axis: Any = None,
    keepdims: bool = False,
) -> Array:
    """A vector or matrix norm, as ``numpy.linalg.norm`` and ``torch.linalg.norm``.

    With ``axis=None``: the 2-norm of all elements when ``ord`` is None; otherwise ``x`` must
    be 1-D (a vector norm) or 2-D (a matrix norm). An int ``axis`` gives vector norms, a pair
    of axes matrix norms (Frobenius when ``ord`` is None).

    Examples
    --------
    >>> float(nr.linalg.norm(nr.asarray([[3.0, 0.0], [0.0, 4.0]])))
    5.0
    """
    x = to_array("norm", "x", x)
    if axis is None:
        if ord is None:
            return vector_norm(x, keepdims=keepdims)
        if x.ndim not in (1, 2):
            raise ShapeError(
                f"norm: argument 'x' expected 1 or 2 dimensions when 'ord' is given without "
                f"'axis', got shape {shape_of(x)}"
            )
        axis = tuple(range(x.ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if len(axes) == 1:
        return vector_norm(x, axis=axes, keepdims=keepdims, ord=2 if ord is None else ord)
    if len(axes) != 2:
        raise ShapeError(f"norm: argument 'axis' expected one or two axes, got {axis!r}")
    r, c = (normalize_axis("norm", a, x.ndim, "axis") for a in axes)
    if r == c:
        raise ShapeError(f"norm: argument 'axis' expected two different axes, got {axis!r}")
    rest = [k for k in range(x.ndim) if k not in (r, c)]
    out = matrix_norm(permute_dims(x, (*rest, r, c)), ord="fro" if ord is None else ord)
    if not keepdims:
        return out
    return reshape(out, tuple(1 if k in (r, c) else d for k, d in enumerate(x.shape)))


# ------------------------------------------------------------------------ OpInfos


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    return (rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)).astype(dtype)


def _vector_norm_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    x = _away_from_zero(rng, (*sample_batch(rng), sample_size(rng), sample_size(rng)), dtype)
    return [
        Sample((x,)),
        Sample((x,), {"axis": -1, "keepdims": True}),
        Sample((x,), {"axis": (0, -1), "ord": 1}),
        Sample((x,), {"axis": -2, "ord": math.inf}),
        Sample((x,), {"ord": -math.inf}),
        Sample((x,), {"axis": -1, "ord": 3}),
        Sample((x,), {"axis": -1, "ord": 0.5}),
        Sample((x,), {"ord": 0}),
    ]


def _np_vector_norm(
    x: np.ndarray,
    axis: Any = None,
    keepdims: bool = False,
    ord: Any = 2,  # noqa: A002 - the array API / NumPy name
) -> Any:
    return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)


def _matrix_norm_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    x = distinct_singular_values(
        rng, (*sample_batch(rng), sample_size(rng, 2), sample_size(rng, 2)), dtype
    )
    return [Sample((x,), {"ord": o}) for o in _MATRIX_ORDS] + [Sample((x,), {"keepdims": True})]


def _np_matrix_norm(
    x: np.ndarray,
    keepdims: bool = False,
    ord: Any = "fro",  # noqa: A002 - the array API / NumPy name
) -> Any:
    return np.linalg.matrix_norm(x, keepdims=keepdims, ord=ord)


def _norm_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    v = _away_from_zero(rng, (sample_size(rng, 2),), dtype)
    m = distinct_singular_values(rng, (sample_size(rng, 2), sample_size(rng, 2)), dtype)
    t = _away_from_zero(rng, (2, 3, 2), dtype)
    stacked = np.transpose(distinct_singular_values(rng, (3, 2, 2), dtype), (2, 0, 1))
    return [
        Sample((v,)),
        Sample((v, 1)),
        Sample((m,)),
        Sample((m, "nuc")),
        Sample((m, math.inf)),
        Sample((t,)),
        Sample((t,), {"axis": 1, "keepdims": True}),
        Sample((t, None, (0, 2))),
        Sample((stacked, 2, (2, 0), True)),
    ]


def _np_norm(
    x: np.ndarray,
    ord: Any = None,  # noqa: A002 - the array API / NumPy name
    axis: Any = None,
    keepdims: bool = False,
) -> Any:
    return np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


register(
    OpInfo(
        "linalg.vector_norm",
        vector_norm,
        _np_vector_norm,
        ("reduce_sum",),
        _vector_norm_samples,
    ),
    OpInfo("linalg.matrix_norm", matrix_norm, _np_matrix_norm, ("svdvals",), _matrix_norm_samples),
    OpInfo("linalg.norm", norm, _np_norm, ("reduce_sum",), _norm_samples),
)
