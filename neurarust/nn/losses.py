"""Loss functions with PyTorch's semantics (``reduction="mean"|"sum"|"none"``) and their
module forms. Log-probabilities come from log-sum-exp and logits never pass through ``log(0)``.

>>> logits = nr.asarray([[2.0, 0.5, -1.0]])
>>> loss = nr.nn.functional.cross_entropy(logits, nr.asarray([0]), label_smoothing=0.1)
"""

from __future__ import annotations

from typing import Any

import neurarust as nr

from ..core.array import Array
from ..core.errors import DTypeError, ShapeError
from .activations import log_softmax
from .module import Module, field

__all__ = [
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "MSELoss",
    "L1Loss",
    "SmoothL1Loss",
    "HuberLoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "KLDivLoss",
    "CosineEmbeddingLoss",
    "MarginRankingLoss",
]


def _check_reduction(op: str, reduction: str, extra: tuple[str, ...] = ()) -> None:
    allowed = ("mean", "sum", "none", *extra)
    if reduction not in allowed:
        raise ValueError(
            f"{op}: argument 'reduction' expected one of {', '.join(map(repr, allowed))}, "
            f"got {reduction!r}"
        )


def _reduce(loss: Array, reduction: str) -> Array:
    if reduction == "mean":
        return nr.mean(loss)
    return nr.sum(loss) if reduction == "sum" else loss


def _pair(op: str, input: Any, target: Any, reduction: str) -> tuple[Array, Array]:  # noqa: A002
    """Input and target as arrays of one shape (PyTorch deprecates broadcasting them)."""
    _check_reduction(op, reduction)
    x, t = nr.asarray(input), nr.asarray(target)
    if tuple(x.shape) != tuple(t.shape):
        raise ShapeError(
            f"{op}: arguments 'input' and 'target' expected the same shape, got "
            f"{tuple(x.shape)} and {tuple(t.shape)}"
        )
    return x, t


def _clamp_min0(z: Array) -> Array:
    """``max(z, 0)`` with PyTorch's ``clamp_min`` derivative (1 where ``z >= 0``)."""
    return nr.where(z >= 0, z, nr.zeros_like(z))


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Array:  # noqa: A002
    """Squared error ``(input - target)**2``.

    Examples
    --------
    >>> nr.nn.functional.mse_loss(nr.asarray([1.0, 2.0]), nr.asarray([1.0, 4.0]))
    Array(2., dtype=float32)
    """
    x, t = _pair("mse_loss", input, target, reduction)
    d = x - t
    return _reduce(d * d, reduction)


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Array:  # noqa: A002
    """Absolute error ``|input - target|``."""
    x, t = _pair("l1_loss", input, target, reduction)
    return _reduce(nr.abs(x - t), reduction)


