"""The optimizers, with ``torch.optim``'s names, defaults and update rules.

Each is a chain of small transformations: flip the sign for ``maximize``, add (coupled) weight
decay, apply the rule's rescaling, then the learning rate. Hyper-parameters may be numbers,
0-d arrays or schedules ``step -> value``; a hyper-parameter that is the number 0 leaves its
transformation out of the chain.
"""

from __future__ import annotations

from typing import Any

import neurarust as nr

from .base import GradientTransformation, chain, hyper
from .checks import check_betas, check_range, is_zero, number
from .rules import (
    scale_by_adadelta,
    scale_by_adagrad,
    scale_by_adam,
    scale_by_adamax,
    scale_by_lion,
    scale_by_nadam,
    scale_by_radam,
    scale_by_rms,
)
from .transforms import Hyper, add_decayed_weights, scale, scale_by_learning_rate, trace


def _optimizer(
    rule: GradientTransformation | None,
    lr: Hyper,
    weight_decay: Hyper,
    maximize: bool,
    decoupled: bool = False,
) -> GradientTransformation:
    """``[-g if maximize] -> [+ wd * p, coupled] -> rule -> [+ wd * p, decoupled] -> -lr``."""
    parts = [scale(-1.0)] if maximize else []
    if not is_zero(weight_decay) and not decoupled:
        parts.append(add_decayed_weights(weight_decay))
    if rule is not None:
        parts.append(rule)
    if not is_zero(weight_decay) and decoupled:
        parts.append(add_decayed_weights(weight_decay))
    parts.append(scale_by_learning_rate(lr))
    return chain(*parts)


