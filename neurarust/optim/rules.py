"""The update rules of the adaptive optimizers, each a gradient transformation that rescales
the updates (the learning rate and its sign are applied afterwards, by
:func:`~neurarust.optim.scale_by_learning_rate`).

Every rule follows ``torch.optim``'s published algorithm: the same moment updates, bias
corrections and epsilon placement. Hyper-parameters may be numbers, 0-d arrays or schedules.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import neurarust as nr

from ..core.array import Array
from .base import (
    GradientTransformation,
    cast,
    concrete,
    cond,
    hyper,
    map_leaves,
    step_number,
    zero_count,
    zeros_state,
)
from .checks import check_range
from .transforms import Hyper


def _check_beta(op: str, name: str, value: Any) -> None:
    check_range(op, name, value, 0.0, 1.0, high_open=True)


class ScaleByAdamState(NamedTuple):
    """Adam's step count, first and second moments (and their running maximum with
    AMSGrad, else None)."""

    count: Array
    mu: Any
    nu: Any
    nu_max: Any


def scale_by_adam(
    b1: Hyper = 0.9, b2: Hyper = 0.999, eps: Hyper = 1e-8, amsgrad: bool = False
) -> GradientTransformation:
    """Adam's direction ``m_hat / (sqrt(v_hat) + eps)``, as in ``torch.optim.Adam``.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``; with ``amsgrad`` the running
    maximum of ``v`` replaces ``v``. The bias corrections are folded into the denominator:
    ``m / (sqrt(v) * bc1 / sqrt(bc2) + eps * bc1)``.

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.scale_by_adam(), nr.optim.scale_by_learning_rate(1e-3))
    """
    _check_beta("scale_by_adam", "b1", b1)
    _check_beta("scale_by_adam", "b2", b2)
    check_range("scale_by_adam", "eps", eps)

    def init(params: Any) -> ScaleByAdamState:
        nu_max = zeros_state(params) if amsgrad else None
        return ScaleByAdamState(zero_count(), zeros_state(params), zeros_state(params), nu_max)

    def update(
        updates: Any, state: ScaleByAdamState, params: Any = None, **extra: Any
    ) -> tuple[Any, ScaleByAdamState]:
        beta1, beta2 = hyper(b1, state.count), hyper(b2, state.count)
        t = step_number(state.count)
        bc1 = 1 - beta1**t
        bc2_sqrt = nr.sqrt(1 - beta2**t)
        c_sqrt, c_eps = concrete(bc1 / bc2_sqrt), concrete(hyper(eps, state.count) * bc1)
        w1, w2, beta2 = concrete(1 - beta1), concrete(1 - beta2), concrete(beta2)

        def leaf(g: Array, m: Array, v: Array, *v_max: Array) -> tuple[Array, ...]:
            m = m + (g - m) * cast(w1, g)
            v = v * cast(beta2, g) + (g * cast(w2, g)) * g
            if v_max:
                v_max = (nr.maximum(v_max[0], v),)
            u = m / (nr.sqrt(v_max[0] if v_max else v) * cast(c_sqrt, g) + cast(c_eps, g))
            return (u, m, v, *v_max)

        trees = (state.mu, state.nu) + ((state.nu_max,) if amsgrad else ())
        new_updates, mu, nu, *nu_max = map_leaves("scale_by_adam", leaf, updates, *trees)
        new_state = ScaleByAdamState(state.count + 1, mu, nu, nu_max[0] if amsgrad else None)
        return new_updates, new_state

    return GradientTransformation(init, update)


class ScaleByRmsState(NamedTuple):
    """RMSprop's step count, mean square and (when centered, else None) mean gradient."""

    count: Array
    nu: Any
    mu: Any


