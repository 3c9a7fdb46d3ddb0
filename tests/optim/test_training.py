"""A small MLP (a plain dict of weights, tanh, written with nr ops and nr.grad) trained with
each optimizer: the loss must fall."""

from __future__ import annotations

import numpy as np
import pytest

import neurarust as nr

rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, (64, 2)).astype(np.float32)
Y = (np.sin(2 * X[:, :1]) * X[:, 1:]).astype(np.float32)


def init_mlp() -> dict:
    r = np.random.default_rng(1)
    return {
        "hidden": {
            "weight": nr.asarray((r.standard_normal((2, 16)) / np.sqrt(2)).astype(np.float32)),
            "bias": nr.zeros(16),
        },
        "out": {
            "weight": nr.asarray((r.standard_normal((16, 1)) / 4).astype(np.float32)),
            "bias": nr.zeros(1),
        },
    }


def loss_fn(params: dict, x: nr.Array, y: nr.Array) -> nr.Array:
    h = nr.tanh(x @ params["hidden"]["weight"] + params["hidden"]["bias"])
    pred = h @ params["out"]["weight"] + params["out"]["bias"]
    r = pred - y
    return (r * r).sum() / y.shape[0]


OPTIMIZERS = {
    "sgd": lambda: nr.optim.sgd(lr=0.1, momentum=0.9),
    "sgd_nesterov": lambda: nr.optim.sgd(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4),
    "adam": lambda: nr.optim.adam(lr=0.02),
    "amsgrad": lambda: nr.optim.adam(lr=0.02, amsgrad=True),
    "adamw": lambda: nr.optim.adamw(lr=0.02),
    "rmsprop": lambda: nr.optim.rmsprop(lr=0.005, momentum=0.5, centered=True),
    "adagrad": lambda: nr.optim.adagrad(lr=0.1),
    "adamax": lambda: nr.optim.adamax(lr=0.02),
    "nadam": lambda: nr.optim.nadam(lr=0.02),
    "radam": lambda: nr.optim.radam(lr=0.05),
    "lion": lambda: nr.optim.lion(lr=0.003),
    "adadelta": lambda: nr.optim.adadelta(lr=1.0),
    "clipped_adamw_cosine": lambda: nr.optim.chain(
        nr.optim.clip_by_global_norm(1.0),
        nr.optim.adamw(lr=nr.optim.schedules.warmup_cosine(0.03, 10, 100)),
    ),
    "groups": lambda: nr.optim.multi_transform(
        {"decay": nr.optim.adamw(0.02, weight_decay=0.1), "nodecay": nr.optim.adam(0.02)},
        {"*.bias": "nodecay", "*": "decay"},
    ),
    "accumulated": lambda: nr.optim.multi_steps(nr.optim.adam(0.04), every_k=2),
    "injected": lambda: nr.optim.inject_hyperparams(nr.optim.adam)(lr=0.02),
    "skip_nonfinite": lambda: nr.optim.apply_if_finite(nr.optim.adam(0.02), 3),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_training_an_mlp_reduces_the_loss(name):
    opt = OPTIMIZERS[name]()
    params = init_mlp()
    state = opt.init(params)
    x, y = nr.asarray(X), nr.asarray(Y)
    value_and_grad = nr.value_and_grad(loss_fn)
    losses = []
    for _ in range(100):
        loss, grads = value_and_grad(params, x, y)
        losses.append(float(loss))
        params, state = opt.step(params, grads, state)
    first, last = losses[0], float(loss_fn(params, x, y))
    assert np.isfinite(last)
    assert last < 0.5 * first, (first, last)
    assert all(p.dtype == nr.float32 for p in nr.tree.leaves(params))