def sgd(
    lr: Hyper = 1e-3,
    momentum: Hyper = 0.0,
    dampening: Hyper = 0.0,
    weight_decay: Hyper = 0.0,
    nesterov: bool = False,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    """Stochastic gradient descent with optional momentum, as ``torch.optim.SGD``.

    Examples
    --------
    >>> opt = nr.optim.sgd(lr=0.1, momentum=0.9, nesterov=True)
    >>> state = opt.init(params)
    >>> params, state = opt.step(params, grads, state)
    """
    check_range("sgd", "lr", lr)
    check_range("sgd", "momentum", momentum)
    check_range("sgd", "dampening", dampening)
    check_range("sgd", "weight_decay", weight_decay)
    if nesterov and not (number(momentum) != 0 and number(dampening) == 0):
        raise ValueError(
            f"sgd: nesterov=True requires a positive momentum and zero dampening, got "
            f"momentum={momentum!r}, dampening={dampening!r}"
        )
    rule = None if is_zero(momentum) else trace(momentum, dampening, nesterov)
    return _optimizer(rule, lr, weight_decay, maximize)


def adam(
    lr: Hyper = 1e-3,
    betas: tuple[Hyper, Hyper] = (0.9, 0.999),
    eps: Hyper = 1e-8,
    weight_decay: Hyper = 0.0,
    amsgrad: bool = False,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    """Adam (AMSGrad with ``amsgrad=True``), as ``torch.optim.Adam``; ``weight_decay`` is an
    L2 penalty added to the gradient (see :func:`adamw` for decoupled decay).

    Examples
    --------
    >>> opt = nr.optim.adam(lr=1e-3, betas=(0.9, 0.99))
    """
    check_range("adam", "lr", lr)
    b1, b2 = check_betas("adam", betas)
    check_range("adam", "eps", eps)
    check_range("adam", "weight_decay", weight_decay)
    return _optimizer(scale_by_adam(b1, b2, eps, amsgrad), lr, weight_decay, maximize)


def adamw(
    lr: Hyper = 1e-3,
    betas: tuple[Hyper, Hyper] = (0.9, 0.999),
    eps: Hyper = 1e-8,
    weight_decay: Hyper = 1e-2,
    amsgrad: bool = False,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    """Adam with decoupled weight decay (``p -= lr * weight_decay * p``), as
    ``torch.optim.AdamW``.

    Examples
    --------
    >>> opt = nr.optim.adamw(lr=1e-3, weight_decay=0.05)
    """
    check_range("adamw", "lr", lr)
    b1, b2 = check_betas("adamw", betas)
    check_range("adamw", "eps", eps)
    check_range("adamw", "weight_decay", weight_decay)
    rule = scale_by_adam(b1, b2, eps, amsgrad)
    return _optimizer(rule, lr, weight_decay, maximize, decoupled=True)


def rmsprop(
    lr: Hyper = 1e-2,
    alpha: Hyper = 0.99,
    eps: Hyper = 1e-8,
    weight_decay: Hyper = 0.0,
    momentum: Hyper = 0.0,
    centered: bool = False,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    """RMSprop (centered, with momentum), as ``torch.optim.RMSprop``.

    Examples
    --------
    >>> opt = nr.optim.rmsprop(lr=1e-3, momentum=0.9, centered=True)
    """
    check_range("rmsprop", "lr", lr)
    check_range("rmsprop", "alpha", alpha)
    check_range("rmsprop", "eps", eps)
    check_range("rmsprop", "weight_decay", weight_decay)
    check_range("rmsprop", "momentum", momentum)
    rule = scale_by_rms(alpha, eps, centered)
    if not is_zero(momentum):
        rule = chain(rule, trace(momentum))
    return _optimizer(rule, lr, weight_decay, maximize)


def adagrad(
    lr: Hyper = 1e-2,
    lr_decay: Hyper = 0.0,
    weight_decay: Hyper = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: Hyper = 1e-10,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    """Adagrad, as ``torch.optim.Adagrad``: the step ``t`` (from 0) uses the learning rate
    ``lr / (1 + t * lr_decay)``.

    Examples
    --------
    >>> opt = nr.optim.adagrad(lr=0.1, lr_decay=1e-4)
    """
    check_range("adagrad", "lr", lr)
    check_range("adagrad", "lr_decay", lr_decay)
    check_range("adagrad", "weight_decay", weight_decay)
    check_range("adagrad", "initial_accumulator_value", initial_accumulator_value)
    check_range("adagrad", "eps", eps)
    rule = scale_by_adagrad(initial_accumulator_value, eps)
    if is_zero(lr_decay):
        return _optimizer(rule, lr, weight_decay, maximize)

    def decayed_lr(count: Any) -> Any:
        t = nr.astype(count, nr.float64)
        return hyper(lr, count) / (1 + t * hyper(lr_decay, count))

    return _optimizer(rule, decayed_lr, weight_decay, maximize)


def adamax(
    lr: Hyper = 2e-3,
    betas: tuple[Hyper, Hyper] = (0.9, 0.999),
    eps: Hyper = 1e-8,
    weight_decay: Hyper = 0.0,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    """Adamax (Adam with the infinity norm), as ``torch.optim.Adamax``.

    Examples
    --------
    >>> opt = nr.optim.adamax(lr=2e-3)
    """
    check_range("adamax", "lr", lr)
    b1, b2 = check_betas("adamax", betas)
    check_range("adamax", "eps", eps)
    check_range("adamax", "weight_decay", weight_decay)
    return _optimizer(scale_by_adamax(b1, b2, eps), lr, weight_decay, maximize)


def nadam(
    lr: Hyper = 2e-3,
    betas: tuple[Hyper, Hyper] = (0.9, 0.999),
    eps: Hyper = 1e-8,
    weight_decay: Hyper = 0.0,
    momentum_decay: Hyper = 4e-3,
    decoupled_weight_decay: bool = False,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    """NAdam (Adam with Nesterov momentum), as ``torch.optim.NAdam``.

    Examples
    --------
    >>> opt = nr.optim.nadam(lr=2e-3, momentum_decay=4e-3)
    """
    check_range("nadam", "lr", lr)
    b1, b2 = check_betas("nadam", betas)
    check_range("nadam", "eps", eps)
    check_range("nadam", "weight_decay", weight_decay)
    check_range("nadam", "momentum_decay", momentum_decay)
    rule = scale_by_nadam(b1, b2, eps, momentum_decay)
    return _optimizer(rule, lr, weight_decay, maximize, decoupled_weight_decay)


def radam(
    lr: Hyper = 1e-3,
    betas: tuple[Hyper, Hyper] = (0.9, 0.999),
    eps: Hyper = 1e-8,
    weight_decay: Hyper = 0.0,
    decoupled_weight_decay: bool = False,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    """RAdam (rectified Adam), as ``torch.optim.RAdam``.

    Examples
    --------
    >>> opt = nr.optim.radam(lr=1e-3)
    """
    check_range("radam", "lr", lr)
    b1, b2 = check_betas("radam", betas)
    check_range("radam", "eps", eps)
    check_range("radam", "weight_decay", weight_decay)
    rule = scale_by_radam(b1, b2, eps)
    return _optimizer(rule, lr, weight_decay, maximize, decoupled_weight_decay)


def lion(
    lr: Hyper = 1e-4,
    betas: tuple[Hyper, Hyper] = (0.9, 0.99),
    weight_decay: Hyper = 0.0,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    """Lion (Chen et al., 2023): ``p -= lr * (sign(b1 m + (1 - b1) g) + weight_decay * p)``,
    then ``m = b2 m + (1 - b2) g``. Weight decay is decoupled, as in the paper.

    Examples
    --------
    >>> opt = nr.optim.lion(lr=1e-4, weight_decay=1.0)
    """
    check_range("lion", "lr", lr)
    b1, b2 = check_betas("lion", betas)
    check_range("lion", "weight_decay", weight_decay)
    return _optimizer(scale_by_lion(b1, b2), lr, weight_decay, maximize, decoupled=True)


def adadelta(
    lr: Hyper = 1.0,
    rho: Hyper = 0.9,
    eps: Hyper = 1e-6,
    weight_decay: Hyper = 0.0,
    *,
    maximize: bool = False,
) -> GradientTransformation:
    """Adadelta, as ``torch.optim.Adadelta``.

    Examples
    --------
    >>> opt = nr.optim.adadelta(lr=1.0, rho=0.9)
    """
    check_range("adadelta", "lr", lr)
    check_range("adadelta", "rho", rho, 0.0, 1.0)
    check_range("adadelta", "eps", eps)
    check_range("adadelta", "weight_decay", weight_decay)
    return _optimizer(scale_by_adadelta(rho, eps), lr, weight_decay, maximize)
