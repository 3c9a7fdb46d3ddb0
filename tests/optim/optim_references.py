"""Plain-NumPy optimizers written from the algorithms ``torch.optim`` documents, one step per
call on float64 arrays. Tests compare ``nr.optim`` against these; nothing here calls
neurarust."""

from __future__ import annotations

import numpy as np


class Reference:
    """One parameter array ``w`` and the optimizer's state; ``step(g)`` updates ``w``."""

    def __init__(self, w: np.ndarray, **hyper: float) -> None:
        self.w = np.array(w, dtype=np.float64)
        self.t = 0
        self.h = hyper
        self.init()

    def init(self) -> None:
        self.m = np.zeros_like(self.w)
        self.v = np.zeros_like(self.w)

    def step(self, g: np.ndarray) -> None:
        self.t += 1
        h = self.h
        g = -g if h.get("maximize") else g
        if h.get("weight_decay") and not h.get("decoupled"):
            g = g + h["weight_decay"] * self.w
        if h.get("weight_decay") and h.get("decoupled"):
            self.w = self.w * (1 - h["lr"] * h["weight_decay"])
        self.rule(g)


class SGD(Reference):
    def init(self) -> None:
        self.buf = None

    def rule(self, g: np.ndarray) -> None:
        h = self.h
        if h.get("momentum"):
            if self.buf is None:
                self.buf = g.copy()
            else:
                self.buf = h["momentum"] * self.buf + (1 - h.get("dampening", 0)) * g
            g = g + h["momentum"] * self.buf if h.get("nesterov") else self.buf
        self.w = self.w - h["lr"] * g


class Adam(Reference):
    def init(self) -> None:
        super().init()
        self.v_max = np.zeros_like(self.w)

    def rule(self, g: np.ndarray) -> None:
        h, t = self.h, self.t
        b1, b2 = h.get("betas", (0.9, 0.999))
        eps = h.get("eps", 1e-8)
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        v = self.v
        if h.get("amsgrad"):
            self.v_max = np.maximum(self.v_max, self.v)
            v = self.v_max
        m_hat = self.m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        self.w = self.w - h["lr"] * m_hat / (np.sqrt(v_hat) + eps)


class RMSprop(Reference):
    def init(self) -> None:
        super().init()
        self.buf = np.zeros_like(self.w)

    def rule(self, g: np.ndarray) -> None:
        h = self.h
        alpha, eps = h.get("alpha", 0.99), h.get("eps", 1e-8)
        self.v = alpha * self.v + (1 - alpha) * g * g
        v = self.v
        if h.get("centered"):
            self.m = alpha * self.m + (1 - alpha) * g
            v = v - self.m**2
        step = g / (np.sqrt(v) + eps)
        if h.get("momentum"):
            self.buf = h["momentum"] * self.buf + step
            step = self.buf
        self.w = self.w - h["lr"] * step


class Adagrad(Reference):
    def init(self) -> None:
        self.s = np.full_like(self.w, self.h.get("initial_accumulator_value", 0.0))

    def rule(self, g: np.ndarray) -> None:
        h = self.h
        clr = h["lr"] / (1 + (self.t - 1) * h.get("lr_decay", 0.0))
        self.s = self.s + g * g
        self.w = self.w - clr * g / (np.sqrt(self.s) + h.get("eps", 1e-10))


class Adamax(Reference):
    def rule(self, g: np.ndarray) -> None:
        h = self.h
        b1, b2 = h.get("betas", (0.9, 0.999))
        self.m = b1 * self.m + (1 - b1) * g
        self.v = np.maximum(b2 * self.v, np.abs(g) + h.get("eps", 1e-8))
        self.w = self.w - h["lr"] / (1 - b1**self.t) * self.m / self.v


class NAdam(Reference):
    def init(self) -> None:
        super().init()
        self.mu_product = 1.0

    def rule(self, g: np.ndarray) -> None:
        h, t = self.h, self.t
        b1, b2 = h.get("betas", (0.9, 0.999))
        psi = h.get("momentum_decay", 4e-3)
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        self.mu_product *= mu
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        v_hat = self.v / (1 - b2**t)
        denom = np.sqrt(v_hat) + h.get("eps", 1e-8)
        m_term = mu_next * self.m / (1 - self.mu_product * mu_next)
        g_term = (1 - mu) * g / (1 - self.mu_product)
        self.w = self.w - h["lr"] * (g_term + m_term) / denom


class RAdam(Reference):
    def rule(self, g: np.ndarray) -> None:
        h, t = self.h, self.t
        b1, b2 = h.get("betas", (0.9, 0.999))
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        m_hat = self.m / (1 - b1**t)
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            ell = np.sqrt(1 - b2**t) / (np.sqrt(self.v) + h.get("eps", 1e-8))
            r = np.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            self.w = self.w - h["lr"] * m_hat * ell * r
        else:
            self.w = self.w - h["lr"] * m_hat


class Lion(Reference):
    def rule(self, g: np.ndarray) -> None:
        h = self.h
        b1, b2 = h.get("betas", (0.9, 0.99))
        c = b1 * self.m + (1 - b1) * g
        self.w = self.w - h["lr"] * np.sign(c)
        self.m = b2 * self.m + (1 - b2) * g


class Adadelta(Reference):
    def rule(self, g: np.ndarray) -> None:
        h = self.h
        rho, eps = h.get("rho", 0.9), h.get("eps", 1e-6)
        self.v = rho * self.v + (1 - rho) * g * g
        delta = np.sqrt(self.m + eps) / np.sqrt(self.v + eps) * g
        self.m = rho * self.m + (1 - rho) * delta * delta
        self.w = self.w - h.get("lr", 1.0) * delta