def scale_by_rms(
    alpha: Hyper = 0.99, eps: Hyper = 1e-8, centered: bool = False
) -> GradientTransformation:
    """RMSprop's direction ``g / (sqrt(v) + eps)`` with ``v = alpha v + (1 - alpha) g^2``, as in
    ``torch.optim.RMSprop`` (``centered`` subtracts the squared running mean of ``g`` from
    ``v``; ``eps`` is added outside the square root).

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.scale_by_rms(), nr.optim.scale_by_learning_rate(1e-2))
    """
    check_range("scale_by_rms", "alpha", alpha)
    check_range("scale_by_rms", "eps", eps)

    def init(params: Any) -> ScaleByRmsState:
        mu = zeros_state(params) if centered else None
        return ScaleByRmsState(zero_count(), zeros_state(params), mu)

    def update(
        updates: Any, state: ScaleByRmsState, params: Any = None, **extra: Any
    ) -> tuple[Any, ScaleByRmsState]:
        a = hyper(alpha, state.count)
        a, w, e = concrete(a), concrete(1 - a), concrete(hyper(eps, state.count))

        def leaf(g: Array, v: Array, *m: Array) -> tuple[Array, ...]:
            v = v * cast(a, g) + (g * cast(w, g)) * g
            if m:
                m = (m[0] + (g - m[0]) * cast(w, g),)
                avg = nr.sqrt(v - m[0] * m[0])
            else:
                avg = nr.sqrt(v)
            return (g / (avg + cast(e, g)), v, *m)

        trees = (state.nu,) + ((state.mu,) if centered else ())
        new_updates, nu, *mu = map_leaves("scale_by_rms", leaf, updates, *trees)
        return new_updates, ScaleByRmsState(state.count + 1, nu, mu[0] if centered else None)

    return GradientTransformation(init, update)


class ScaleByAdagradState(NamedTuple):
    """Adagrad's step count and sum of squared gradients."""

    count: Array
    sum_of_squares: Any


def scale_by_adagrad(
    initial_accumulator_value: float = 0.0, eps: Hyper = 1e-10
) -> GradientTransformation:
    """Adagrad's direction ``g / (sqrt(sum of g^2) + eps)``, as in ``torch.optim.Adagrad``.

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.scale_by_adagrad(), nr.optim.scale_by_learning_rate(0.01))
    """
    check_range("scale_by_adagrad", "initial_accumulator_value", initial_accumulator_value)
    check_range("scale_by_adagrad", "eps", eps)

    def init(params: Any) -> ScaleByAdagradState:
        return ScaleByAdagradState(zero_count(), zeros_state(params, initial_accumulator_value))

    def update(
        updates: Any, state: ScaleByAdagradState, params: Any = None, **extra: Any
    ) -> tuple[Any, ScaleByAdagradState]:
        e = concrete(hyper(eps, state.count))

        def leaf(g: Array, s: Array) -> tuple[Array, Array]:
            s = s + g * g
            return g / (nr.sqrt(s) + cast(e, g)), s

        new_updates, sums = map_leaves("scale_by_adagrad", leaf, updates, state.sum_of_squares)
        return new_updates, ScaleByAdagradState(state.count + 1, sums)

    return GradientTransformation(init, update)


class ScaleByAdamaxState(NamedTuple):
    """Adamax's step count, first moment and exponentially weighted infinity norm."""

    count: Array
    mu: Any
    nu: Any


def scale_by_adamax(
    b1: Hyper = 0.9, b2: Hyper = 0.999, eps: Hyper = 1e-8
) -> GradientTransformation:
    """Adamax's direction ``m / (bc1 * u)`` with ``u = max(b2 u, |g| + eps)``, as in
    ``torch.optim.Adamax``.

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.scale_by_adamax(), nr.optim.scale_by_learning_rate(2e-3))
    """
    _check_beta("scale_by_adamax", "b1", b1)
    _check_beta("scale_by_adamax", "b2", b2)
    check_range("scale_by_adamax", "eps", eps)

    def init(params: Any) -> ScaleByAdamaxState:
        return ScaleByAdamaxState(zero_count(), zeros_state(params), zeros_state(params))

    def update(
        updates: Any, state: ScaleByAdamaxState, params: Any = None, **extra: Any
    ) -> tuple[Any, ScaleByAdamaxState]:
        beta1, beta2 = hyper(b1, state.count), hyper(b2, state.count)
        inv_bc1 = concrete(1 / (1 - beta1 ** step_number(state.count)))
        w1, beta2, e = concrete(1 - beta1), concrete(beta2), concrete(hyper(eps, state.count))

        def leaf(g: Array, m: Array, u: Array) -> tuple[Array, Array, Array]:
            m = m + (g - m) * cast(w1, g)
            u = nr.maximum(u * cast(beta2, g), nr.abs(g) + cast(e, g))
            return (m / u) * cast(inv_bc1, g), m, u

        new_updates, mu, nu = map_leaves("scale_by_adamax", leaf, updates, state.mu, state.nu)
        return new_updates, ScaleByAdamaxState(state.count + 1, mu, nu)

    return GradientTransformation(init, update)


