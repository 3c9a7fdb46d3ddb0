"""Distances and normalisation along an axis: ``cosine_similarity``, ``pairwise_distance``,
``normalize`` (PyTorch's formulas and epsilons)."""

from __future__ import annotations

import math
from typing import Any

import neurarust as nr

from ..core.array import Array

__all__ = ["cosine_similarity", "pairwise_distance", "normalize"]


def vector_norm(x: Array, p: float, axis: int, keepdims: bool = False) -> Array:
    """The ``p``-norm along ``axis``; its derivative at a zero vector is 0 (as in PyTorch)."""
    if p == math.inf:
        return nr.max(nr.abs(x), axis=axis, keepdims=keepdims)
    if p == 1:
        return nr.sum(nr.abs(x), axis=axis, keepdims=keepdims)
    total = nr.sum(x * x if p == 2 else nr.abs(x) ** p, axis=axis, keepdims=keepdims)
    positive = total > 0
    safe = nr.where(positive, total, nr.ones_like(total))
    root = nr.sqrt(safe) if p == 2 else safe ** (1.0 / p)
    return nr.where(positive, root, nr.zeros_like(total))


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Array:
    """``sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim`` (broadcasting).

    Examples
    --------
    >>> nr.nn.functional.cosine_similarity(nr.asarray([[1.0, 0.0]]), nr.asarray([[1.0, 1.0]]))
    Array([0.70710677], dtype=float32)
    """
    a, b = nr.broadcast_arrays(nr.asarray(x1), nr.asarray(x2))
    na = nr.maximum(vector_norm(a, 2, dim, keepdims=True), eps)
    nb = nr.maximum(vector_norm(b, 2, dim, keepdims=True), eps)
    return nr.sum((a / na) * (b / nb), axis=dim)


def pairwise_distance(
    x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Array:
    """``||x1 - x2 + eps||_p`` along the last dimension."""
    return vector_norm(nr.asarray(x1) - nr.asarray(x2) + eps, p, -1, keepdims=keepdim)


def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Array:  # noqa: A002
    """``input / max(||input||_p, eps)`` along ``dim``.

    Examples
    --------
    >>> nr.nn.functional.normalize(nr.asarray([[3.0, 4.0]]))
    Array([[0.6, 0.8]], dtype=float32)
    """
    x = nr.asarray(input)
    return x / nr.maximum(vector_norm(x, p, dim, keepdims=True), eps)