def smooth_l1_loss(
    input: Any,  # noqa: A002
    target: Any,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Array:
    """``0.5 * d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta``."""
    x, t = _pair("smooth_l1_loss", input, target, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: argument 'beta' expected beta >= 0, got {beta}")
    z = nr.abs(x - t)
    if beta == 0:
        return _reduce(z, reduction)
    return _reduce(nr.where(z < beta, (0.5 / beta) * z * z, z - 0.5 * beta), reduction)


def huber_loss(
    input: Any,  # noqa: A002
    target: Any,
    reduction: str = "mean",
    delta: float = 1.0,
) -> Array:
    """``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``."""
    x, t = _pair("huber_loss", input, target, reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: argument 'delta' expected delta > 0, got {delta}")
    z = nr.abs(x - t)
    return _reduce(nr.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)), reduction)


def _class_axis(op: str, x: Array) -> int:
    if x.ndim == 0:
        raise ShapeError(f"{op}: argument 'input' expected shape (C,) or (N, C, *), got ()")
    return 0 if x.ndim == 1 else 1


def _class_weight(op: str, weight: Any, classes: int) -> Array | None:
    if weight is None:
        return None
    w = nr.asarray(weight)
    if tuple(w.shape) != (classes,):
        raise ShapeError(
            f"{op}: argument 'weight' expected shape ({classes},) (one weight per class), got "
            f"{tuple(w.shape)}"
        )
    return w


def _along_classes(w: Array, axis: int, ndim: int) -> Array:
    return nr.reshape(w, (-1,) + (1,) * (ndim - 1 - axis))


def nll_loss(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Array:
    """Negative log-likelihood of class indices ``target`` under log-probabilities ``input``
    of shape ``(N, C, *)`` (or ``(C,)``); ``"mean"`` divides by the total weight of the
    non-ignored targets."""
    _check_reduction("nll_loss", reduction)
    x, t = nr.asarray(input), nr.asarray(target)
    axis = _class_axis("nll_loss", x)
    if t.dtype.kind not in "iu":
        raise DTypeError(
            f"nll_loss: argument 'target' expected integer class indices, got {t.dtype}"
        )
    expected = tuple(x.shape[:axis]) + tuple(x.shape[axis + 1 :])
    if tuple(t.shape) != expected:
        raise ShapeError(
            f"nll_loss: argument 'target' expected shape {expected} for input of shape "
            f"{tuple(x.shape)}, got {tuple(t.shape)}"
        )
    w = _class_weight("nll_loss", weight, x.shape[axis])
    valid = t != ignore_index
    safe = nr.where(valid, t, nr.zeros_like(t))
    picked = nr.squeeze(
        nr.take_along_axis(x, nr.expand_dims(safe, axis=axis), axis=axis), axis=axis
    )
    weights = nr.ones_like(picked) if w is None else nr.take(w, safe, axis=0).astype(x.dtype)
    weights = nr.where(valid, weights, nr.zeros_like(weights))
    loss = nr.where(valid, -picked * weights, nr.zeros_like(picked))
    if reduction == "mean":
        return nr.sum(loss) / nr.sum(weights)
    return _reduce(loss, reduction)


def cross_entropy(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Array:
    """Cross entropy between logits ``input`` (``(N, C, *)`` or ``(C,)``) and ``target``:
    class indices (``(N, *)``, honouring ``ignore_index``) or class probabilities (the
    shape of ``input``). ``label_smoothing`` mixes the target with the uniform distribution.

    Examples
    --------
    >>> logits = nr.asarray([[1.0, 2.0, 3.0], [1.0, 0.0, 0.0]])
    >>> nr.nn.functional.cross_entropy(logits, nr.asarray([2, 0]), reduction="none")
    Array([0.40760612, 0.55144465], dtype=float32)
    """
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(
            f"cross_entropy: argument 'label_smoothing' expected a value in [0, 1], got "
            f"{label_smoothing}"
        )
    x, t = nr.asarray(input), nr.asarray(target)
    axis = _class_axis("cross_entropy", x)
    classes = x.shape[axis]
    logp = log_softmax(x, axis)
    w = _class_weight("cross_entropy", weight, classes)
    wc = None if w is None else _along_classes(w.astype(x.dtype), axis, x.ndim)
    if t.dtype.kind not in "iub":
        if tuple(t.shape) != tuple(x.shape):
            raise ShapeError(
                f"cross_entropy: argument 'target' expected class probabilities of the input's "
                f"shape {tuple(x.shape)} (or integer class indices), got {tuple(t.shape)}"
            )
        if label_smoothing > 0:
            t = t * (1 - label_smoothing) + label_smoothing / classes
        terms = logp * t if wc is None else logp * t * wc
        if reduction == "none":
            return -nr.sum(terms, axis=axis)
        total = -nr.sum(terms)
        return total if reduction == "sum" else total / (x.size // classes)
    nll = nll_loss(logp, t, w, ignore_index, reduction)
    if label_smoothing == 0:
        return nll
    valid = t != ignore_index
    smooth = -nr.sum(logp if wc is None else logp * wc, axis=axis)
    smooth = nr.where(valid, smooth, nr.zeros_like(smooth))
    if reduction == "mean":
        if w is None:
            denominator = nr.sum(valid.astype(x.dtype))
        else:
            picked = nr.take(w.astype(x.dtype), nr.where(valid, t, nr.zeros_like(t)), axis=0)
            denominator = nr.sum(nr.where(valid, picked, nr.zeros_like(picked)))
        smooth = nr.sum(smooth) / denominator
    else:
        smooth = _reduce(smooth, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / classes)


def binary_cross_entropy(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
) -> Array:
    """``-(t * log(x) + (1 - t) * log(1 - x))`` for probabilities ``x``; each log is clamped
    at -100 as in PyTorch, so ``x`` of exactly 0 or 1 gives a finite loss."""
    x, t = _pair("binary_cross_entropy", input, target, reduction)
    log_x = nr.maximum(nr.log(x), -100.0)
    log_1mx = nr.maximum(nr.log(1 - x), -100.0)
    loss = -(t * log_x + (1 - t) * log_1mx)
    return _reduce(loss if weight is None else loss * weight, reduction)


def _softplus_neg(x: Array) -> Array:
    """``log(1 + exp(-x))`` without overflow."""
    return nr.maximum(-x, 0.0) + nr.log1p(nr.exp(-nr.abs(x)))


def binary_cross_entropy_with_logits(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Array:
    """Sigmoid plus binary cross entropy in one stable expression; ``pos_weight`` (broadcast
    over the last dimension: one per class) weighs the positive term."""
    x, t = _pair("binary_cross_entropy_with_logits", input, target, reduction)
    sp = _softplus_neg(x)
    if pos_weight is not None:
        sp = ((nr.asarray(pos_weight) - 1) * t + 1) * sp
    loss = (1 - t) * x + sp
    return _reduce(loss if weight is None else loss * weight, reduction)


def kl_div(
    input: Any,  # noqa: A002
    target: Any,
    reduction: str = "mean",
    log_target: bool = False,
) -> Array:
    """``target * (log(target) - input)`` for log-probabilities ``input`` (0 where the target
    is 0); ``reduction="batchmean"`` divides the sum by the batch size (the true KL)."""
    _check_reduction("kl_div", reduction, ("batchmean",))
    x, t = nr.asarray(input), nr.asarray(target)
    if log_target:
        pointwise = nr.exp(t) * (t - x)
    else:
        positive = t > 0
        safe = nr.where(positive, t, nr.ones_like(t))
        pointwise = nr.where(positive, t * nr.log(safe), nr.zeros_like(t)) - t * x
    if reduction == "batchmean":
        total = nr.sum(pointwise)
        return total / pointwise.shape[0] if pointwise.ndim else total
    return _reduce(pointwise, reduction)


def cosine_embedding_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> Array:
    """``1 - cos(x1, x2)`` where ``target == 1`` and ``max(0, cos - margin)`` where
    ``target == -1``; inputs ``(N, D)`` with target ``(N,)``, or ``(D,)`` with a scalar."""
    _check_reduction("cosine_embedding_loss", reduction)
    x1, x2, t = nr.asarray(input1), nr.asarray(input2), nr.asarray(target)
    if t.ndim not in (0, 1) or tuple(x1.shape[:-1]) != tuple(t.shape) or x1.shape != x2.shape:
        raise ShapeError(
            f"cosine_embedding_loss: expected inputs of shape (N, D) with target (N,), or (D,) "
            f"with a scalar target, got {tuple(x1.shape)}, {tuple(x2.shape)} and "
            f"{tuple(t.shape)}"
        )
    dim = t.ndim
    prod = nr.sum(x1 * x2, axis=dim)
    mag = (nr.sum(x1 * x1, axis=dim) + 1e-12) * (nr.sum(x2 * x2, axis=dim) + 1e-12)
    cos = prod / nr.sqrt(mag)
    zeros = nr.zeros_like(cos)
    loss = nr.where(t == 1, 1 - cos, zeros) + nr.where(t == -1, _clamp_min0(cos - margin), zeros)
    return _reduce(loss, reduction)


def margin_ranking_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> Array:
    """``max(0, -target * (input1 - input2) + margin)`` with ``target`` in {1, -1}."""
    _check_reduction("margin_ranking_loss", reduction)
    x1, x2, t = nr.asarray(input1), nr.asarray(input2), nr.asarray(target)
    if not (x1.shape == x2.shape == t.shape):
        raise ShapeError(
            f"margin_ranking_loss: arguments 'input1', 'input2' and 'target' expected one "
            f"shape, got {tuple(x1.shape)}, {tuple(x2.shape)} and {tuple(t.shape)}"
        )
    return _reduce(_clamp_min0(-t * (x1 - x2) + margin), reduction)


class _Loss(Module):
    """Module forms of the losses: hyper-parameters as fields, weights as buffers."""

    def __post_init__(self) -> None:
        extra = ("batchmean",) if isinstance(self, KLDivLoss) else ()
        _check_reduction(type(self).__name__, self.reduction, extra)
        for name in ("weight", "pos_weight"):
            value = getattr(self, name, None)
            if value is not None:
                setattr(self, name, nr.asarray(value))


class MSELoss(_Loss):
    """:func:`mse_loss` as a module: ``MSELoss(reduction="mean")(input, target)``."""

    reduction: str = "mean"

    def __call__(self, input: Array, target: Array) -> Array:  # noqa: A002
        return mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """:func:`l1_loss` as a module."""

    reduction: str = "mean"

    def __call__(self, input: Array, target: Array) -> Array:  # noqa: A002
        return l1_loss(input, target, self.reduction)


class SmoothL1Loss(_Loss):
    """:func:`smooth_l1_loss` as a module."""

    reduction: str = "mean"
    beta: float = 1.0

    def __call__(self, input: Array, target: Array) -> Array:  # noqa: A002
        return smooth_l1_loss(input, target, self.reduction, self.beta)


class HuberLoss(_Loss):
    """:func:`huber_loss` as a module."""

    reduction: str = "mean"
    delta: float = 1.0

    def __call__(self, input: Array, target: Array) -> Array:  # noqa: A002
        return huber_loss(input, target, self.reduction, self.delta)


class CrossEntropyLoss(_Loss):
    """:func:`cross_entropy` as a module (``weight`` is a buffer, not a parameter).

    Examples
    --------
    >>> loss_fn = nr.nn.CrossEntropyLoss(label_smoothing=0.1)
    >>> loss = loss_fn(nr.zeros((2, 3)), nr.asarray([0, 2]))
    """

    weight: Array | None = field(buffer=True, default=None)
    ignore_index: int = -100
    reduction: str = "mean"
    label_smoothing: float = 0.0

    def __call__(self, input: Array, target: Array) -> Array:  # noqa: A002
        return cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class NLLLoss(_Loss):
    """:func:`nll_loss` as a module."""

    weight: Array | None = field(buffer=True, default=None)
    ignore_index: int = -100
    reduction: str = "mean"

    def __call__(self, input: Array, target: Array) -> Array:  # noqa: A002
        return nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class BCELoss(_Loss):
    """:func:`binary_cross_entropy` as a module."""

    weight: Array | None = field(buffer=True, default=None)
    reduction: str = "mean"

    def __call__(self, input: Array, target: Array) -> Array:  # noqa: A002
        return binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """:func:`binary_cross_entropy_with_logits` as a module."""

    weight: Array | None = field(buffer=True, default=None)
    reduction: str = "mean"
    pos_weight: Array | None = field(buffer=True, default=None)

    def __call__(self, input: Array, target: Array) -> Array:  # noqa: A002
        return binary_cross_entropy_with_logits(
            input, target, self.weight, self.reduction, self.pos_weight
        )


class KLDivLoss(_Loss):
    """:func:`kl_div` as a module (``reduction="batchmean"`` gives the true KL divergence)."""

    reduction: str = "mean"
    log_target: bool = False

    def __call__(self, input: Array, target: Array) -> Array:  # noqa: A002
        return kl_div(input, target, self.reduction, self.log_target)


class CosineEmbeddingLoss(_Loss):
    """:func:`cosine_embedding_loss` as a module."""

    margin: float = 0.0
    reduction: str = "mean"

    def __call__(self, input1: Array, input2: Array, target: Array) -> Array:
        return cosine_embedding_loss(input1, input2, target, self.margin, self.reduction)


class MarginRankingLoss(_Loss):
    """:func:`margin_ranking_loss` as a module."""

    margin: float = 0.0
    reduction: str = "mean"

    def __call__(self, input1: Array, input2: Array, target: Array) -> Array:
        return margin_ranking_loss(input1, input2, target, self.margin, self.reduction)