class ScaleByNadamState(NamedTuple):
    """NAdam's step count, product of momentum coefficients, first and second moments."""

    count: Array
    mu_product: Array
    mu: Any
    nu: Any


def scale_by_nadam(
    b1: Hyper = 0.9, b2: Hyper = 0.999, eps: Hyper = 1e-8, momentum_decay: Hyper = 4e-3
) -> GradientTransformation:
    """NAdam's direction, as in ``torch.optim.NAdam`` (Dozat's momentum schedule
    ``mu_t = b1 (1 - 0.5 * 0.96^(t * momentum_decay))``).

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.scale_by_nadam(), nr.optim.scale_by_learning_rate(2e-3))
    """
    _check_beta("scale_by_nadam", "b1", b1)
    _check_beta("scale_by_nadam", "b2", b2)
    check_range("scale_by_nadam", "eps", eps)
    check_range("scale_by_nadam", "momentum_decay", momentum_decay)

    def init(params: Any) -> ScaleByNadamState:
        one = nr.ones((), dtype=nr.float64)
        return ScaleByNadamState(zero_count(), one, zeros_state(params), zeros_state(params))

    def update(
        updates: Any, state: ScaleByNadamState, params: Any = None, **extra: Any
    ) -> tuple[Any, ScaleByNadamState]:
        beta1, beta2 = hyper(b1, state.count), hyper(b2, state.count)
        decay = hyper(momentum_decay, state.count)
        t = step_number(state.count)
        mu_t = beta1 * (1.0 - 0.5 * 0.96 ** (t * decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * decay))
        mu_product = state.mu_product * mu_t
        c_g = concrete((1.0 - mu_t) / (1.0 - mu_product))
        c_m = concrete(mu_next / (1.0 - mu_product * mu_next))
        bc2 = concrete(1 - beta2**t)
        w1, w2, beta2 = concrete(1 - beta1), concrete(1 - beta2), concrete(beta2)
        e = concrete(hyper(eps, state.count))

        def leaf(g: Array, m: Array, v: Array) -> tuple[Array, Array, Array]:
            m = m + (g - m) * cast(w1, g)
            v = v * cast(beta2, g) + (g * cast(w2, g)) * g
            denom = nr.sqrt(v / cast(bc2, g)) + cast(e, g)
            return (g * cast(c_g, g) + m * cast(c_m, g)) / denom, m, v

        new_updates, mu, nu = map_leaves("scale_by_nadam", leaf, updates, state.mu, state.nu)
        return new_updates, ScaleByNadamState(state.count + 1, mu_product, mu, nu)

    return GradientTransformation(init, update)


class ScaleByRadamState(NamedTuple):
    """RAdam's step count, first and second moments."""

    count: Array
    mu: Any
    nu: Any


