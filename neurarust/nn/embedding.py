"""Embedding lookup tables (function and layer) and PyTorch's ``one_hot``."""

from __future__ import annotations

from typing import Any

import numpy as np

import neurarust as nr

from ..core.array import Array
from ..core.errors import DTypeError, ShapeError
from . import init
from .distance import vector_norm
from .module import Module

__all__ = ["embedding", "one_hot", "Embedding"]


def one_hot(tensor: Any, num_classes: int = -1) -> Array:
    """PyTorch's ``F.one_hot``: an int64 array with a new last axis of size ``num_classes``
    (``-1``: one more than the largest value)."""
    return nr.one_hot(tensor, num_classes, dtype=nr.int64)


def embedding(
    input: Any,  # noqa: A002
    weight: Any,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
) -> Array:
    """Rows of ``weight`` picked by the integer ``input``: shape ``input.shape + (dim,)``.

    Rows at ``padding_idx`` get no gradient. With ``max_norm``, rows whose ``norm_type``-norm
    exceeds it are scaled down to norm ``max_norm`` (the scale is a constant for
    differentiation, as PyTorch's in-place renorm; ``weight`` itself is not changed).

    Examples
    --------
    >>> table = nr.asarray([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
    >>> nr.nn.functional.embedding(nr.asarray([2, 1]), table)
    Array([[3., 4.],
           [1., 2.]], dtype=float32)
    """
    idx, w = nr.asarray(input), nr.asarray(weight)
    if idx.dtype.kind not in "iu":
        raise DTypeError(f"embedding: argument 'input' expected integer indices, got {idx.dtype}")
    if w.ndim != 2:
        raise ShapeError(
            f"embedding: argument 'weight' expected shape (num_embeddings, embedding_dim), got "
            f"{tuple(w.shape)}"
        )
    rows = nr.take(w, idx, axis=0)
    if max_norm is not None:
        norms = vector_norm(nr.stop_gradient(rows), norm_type, -1, keepdims=True)
        scale = nr.where(norms > max_norm, max_norm / (norms + 1e-7), nr.ones_like(norms))
        rows = rows * scale
    if padding_idx is not None:
        padding_idx = padding_idx % w.shape[0]
        rows = nr.where(nr.expand_dims(idx == padding_idx, axis=-1), nr.stop_gradient(rows), rows)
    return rows


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, drawn from N(0, 1).

    The row at ``padding_idx`` starts at zero and gets no gradient.

    Examples
    --------
    >>> emb = nr.nn.Embedding(10, 3, padding_idx=0, key=0)
    >>> emb(nr.asarray([[0, 4]])).shape
    (1, 2, 3)
    """

    num_embeddings: int
    embedding_dim: int
    padding_idx: int | None
    max_norm: float | None
    norm_type: float
    weight: Array

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be within [-{num_embeddings}, "
                    f"{num_embeddings}), got {padding_idx}"
                )
            padding_idx %= num_embeddings
        dtype = nr.float32 if dtype is None else dtype
        shape = (num_embeddings, embedding_dim)
        weight = np.array(init.normal(init.as_key(key, "Embedding"), shape, dtype=dtype))
        if padding_idx is not None:
            weight[padding_idx] = 0
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.weight = nr.asarray(weight, device=device)

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type)
