"""``MultiheadAttention`` with PyTorch's parameters, masks and return values.

The parameters are PyTorch's: ``in_proj_weight`` ``(3E, E)`` and ``in_proj_bias`` ``(3E,)``
stacking the query, key and value projections (``q_proj_weight``, ``k_proj_weight``,
``v_proj_weight`` instead when ``kdim`` or ``vdim`` differ from ``embed_dim``), ``out_proj``
(a Linear), and ``bias_k``/``bias_v`` ``(1, 1, E)`` with ``add_bias_kv``. Masks follow
PyTorch's MultiheadAttention: in a boolean ``attn_mask`` or ``key_padding_mask`` ``True``
marks a position that may *not* be attended to (the opposite of
``scaled_dot_product_attention``); float masks are added to the attention scores.
"""

from __future__ import annotations

import math
from typing import Any

import neurarust as nr

from ..core.array import Array
from ..core.errors import InvalidArgumentError, ShapeError
from . import init
from .activations import softmax
from .dropout import dropout as _dropout
from .errors import MissingKeyError
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention"]


def _additive(mask: Any, dtype: Any, arg: str) -> Array:
    """A boolean mask (True = masked) as ``0 / -inf``; a float mask as it is."""
    mask = nr.asarray(mask)
    if mask.dtype == nr.bool:
        return nr.where(mask, nr.asarray(-math.inf, dtype=dtype), nr.asarray(0.0, dtype=dtype))
    if not nr.isdtype(mask.dtype, "real floating"):
        raise InvalidArgumentError(
            f"argument '{arg}' expected a bool or floating-point mask, got dtype {mask.dtype}"
        )
    return mask


def _pad_last(mask: Array | None) -> Array | None:
    """``mask`` with one more, unmasked position at the end of its last dimension."""
    if mask is None:
        return None
    return nr.concat([mask, nr.zeros((*mask.shape[:-1], 1), dtype=mask.dtype)], axis=-1)


