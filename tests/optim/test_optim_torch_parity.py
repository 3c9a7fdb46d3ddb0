"""100-step trajectories of every optimizer against ``torch.optim`` on the same problem from
the same start (skipped when PyTorch is not installed)."""

from __future__ import annotations

import numpy as np
import pytest

import neurarust as nr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: no trajectory comparison")

rng = np.random.default_rng(0)
W0 = rng.standard_normal((3, 4)).astype(np.float32)
B0 = rng.standard_normal(4).astype(np.float32)
X = rng.standard_normal((8, 3)).astype(np.float32)
Y = rng.standard_normal((8, 4)).astype(np.float32)
STEPS = 100


def trajectory_nr(opt: nr.optim.GradientTransformation) -> list[np.ndarray]:
    params = {"w": nr.asarray(W0), "b": nr.asarray(B0)}
    state = opt.init(params)
    x, y = nr.asarray(X), nr.asarray(Y)

    def loss(p: dict) -> nr.Array:
        r = nr.tanh(x @ p["w"] + p["b"]) - y
        return (r * r).sum()

    for _ in range(STEPS):
        params, state = opt.step(params, nr.grad(loss)(params), state)
    return [params["w"].numpy(), params["b"].numpy()]


def trajectory_torch(cls: type, **kwargs: object) -> list[np.ndarray]:
    w = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    opt = cls([w, b], **kwargs)
    x, y = torch.tensor(X), torch.tensor(Y)
    for _ in range(STEPS):
        opt.zero_grad()
        r = torch.tanh(x @ w + b) - y
        (r * r).sum().backward()
        opt.step()
    return [w.detach().numpy(), b.detach().numpy()]


CASES = [
    ("sgd", "SGD", {"lr": 0.01}),
    ("sgd", "SGD", {"lr": 0.01, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("sgd", "SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True, "maximize": False}),
    ("adam", "Adam", {"lr": 0.01}),
    ("adam", "Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("adamw", "AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("rmsprop", "RMSprop", {"lr": 0.01}),
    ("rmsprop", "RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.01}),
    ("adagrad", "Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("adamax", "Adamax", {"lr": 0.01, "weight_decay": 0.01}),
    ("nadam", "NAdam", {"lr": 0.01}),
    ("nadam", "NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("radam", "RAdam", {"lr": 0.01}),
    ("radam", "RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("adadelta", "Adadelta", {"lr": 1.0, "weight_decay": 0.01}),
]


@pytest.mark.parametrize(("name", "torch_name", "kwargs"), CASES)
def test_100_steps_match_torch_optim(name, torch_name, kwargs):
    ours = trajectory_nr(getattr(nr.optim, name)(**kwargs))
    theirs = trajectory_torch(getattr(torch.optim, torch_name), **kwargs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax"])
def test_defaults_match_torch(name):
    import inspect

    ours = inspect.signature(getattr(nr.optim, name.lower())).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    for key, p in ours.items():
        if key == "betas":
            assert tuple(p.default) == tuple(theirs[key].default)
        elif key in theirs:
            assert p.default == theirs[key].default, key


def test_clip_grad_norm_matches_torch():
    grads = [
        rng.standard_normal((3, 4)).astype(np.float32),
        rng.standard_normal(5).astype(np.float32),
    ]
    for norm_type in [2.0, 1.0, 3.0, float("inf")]:
        ts = [torch.tensor(g, requires_grad=True) for g in grads]
        for t, g in zip(ts, grads, strict=True):
            t.grad = torch.tensor(g)
        total = torch.nn.utils.clip_grad_norm_(ts, max_norm=0.5, norm_type=norm_type)
        clipped, ours = nr.optim.clip_grad_norm([nr.asarray(g) for g in grads], 0.5, norm_type)
        assert float(ours) == pytest.approx(float(total), rel=1e-6)
        for c, t in zip(clipped, ts, strict=True):
            np.testing.assert_allclose(c.numpy(), t.grad.numpy(), rtol=1e-6)