def scale_by_radam(b1: Hyper = 0.9, b2: Hyper = 0.999, eps: Hyper = 1e-8) -> GradientTransformation:
    """RAdam's direction, as in ``torch.optim.RAdam``: the bias-corrected momentum, rectified
    by the adaptive term once the variance estimate is tractable (``rho_t > 5``).

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.scale_by_radam(), nr.optim.scale_by_learning_rate(1e-3))
    """
    _check_beta("scale_by_radam", "b1", b1)
    _check_beta("scale_by_radam", "b2", b2)
    check_range("scale_by_radam", "eps", eps)

    def init(params: Any) -> ScaleByRadamState:
        return ScaleByRadamState(zero_count(), zeros_state(params), zeros_state(params))

    def update(
        updates: Any, state: ScaleByRadamState, params: Any = None, **extra: Any
    ) -> tuple[Any, ScaleByRadamState]:
        beta1, beta2 = hyper(b1, state.count), hyper(b2, state.count)
        t = step_number(state.count)
        bc1 = 1 - beta1**t
        bc2 = 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / bc2
        ratio = (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        rect = nr.sqrt(nr.maximum(ratio, 0.0))  # only used once rho_t > 5, where ratio > 0
        rectified = rho_t > 5.0
        c_adaptive = concrete(nr.sqrt(bc2) * rect / bc1)
        inv_bc1 = concrete(1 / bc1)
        w1, w2, beta2 = concrete(1 - beta1), concrete(1 - beta2), concrete(beta2)
        e = concrete(hyper(eps, state.count))

        def leaf(g: Array, m: Array, v: Array) -> tuple[Array, Array, Array]:
            m = m + (g - m) * cast(w1, g)
            v = v * cast(beta2, g) + (g * cast(w2, g)) * g
            u = cond(
                rectified,
                lambda: m * cast(c_adaptive, g) / (nr.sqrt(v) + cast(e, g)),
                lambda: m * cast(inv_bc1, g),
            )
            return u, m, v

        new_updates, mu, nu = map_leaves("scale_by_radam", leaf, updates, state.mu, state.nu)
        return new_updates, ScaleByRadamState(state.count + 1, mu, nu)

    return GradientTransformation(init, update)


class ScaleByLionState(NamedTuple):
    """Lion's step count and momentum."""

    count: Array
    mu: Any


def scale_by_lion(b1: Hyper = 0.9, b2: Hyper = 0.99) -> GradientTransformation:
    """Lion's direction ``sign(b1 m + (1 - b1) g)``, then ``m = b2 m + (1 - b2) g``
    (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2).

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.scale_by_lion(), nr.optim.scale_by_learning_rate(1e-4))
    """
    _check_beta("scale_by_lion", "b1", b1)
    _check_beta("scale_by_lion", "b2", b2)

    def init(params: Any) -> ScaleByLionState:
        return ScaleByLionState(zero_count(), zeros_state(params))

    def update(
        updates: Any, state: ScaleByLionState, params: Any = None, **extra: Any
    ) -> tuple[Any, ScaleByLionState]:
        beta1, beta2 = hyper(b1, state.count), hyper(b2, state.count)
        beta1, w1 = concrete(beta1), concrete(1 - beta1)
        beta2, w2 = concrete(beta2), concrete(1 - beta2)

        def leaf(g: Array, m: Array) -> tuple[Array, Array]:
            u = nr.sign(m * cast(beta1, g) + g * cast(w1, g))
            return u, m * cast(beta2, g) + g * cast(w2, g)

        new_updates, mu = map_leaves("scale_by_lion", leaf, updates, state.mu)
        return new_updates, ScaleByLionState(state.count + 1, mu)

    return GradientTransformation(init, update)


class ScaleByAdadeltaState(NamedTuple):
    """Adadelta's step count, running mean of squared gradients and of squared updates."""

    count: Array
    square_avg: Any
    acc_delta: Any


def scale_by_adadelta(rho: Hyper = 0.9, eps: Hyper = 1e-6) -> GradientTransformation:
    """Adadelta's direction ``sqrt(acc_delta + eps) / sqrt(v + eps) * g``, as in
    ``torch.optim.Adadelta``.

    Examples
    --------
    >>> opt = nr.optim.chain(nr.optim.scale_by_adadelta(), nr.optim.scale_by_learning_rate(1.0))
    """
    check_range("scale_by_adadelta", "rho", rho, 0.0, 1.0)
    check_range("scale_by_adadelta", "eps", eps)

    def init(params: Any) -> ScaleByAdadeltaState:
        return ScaleByAdadeltaState(zero_count(), zeros_state(params), zeros_state(params))

    def update(
        updates: Any, state: ScaleByAdadeltaState, params: Any = None, **extra: Any
    ) -> tuple[Any, ScaleByAdadeltaState]:
        r = hyper(rho, state.count)
        r, w, e = concrete(r), concrete(1 - r), concrete(hyper(eps, state.count))

        def leaf(g: Array, v: Array, acc: Array) -> tuple[Array, Array, Array]:
            v = v * cast(r, g) + (g * cast(w, g)) * g
            delta = nr.sqrt(acc + cast(e, g)) / nr.sqrt(v + cast(e, g)) * g
            return delta, v, acc * cast(r, g) + (delta * cast(w, g)) * delta

        new_updates, v, acc = map_leaves(
            "scale_by_adadelta", leaf, updates, state.square_avg, state.acc_delta
        )
        return new_updates, ScaleByAdadeltaState(state.count + 1, v, acc)

    return GradientTransformation(init, update)
