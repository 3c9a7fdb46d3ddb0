"""Each optimizer's first steps against plain-NumPy implementations of the published update
rules, plus properties every optimizer must have."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from optim_references import SGD, Adadelta, Adagrad, Adam, Adamax, Lion, NAdam, RAdam, RMSprop

import neurarust as nr

W0 = np.array([1.0, -2.0, 0.5, 3.0])
C = np.array([1.0, 0.5, 2.0, 0.1])
D = np.array([0.3, -0.2, 0.0, 1.0])


def grad_of(w: np.ndarray) -> np.ndarray:
    """The gradient of the tiny problem 0.5 * sum(C w^2) + sum(D w)."""
    return C * w + D


def loss(params: dict) -> nr.Array:
    w = params["w"]
    return (0.5 * nr.asarray(C) * w * w + nr.asarray(D) * w).sum()


CASES = [
    ("sgd", SGD, {"lr": 0.1}),
    ("sgd", SGD, {"lr": 0.1, "momentum": 0.9}),
    ("sgd", SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.05}),
    ("sgd", SGD, {"lr": 0.1, "momentum": 0.8, "nesterov": True, "maximize": True}),
    ("adam", Adam, {"lr": 0.1}),
    ("adam", Adam, {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-3, "weight_decay": 0.1}),
    ("adam", Adam, {"lr": 0.1, "amsgrad": True, "maximize": True}),
    ("adamw", Adam, {"lr": 0.1, "decoupled": True, "weight_decay": 0.01}),
    ("adamw", Adam, {"lr": 0.1, "decoupled": True, "weight_decay": 0.2, "amsgrad": True}),
    ("rmsprop", RMSprop, {"lr": 0.01}),
    ("rmsprop", RMSprop, {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    ("adagrad", Adagrad, {"lr": 0.1}),
    (
        "adagrad",
        Adagrad,
        {"lr": 0.1, "lr_decay": 0.5, "initial_accumulator_value": 0.2, "weight_decay": 0.1},
    ),
    ("adamax", Adamax, {"lr": 0.1}),
    ("adamax", Adamax, {"lr": 0.1, "betas": (0.5, 0.9), "weight_decay": 0.1, "maximize": True}),
    ("nadam", NAdam, {"lr": 0.1}),
    ("nadam", NAdam, {"lr": 0.1, "momentum_decay": 0.1, "weight_decay": 0.1}),
    ("radam", RAdam, {"lr": 0.1}),
    ("radam", RAdam, {"lr": 0.1, "betas": (0.9, 0.5)}),  # rho_t > 5 from step 1
    ("lion", Lion, {"lr": 0.1}),
    ("lion", Lion, {"lr": 0.1, "decoupled": True, "weight_decay": 0.5}),
    ("adadelta", Adadelta, {"lr": 1.0}),
    ("adadelta", Adadelta, {"lr": 0.5, "rho": 0.5, "eps": 1e-3, "weight_decay": 0.1}),
]

_DECOUPLED_FLAG = {"nadam": "decoupled_weight_decay", "radam": "decoupled_weight_decay"}


def make(name: str, hyper: dict) -> nr.optim.GradientTransformation:
    kwargs = {k: v for k, v in hyper.items() if k != "decoupled"}
    if hyper.get("decoupled") and name in _DECOUPLED_FLAG:
        kwargs[_DECOUPLED_FLAG[name]] = True
    return getattr(nr.optim, name)(**kwargs)


@pytest.mark.parametrize(("name", "ref_cls", "hyper"), CASES)
def test_first_three_steps_match_the_published_rule(name, ref_cls, hyper):
    opt = make(name, hyper)
    params = {"w": nr.asarray(W0)}  # float64, so only the order of operations differs
    state = opt.init(params)
    ref = ref_cls(W0, **hyper)
    for _ in range(3):
        ref.step(grad_of(ref.w))
        params, state = opt.step(params, nr.grad(loss)(params), state)
        assert params["w"].dtype == nr.float64
        np.testing.assert_allclose(params["w"].numpy(), ref.w, rtol=1e-10, atol=1e-12)


def test_decoupled_weight_decay_for_nadam_and_radam():
    for name, ref_cls in [("nadam", NAdam), ("radam", RAdam)]:
        hyper = {"lr": 0.1, "weight_decay": 0.3, "decoupled": True}
        opt = make(name, hyper)
        params = {"w": nr.asarray(W0)}
        state = opt.init(params)
        ref = ref_cls(W0, **hyper)
        for _ in range(3):
            ref.step(grad_of(ref.w))
            params, state = opt.step(params, nr.grad(loss)(params), state)
        np.testing.assert_allclose(params["w"].numpy(), ref.w, rtol=1e-10)


def test_sgd_momentum_by_hand():
    # w = 1, g = 2w, lr = 0.1, momentum = 0.5:
    # step 1: buf = g = 2.0, w = 1 - 0.2 = 0.8
    # step 2: g = 1.6, buf = 0.5 * 2.0 + 1.6 = 2.6, w = 0.8 - 0.26 = 0.54
    # step 3: g = 1.08, buf = 1.3 + 1.08 = 2.38, w = 0.54 - 0.238 = 0.302
    opt = nr.optim.sgd(lr=0.1, momentum=0.5)
    w = nr.asarray(1.0, dtype=nr.float64)
    state = opt.init(w)
    for expected in [0.8, 0.54, 0.302]:
        w, state = opt.step(w, 2 * w, state)
        assert float(w) == pytest.approx(expected, abs=1e-12)


def test_adam_by_hand():
    # g = 1 every step, lr = 0.1: m_hat = 1 and v_hat = 1 at every step, so
    # each step moves by lr / (1 + eps) = 0.1 (to 1e-8).
    opt = nr.optim.adam(lr=0.1)
    w = nr.asarray([1.0], dtype=nr.float64)
    state = opt.init(w)
    for expected in [0.9, 0.8, 0.7]:
        w, state = opt.step(w, nr.ones_like(w), state)
        assert float(w[0]) == pytest.approx(expected, abs=1e-8)


ALL = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adamax", "nadam", "radam", "lion", "adadelta"]

floats = hnp.arrays(np.float32, (5,), elements=st.floats(-10, 10, width=32))
nonzero = st.floats(1e-2, 10.0) | st.floats(-10.0, -1e-2)


@given(w=floats, lr=st.floats(1e-4, 1.0), momentum=st.floats(0.0, 0.99))
def test_sgd_with_a_zero_gradient_leaves_params_unchanged(w, lr, momentum):
    opt = nr.optim.sgd(lr=lr, momentum=momentum)
    params = {"w": nr.asarray(w)}
    state = opt.init(params)
    for _ in range(3):
        params, state = opt.step(params, {"w": nr.zeros_like(params["w"])}, state)
    np.testing.assert_array_equal(params["w"].numpy(), w)


@given(
    g=hnp.arrays(np.float64, (6,), elements=nonzero),
    lr=st.floats(1e-4, 1.0),
)
def test_adam_first_step_moves_each_parameter_by_lr(g, lr):
    opt = nr.optim.adam(lr=lr)
    w = nr.zeros((6,), dtype=nr.float64)
    w, _ = opt.step(w, nr.asarray(g), opt.init(w))
    np.testing.assert_allclose(w.numpy(), -lr * np.sign(g), rtol=1e-4)


@given(g=hnp.arrays(np.float64, (5,), elements=nonzero), scale=st.floats(1e-2, 1e2))
def test_adam_is_invariant_to_gradient_scale(g, scale):
    opt = nr.optim.adam(lr=0.1, eps=0.0)
    w = nr.zeros((5,), dtype=nr.float64)
    a, _ = opt.step(w, nr.asarray(g), opt.init(w))
    b, _ = opt.step(w, nr.asarray(g * scale), opt.init(w))
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-12)


@given(g=floats)
def test_lion_moves_every_parameter_by_exactly_lr(g):
    opt = nr.optim.lion(lr=0.5)
    w = nr.zeros((5,), dtype=nr.float64)
    w, _ = opt.step(w, nr.asarray(g.astype(np.float64)), opt.init(w))
    np.testing.assert_array_equal(np.abs(w.numpy()), np.where(g != 0, 0.5, 0.0))


@pytest.mark.parametrize("name", ALL)
def test_maximize_is_minimizing_the_negation(name):
    params = {"w": nr.asarray(W0)}
    up = getattr(nr.optim, name)(maximize=True)
    down = getattr(nr.optim, name)()
    s_up, s_down = up.init(params), down.init(params)
    p_up = p_down = params
    for _ in range(3):
        g = nr.grad(loss)(p_down)
        p_up, s_up = up.step(p_up, {"w": -g["w"]}, s_up)
        p_down, s_down = down.step(p_down, g, s_down)
    np.testing.assert_allclose(p_up["w"].numpy(), p_down["w"].numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16", "float16"])
def test_each_parameter_keeps_its_dtype(name, dtype):
    opt = getattr(nr.optim, name)()
    params = {"w": nr.asarray(W0, dtype=dtype), "step": nr.asarray(3), "flag": nr.asarray(True)}
    state = opt.init(params)
    grads = {"w": nr.ones_like(params["w"]), "step": nr.asarray(0), "flag": nr.asarray(False)}
    for _ in range(2):
        params, state = opt.step(params, grads, state)
    assert params["w"].dtype == nr.asarray(W0, dtype=dtype).dtype
    assert params["step"].dtype == nr.int64 and int(params["step"]) == 3
    assert bool(params["flag"]) is True
    assert np.all(np.isfinite(params["w"].numpy().astype(np.float32)))


def test_none_leaves_and_non_array_leaves_pass_through():
    opt = nr.optim.adam(lr=0.1)
    params = {"w": nr.asarray([1.0, 2.0]), "bias": None, "scale": 2}
    state = opt.init(params)
    grads = {"w": nr.asarray([1.0, 1.0]), "bias": None, "scale": 0}
    params, state = opt.step(params, grads, state)
    assert params["bias"] is None and params["scale"] == 2
    np.testing.assert_allclose(params["w"].numpy(), [0.9, 1.9], rtol=1e-6)


def test_states_are_pytrees_of_arrays():
    params = {"w": nr.ones((2, 3)), "b": nr.zeros(3)}
    for name in ALL:
        state = getattr(nr.optim, name)().init(params)
        leaves = nr.tree.leaves(state)
        assert all(isinstance(x, nr.Array) for x in leaves), name
        assert leaves or name == "sgd"  # plain SGD keeps no state


def test_hyperparameters_may_be_schedules():
    lr = nr.optim.schedules.step_lr(0.1, step_size=1, gamma=0.5)
    beta1 = nr.optim.schedules.constant(0.9)
    opt = nr.optim.adam(lr=lr, betas=(beta1, 0.999))
    w = nr.asarray([0.0], dtype=nr.float64)
    state = opt.init(w)
    moves = []
    for _ in range(3):
        new, state = opt.step(w, nr.ones_like(w), state)
        moves.append(float(w[0] - new[0]))
        w = new
    np.testing.assert_allclose(moves, [0.1, 0.05, 0.025], rtol=1e-6)

    momentum = nr.optim.schedules.lambda_lr(1.0, lambda t: nr.where(t > 0, 0.5, 0.0))
    opt = nr.optim.sgd(lr=1.0, momentum=momentum, weight_decay=lambda t: 0.0)
    w = nr.asarray([0.0], dtype=nr.float64)
    state = opt.init(w)
    for expected in [-1.0, -2.5, -4.25]:  # buf: 1, 1.5, 1.75
        w, state = opt.step(w, nr.ones_like(w), state)
        assert float(w[0]) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("make_opt", "message"),
    [
        (lambda: nr.optim.sgd(lr=-0.1), "sgd: hyper-parameter 'lr' expected a value >= 0"),
        (lambda: nr.optim.adam(lr=-1e-3), "adam: hyper-parameter 'lr'"),
        (lambda: nr.optim.adam(betas=(1.0, 0.999)), r"'betas\[0\]' expected a value in \[0, 1\)"),
        (lambda: nr.optim.adamw(betas=(0.9, -0.1)), r"'betas\[1\]'"),
        (lambda: nr.optim.adam(betas=0.9), "expected a pair"),
        (lambda: nr.optim.nadam(betas=(0.9, 1.5)), r"nadam: hyper-parameter 'betas\[1\]'"),
        (lambda: nr.optim.rmsprop(momentum=-1), "rmsprop: hyper-parameter 'momentum'"),
        (lambda: nr.optim.adagrad(lr_decay=-1), "adagrad: hyper-parameter 'lr_decay'"),
        (
            lambda: nr.optim.adadelta(rho=1.5),
            r"adadelta: hyper-parameter 'rho' expected a value in",
        ),
        (lambda: nr.optim.sgd(nesterov=True), "nesterov=True requires a positive momentum"),
        (lambda: nr.optim.sgd(weight_decay=-1.0), "'weight_decay' expected a value >= 0"),
        (lambda: nr.optim.adam(lr=nr.asarray(-1.0)), "adam: hyper-parameter 'lr'"),
    ],
)
def test_bad_hyperparameters_raise_clear_errors(make_opt, message):
    with pytest.raises(ValueError, match=message):
        make_opt()


def test_a_hyperparameter_of_the_wrong_type_is_named():
    with pytest.raises(TypeError, match="sgd: hyper-parameter 'lr' expected a number"):
        nr.optim.sgd(lr="0.1")


def test_gradients_that_do_not_match_the_state_name_the_path():
    params = {"encoder": {"weight": nr.ones((2, 2)), "bias": nr.zeros(2)}, "head": nr.ones(2)}
    opt = nr.optim.adam()
    state = opt.init(params)
    grads = {"encoder": {"weight": nr.ones((2, 2))}, "head": nr.ones(2)}
    with pytest.raises(ValueError, match=r"missing: 'encoder\.bias'"):
        opt.update(grads, state, params)
    grads = {**params, "extra": nr.ones(1)}
    with pytest.raises(ValueError, match="unexpected: 'extra'"):
        opt.step(params, grads, state)
    grads = {"encoder": {"weight": nr.ones((3, 2)), "bias": nr.zeros(2)}, "head": nr.ones(2)}
    with pytest.raises(nr.ShapeError, match=r"'encoder.weight' expected shape \(2, 2\)"):
        opt.update(grads, state, params)
