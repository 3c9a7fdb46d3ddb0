"""``scaled_dot_product_attention``: ``softmax(q @ k.T * scale + mask) @ v``, PyTorch's
reference semantics (boolean masks keep ``True`` entries, float masks are added)."""

from __future__ import annotations

import math
from typing import Any

import neurarust as nr

from ..core.array import Array
from ..core.errors import ShapeError
from ..core.ops.arguments import device_of
from .activations import softmax
from .dropout import dropout

__all__ = ["scaled_dot_product_attention"]


def scaled_dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    *,
    dropout_key: Any = None,
) -> Array:
    """Attention of ``query`` ``(..., L, E)`` over ``key`` ``(..., S, E)`` and ``value``
    ``(..., S, Ev)``, giving ``(..., L, Ev)``.

    ``attn_mask`` (broadcast to ``(..., L, S)``) is boolean (``True`` takes part) or a float
    bias; ``is_causal`` masks positions after the query's. ``dropout_p > 0`` drops attention
    weights and needs ``dropout_key`` (the name ``key`` is PyTorch's for the keys).
    ``scale`` defaults to ``1 / sqrt(E)``. A query row with every position masked gives NaN,
    as in PyTorch.

    Examples
    --------
    >>> q = nr.ones((2, 4, 8))
    >>> nr.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True).shape
    (2, 4, 8)
    """
    q, k, v = nr.asarray(query), nr.asarray(key), nr.asarray(value)
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2 or q.shape[-1] != k.shape[-1]:
        raise ShapeError(
            f"scaled_dot_product_attention: expected query (..., L, E), key (..., S, E) and "
            f"value (..., S, Ev), got {tuple(q.shape)}, {tuple(k.shape)} and {tuple(v.shape)}"
        )
    if k.shape[-2] != v.shape[-2]:
        raise ShapeError(
            f"scaled_dot_product_attention: arguments 'key' and 'value' expected the same "
            f"sequence length S, got {tuple(k.shape)} and {tuple(v.shape)}"
        )
    if is_causal and attn_mask is not None:
        raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal, not both")
    length, source = q.shape[-2], k.shape[-2]
    factor = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = nr.matmul(q, k.mT) * factor
    if is_causal:
        attn_mask = nr.tril(nr.ones((length, source), dtype=nr.bool, device=device_of(q)))
    if attn_mask is not None:
        mask = nr.asarray(attn_mask)
        if mask.dtype == nr.bool:
            scores = nr.where(mask, scores, nr.full_like(scores, -math.inf))
        else:
            scores = scores + mask
    weights = softmax(scores, -1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, key=dropout_key)
    return nr.matmul(weights, v)
