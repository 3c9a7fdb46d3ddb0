"""``TransformerEncoderLayer`` and ``TransformerEncoder`` with PyTorch's parameter names
(``layers.0.self_attn.in_proj_weight``, ``layers.0.linear1.weight``, ``layers.0.norm1.weight``,
...), so PyTorch state dicts load unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import neurarust as nr

from ..core.array import Array
from ..core.errors import InvalidArgumentError
from . import init
from .activations import gelu, relu
from .attention import MultiheadAttention
from .dropout import Dropout
from .errors import MissingKeyError
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]

_ACTIVATIONS: dict[str, Callable[[Any], Array]] = {"relu": relu, "gelu": gelu}


def _split_key(name: str, key: Any, count: int, dropout: float, training: bool) -> list[Any]:
    """``count`` keys from ``key`` (Nones when no dropout will run); a clear error when dropout
    needs a key that is missing."""
    if not training or dropout == 0:
        return [None] * count
    if key is None:
        raise MissingKeyError(
            f"dropout={dropout} in training mode needs a random key: call it with key=... "
            f"(nr.random.key(seed), a split key or an int), or use model.eval() for inference"
        )
    return list(nr.random.split(init.as_key(key, name), count))


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block, each with a residual connection and a
    LayerNorm (after the residual by default, before the block with ``norm_first=True``).

    Called as ``layer(src, src_mask=None, src_key_padding_mask=None, is_causal=False, *,
    key=None)``; ``src`` is ``(S, N, E)`` (``(N, S, E)`` with ``batch_first``, ``(S, E)``
    unbatched); masks as in :class:`MultiheadAttention`. In training mode with
    ``dropout > 0`` it needs ``key=``.

    Examples
    --------
    >>> layer = nr.nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True, key=0)
    >>> layer.eval()(nr.ones((2, 5, 16))).shape
    (2, 5, 16)
    """

    self_attn: MultiheadAttention
    linear1: Linear
    dropout: Dropout
    linear2: Linear
    norm_first: bool
    norm1: LayerNorm
    norm2: LayerNorm
    dropout1: Dropout
    dropout2: Dropout
    activation: Any

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Any], Any] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise InvalidArgumentError(
                    f"TransformerEncoderLayer: argument 'activation' expected 'relu', 'gelu' "
                    f"or a callable, got {activation!r}"
                )
            activation = _ACTIVATIONS[activation]
        elif not callable(activation):
            raise InvalidArgumentError(
                f"TransformerEncoderLayer: argument 'activation' expected 'relu', 'gelu' or a "
                f"callable, got {type(activation).__name__}"
            )
        k_attn, k1, k2 = nr.random.split(init.as_key(key, "TransformerEncoderLayer"), 3)
        factory = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout, bias, batch_first=batch_first, **factory, key=k_attn
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias, **factory, key=k1)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias, **factory, key=k2)
        self.norm_first = bool(norm_first)
        self.norm1 = LayerNorm(d_model, layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = activation

    def _self_attention(
        self, x: Array, mask: Any, padding: Any, is_causal: bool, keys: list[Any]
    ) -> Array:
        out = self.self_attn(
            x,
            x,
            x,
            key_padding_mask=padding,
            need_weights=False,
            attn_mask=mask,
            is_causal=is_causal,
            dropout_key=keys[0],
        )[0]
        return self.dropout1(out, key=keys[1])

    def _feed_forward(self, x: Array, keys: list[Any]) -> Array:
        hidden = self.dropout(self.activation(self.linear1(x)), key=keys[2])
        return self.dropout2(self.linear2(hidden), key=keys[3])

    def __call__(
        self,
        src: Any,
        src_mask: Any = None,
        src_key_padding_mask: Any = None,
        is_causal: bool = False,
        *,
        key: Any = None,
    ) -> Array:
        x = nr.asarray(src)
        keys = _split_key(type(self).__name__, key, 4, self.dropout.p, self.training)
        if self.norm_first:
            x = x + self._self_attention(
                self.norm1(x), src_mask, src_key_padding_mask, is_causal, keys
            )
            return x + self._feed_forward(self.norm2(x), keys)
        x = self.norm1(x + self._self_attention(x, src_mask, src_key_padding_mask, is_causal, keys))
        return self.norm2(x + self._feed_forward(x, keys))


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` applied in turn, then ``norm`` (optional).

    As in PyTorch, every layer starts from the same weights (copies of ``encoder_layer``);
    they are separate leaves, so training moves them apart. Called as
    ``encoder(src, mask=None, src_key_padding_mask=None, is_causal=None, *, key=None)``;
    ``key`` is split among the layers. ``enable_nested_tensor`` and ``mask_check`` are
    accepted for PyTorch code and have no effect.

    Examples
    --------
    >>> layer = nr.nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, key=0)
    >>> encoder = nr.nn.TransformerEncoder(layer, num_layers=2)
    >>> [n for n, _ in nr.nn.named_parameters(encoder)][:2]
    ['layers.0.self_attn.in_proj_weight', 'layers.0.self_attn.in_proj_bias']
    """

    layers: list[TransformerEncoderLayer]
    num_layers: int
    norm: Module | None

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        if not isinstance(num_layers, int) or isinstance(num_layers, bool) or num_layers < 1:
            raise InvalidArgumentError(
                f"TransformerEncoder: argument 'num_layers' expected a positive int, got "
                f"{num_layers!r}"
            )
        self.layers = [encoder_layer] * num_layers
        self.num_layers = num_layers
        self.norm = norm

    def __call__(
        self,
        src: Any,
        mask: Any = None,
        src_key_padding_mask: Any = None,
        is_causal: bool | None = None,
        *,
        key: Any = None,
    ) -> Array:
        keys = (
            [None] * self.num_layers
            if key is None
            else list(nr.random.split(init.as_key(key, "TransformerEncoder"), self.num_layers))
        )
        x = nr.asarray(src)
        for layer, k in zip(self.layers, keys, strict=True):
            x = layer(x, mask, src_key_padding_mask, bool(is_causal), key=k)
        return x if self.norm is None else self.norm(x)