class MultiheadAttention(Module):
    """Attention from ``num_heads`` heads of size ``embed_dim // num_heads`` in parallel.

    Called as ``mha(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False, *, dropout_key=None)``
    with ``query`` ``(L, N, E)``, ``key`` ``(S, N, kdim)``, ``value`` ``(S, N, vdim)``
    (batch first with ``batch_first=True``; without the batch dimension for unbatched
    inputs). Returns ``(output, weights)``: ``output`` shaped like ``query``, ``weights``
    ``(N, L, S)`` averaged over heads (``(N, num_heads, L, S)`` with
    ``average_attn_weights=False``) or None when ``need_weights=False``.

    ``key_padding_mask`` is ``(N, S)``; ``attn_mask`` is ``(L, S)`` or
    ``(N * num_heads, L, S)``. ``is_causal=True`` without ``attn_mask`` applies the causal
    mask (PyTorch requires the mask itself; here it is built for you); with ``attn_mask`` it
    is a hint and the mask is used. The ``add_bias_kv`` / ``add_zero_attn`` positions are
    never masked (PyTorch masks them too when it passes ``is_causal`` on to its fused kernel,
    with ``need_weights=False`` and no ``key_padding_mask``). In training mode with
    ``dropout > 0`` the attention weights are dropped, which needs ``dropout_key=`` (``key``
    is the keys' name).

    Examples
    --------
    >>> mha = nr.nn.MultiheadAttention(16, 4, batch_first=True, key=0)
    >>> x = nr.ones((2, 5, 16))
    >>> out, weights = mha(x, x, x)
    >>> out.shape, weights.shape
    ((2, 5, 16), (2, 5, 5))
    """

    embed_dim: int
    kdim: int
    vdim: int
    num_heads: int
    dropout: float
    batch_first: bool
    add_zero_attn: bool
    in_proj_weight: Array | None
    q_proj_weight: Array | None
    k_proj_weight: Array | None
    v_proj_weight: Array | None
    in_proj_bias: Array | None
    bias_k: Array | None
    bias_v: Array | None
    out_proj: Linear

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        if not isinstance(num_heads, int) or num_heads <= 0 or embed_dim % num_heads:
            raise InvalidArgumentError(
                f"MultiheadAttention: argument 'num_heads' expected a positive divisor of "
                f"embed_dim={embed_dim}, got {num_heads!r}"
            )
        if not 0 <= dropout <= 1:
            raise InvalidArgumentError(
                f"MultiheadAttention: argument 'dropout' expected a probability in [0, 1], "
                f"got {dropout!r}"
            )
        dtype = nr.float32 if dtype is None else dtype
        k_in, k_out, k_bk, k_bv = nr.random.split(init.as_key(key, "MultiheadAttention"), 4)
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self.num_heads = num_heads
        self.dropout = float(dropout)
        self.batch_first = bool(batch_first)
        self.add_zero_attn = bool(add_zero_attn)
        e = embed_dim

        def param(k: Any, shape: tuple[int, ...], fn: Any) -> Array:
            return nr.asarray(fn(k, shape, dtype=dtype), device=device)

        self.in_proj_weight = self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        if self.kdim == e and self.vdim == e:
            self.in_proj_weight = param(k_in, (3 * e, e), init.xavier_uniform)
        else:
            kq, kk, kv = nr.random.split(k_in, 3)
            self.q_proj_weight = param(kq, (e, e), init.xavier_uniform)
            self.k_proj_weight = param(kk, (e, self.kdim), init.xavier_uniform)
            self.v_proj_weight = param(kv, (e, self.vdim), init.xavier_uniform)
        self.in_proj_bias = param(None, (3 * e,), init.zeros) if bias else None
        self.bias_k = param(k_bk, (1, 1, e), init.xavier_normal) if add_bias_kv else None
        self.bias_v = param(k_bv, (1, 1, e), init.xavier_normal) if add_bias_kv else None
        out_proj = Linear(e, e, bias=bias, device=device, dtype=dtype, key=k_out)
        self.out_proj = (
            out_proj if not bias else out_proj.replace(bias=nr.zeros_like(out_proj.bias))
        )

    @property
    def head_dim(self) -> int:
        """``embed_dim // num_heads``."""
        return self.embed_dim // self.num_heads

    def _check(self, arg: str, x: Array, width: int, batched: bool) -> None:
        layout = ("(N, L, E)" if self.batch_first else "(L, N, E)") if batched else "(L, E)"
        if x.ndim != (3 if batched else 2) or x.shape[-1] != width:
            raise ShapeError(
                f"argument '{arg}' expected shape {layout} with E = {width} (like the query, "
                f"which has {'3' if batched else '2'} dimensions), got {tuple(x.shape)}"
            )

    def _project(self, q: Array, k: Array, v: Array, self_attention: bool) -> tuple[Array, ...]:
        """The query, key and value projections of 2-D ``(rows, features)`` inputs."""
        e, w, b = self.embed_dim, self.in_proj_weight, self.in_proj_bias
        if w is not None and self_attention:
            qkv = nr.matmul(q, w.T)
            return tuple(nr.split(qkv if b is None else qkv + b, e, axis=-1))
        if w is None:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        else:
            weights = (w[:e], w[e : 2 * e], w[2 * e :])
        biases = (None, None, None) if b is None else (b[:e], b[e : 2 * e], b[2 * e :])
        out = []
        for x, weight, bias in zip((q, k, v), weights, biases, strict=True):
            y = nr.matmul(x, weight.T)
            out.append(y if bias is None else y + bias)
        return tuple(out)

    def _mask(
        self,
        attn_mask: Any,
        key_padding_mask: Any,
        is_causal: bool,
        shape: tuple[int, int, int, int],
        dtype: Any,
        batched: bool,
    ) -> Array | None:
        """The additive mask, broadcastable to ``(N, H, L, S)`` (before bias_kv/zero_attn)."""
        n, heads, length, source = shape
        mask = None
        if attn_mask is None and is_causal:
            attn_mask = nr.triu(nr.ones((length, source), dtype=nr.bool), k=1)
        if attn_mask is not None:
            m = _additive(attn_mask, dtype, "attn_mask")
            full = (n * heads, length, source) if batched else (heads, length, source)
            if tuple(m.shape) not in ((length, source), full):
                raise ShapeError(
                    f"argument 'attn_mask' expected shape {(length, source)} or {full} "
                    f"(L={length}, S={source}, num_heads={heads}), got {tuple(m.shape)}"
                )
            mask = m if m.ndim == 2 else nr.reshape(m, (n, heads, length, source))
        if key_padding_mask is not None:
            m = _additive(key_padding_mask, dtype, "key_padding_mask")
            expected = (n, source) if batched else (source,)
            if tuple(m.shape) != expected:
                raise ShapeError(
                    f"argument 'key_padding_mask' expected shape {expected} (N={n}, "
                    f"S={source}), got {tuple(m.shape)}"
                )
            m = nr.reshape(m, (n, 1, 1, source))
            mask = m if mask is None else mask + m
        return mask

    def __call__(
        self,
        query: Any,
        key: Any,
        value: Any,
        key_padding_mask: Any = None,
        need_weights: bool = True,
        attn_mask: Any = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
        *,
        dropout_key: Any = None,
    ) -> tuple[Array, Array | None]:
        self_attention = query is key and key is value
        q, k, v = nr.asarray(query), nr.asarray(key), nr.asarray(value)
        batched = q.ndim == 3
        self._check("query", q, self.embed_dim, batched)
        self._check("key", k, self.kdim, batched)
        self._check("value", v, self.vdim, batched)
        if k.shape[:-1] != v.shape[:-1]:
            raise ShapeError(
                f"arguments 'key' and 'value' expected the same sequence and batch sizes, got "
                f"{tuple(k.shape)} and {tuple(v.shape)}"
            )
        drop = self.training and self.dropout > 0
        if drop and dropout_key is None:
            raise MissingKeyError(
                f"dropout={self.dropout} on the attention weights in training mode needs a "
                "random key: call it with dropout_key=... (nr.random.key(seed), a split key or "
                "an int), or use model.eval() for inference"
            )
        if not batched:
            q, k, v = (nr.expand_dims(t, 0) for t in (q, k, v))
        elif not self.batch_first:
            q, k, v = (nr.swapaxes(t, 0, 1) for t in (q, k, v))
        if q.shape[0] != k.shape[0]:
            raise ShapeError(
                f"arguments 'query' and 'key' expected the same batch size, got "
                f"{tuple(query.shape)} and {tuple(key.shape)}"
            )
        n, length, source, heads = q.shape[0], q.shape[1], k.shape[1], self.num_heads
        flat = (nr.reshape(t, (-1, t.shape[-1])) for t in (q, k, v))
        q, k, v = self._project(*flat, self_attention)
        dtype = q.dtype
        mask = self._mask(
            attn_mask, key_padding_mask, is_causal, (n, heads, length, source), dtype, batched
        )
        q = nr.reshape(q, (n, length, self.embed_dim))
        k = nr.reshape(k, (n, source, self.embed_dim))
        v = nr.reshape(v, (n, source, self.embed_dim))
        if self.bias_k is not None:
            k = nr.concat([k, nr.broadcast_to(self.bias_k, (n, 1, self.embed_dim))], axis=1)
            v = nr.concat([v, nr.broadcast_to(self.bias_v, (n, 1, self.embed_dim))], axis=1)
            mask = _pad_last(mask)
        q, k, v = (
            nr.permute_dims(nr.reshape(t, (n, t.shape[1], heads, self.head_dim)), (0, 2, 1, 3))
            for t in (q, k, v)
        )
        if self.add_zero_attn:
            zeros = nr.zeros((n, heads, 1, self.head_dim), dtype=dtype)
            k, v = nr.concat([k, zeros], axis=2), nr.concat([v, zeros], axis=2)
            mask = _pad_last(mask)
        scores = nr.matmul(q * (1 / math.sqrt(self.head_dim)), k.mT)
        if mask is not None:
            scores = scores + mask
        weights = softmax(scores, -1)
        if drop:
            weights = _dropout(weights, self.dropout, key=dropout_key)
        out = nr.permute_dims(nr.matmul(weights, v), (0, 2, 1, 3))
        out = nr.reshape(
            self.out_proj(nr.reshape(out, (n * length, self.embed_dim))),
            (n, length, self.embed_dim),
        )
        if not batched:
            out = out[0]
        elif not self.batch_first:
            out = nr.swapaxes(out, 0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = nr.mean(weights, axis=1)
        return out, weights if batched else weights[0]
