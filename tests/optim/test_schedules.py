"""Schedules: the first 50 values against closed forms written with ``math``, against
PyTorch's schedulers stepped once per step (when installed), and ReduceLROnPlateau."""

from __future__ import annotations

import bisect
import math

import numpy as np
import pytest

import neurarust as nr

S = nr.optim.schedules
N = 50


def cos_anneal(lr: float, eta: float, t: float, period: float) -> float:
    return eta + (lr - eta) * (1 + math.cos(math.pi * t / period)) / 2


def warm_restarts(lr: float, t0: int, mult: int, eta: float, t: int) -> float:
    t_i, t_cur = t0, t
    while t_cur >= t_i:
        t_cur -= t_i
        t_i *= mult
    return cos_anneal(lr, eta, t_cur, t_i)


def one_cycle(max_lr: float, total: int, t: int, pct: float = 0.3, strategy: str = "cos") -> float:
    initial, peak = max_lr / 25, max_lr
    final = initial / 1e4
    warm_end = pct * total - 1
    if t <= warm_end:
        a, b, frac = initial, peak, t / warm_end
    else:
        a, b, frac = peak, final, (t - warm_end) / (total - 1 - warm_end)
    if strategy == "cos":
        return b + (a - b) / 2 * (math.cos(math.pi * frac) + 1)
    return a + (b - a) * frac


CLOSED_FORMS = {
    "constant": (S.constant(0.3), lambda t: 0.3),
    "step_lr": (S.step_lr(0.1, 7, 0.5), lambda t: 0.1 * 0.5 ** (t // 7)),
    "multistep_lr": (
        S.multistep_lr(0.1, [5, 12, 12, 30], 0.3),
        lambda t: 0.1 * 0.3 ** bisect.bisect_right([5, 12, 12, 30], t),
    ),
    "exponential_lr": (S.exponential_lr(0.1, 0.95), lambda t: 0.1 * 0.95**t),
    "linear_lr": (
        S.linear_lr(0.1, 0.25, 0.9, 20),
        lambda t: 0.1 * (0.25 + 0.65 * min(t, 20) / 20),
    ),
    "cosine_annealing_lr": (
        S.cosine_annealing_lr(0.1, 20, 0.01),
        lambda t: cos_anneal(0.1, 0.01, t, 20),
    ),
    "warm_restarts_mult1": (
        S.cosine_annealing_warm_restarts(0.1, 7, 1, 0.001),
        lambda t: warm_restarts(0.1, 7, 1, 0.001, t),
    ),
    "warm_restarts_mult2": (
        S.cosine_annealing_warm_restarts(0.1, 3, 2),
        lambda t: warm_restarts(0.1, 3, 2, 0.0, t),
    ),
    "warm_restarts_mult3": (
        S.cosine_annealing_warm_restarts(1.0, 1, 3, 0.1),
        lambda t: warm_restarts(1.0, 1, 3, 0.1, t),
    ),
    "one_cycle_lr": (S.one_cycle_lr(0.1, total_steps=N), lambda t: one_cycle(0.1, N, t)),
    "one_cycle_lr_linear": (
        S.one_cycle_lr(0.1, epochs=5, steps_per_epoch=10, anneal_strategy="linear"),
        lambda t: one_cycle(0.1, N, t, strategy="linear"),
    ),
    "warmup_cosine": (
        S.warmup_cosine(0.1, 10, 40, eta_min=0.001),
        lambda t: 0.1 * t / 10 if t < 10 else cos_anneal(0.1, 0.001, min(t - 10, 30), 30),
    ),
    "polynomial_lr": (
        S.polynomial_lr(0.1, 30, 2.0),
        lambda t: 0.1 * (1 - min(t, 30) / 30) ** 2,
    ),
    "join_schedules": (
        S.join_schedules([S.constant(0.01), S.exponential_lr(0.1, 0.9)], [10]),
        lambda t: 0.01 if t < 10 else 0.1 * 0.9 ** (t - 10),
    ),
    "lambda_lr": (S.lambda_lr(0.1, lambda t: 1 / (1 + t)), lambda t: 0.1 / (1 + t)),
}


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
def test_first_50_values_match_the_closed_form(name):
    schedule, expected = CLOSED_FORMS[name]
    for t in range(N):
        value = schedule(t)
        assert value.dtype == nr.float64 and value.shape == ()
        assert float(value) == pytest.approx(expected(t), rel=1e-12, abs=1e-15), t
        # the step as optimizer states hold it: a 0-d int32 array
        assert float(schedule(nr.asarray(t, dtype=nr.int32))) == pytest.approx(float(value))


def test_one_cycle_three_phase_and_momentum():
    lr = S.one_cycle_lr(1.0, total_steps=20, pct_start=0.25, three_phase=True)
    mom = S.one_cycle_momentum(total_steps=20, pct_start=0.25, three_phase=True)
    values = [float(lr(t)) for t in range(21)]
    assert values[0] == pytest.approx(0.04) and values[4] == pytest.approx(1.0)
    assert values[8] == pytest.approx(0.04) and values[19] == pytest.approx(0.04 / 1e4)
    assert float(mom(0)) == pytest.approx(0.95) and float(mom(4)) == pytest.approx(0.85)
    assert float(mom(8)) == pytest.approx(0.95) and float(mom(19)) == pytest.approx(0.95)
    assert float(lr(1000)) == pytest.approx(values[20])  # past total_steps: the value holds


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: S.step_lr(0.1, 0), "step_lr: argument 'step_size' expected a positive int"),
        (lambda: S.cosine_annealing_lr(0.1, 0), "'T_max' expected a positive number"),
        (lambda: S.cosine_annealing_warm_restarts(0.1, 3, 0), "'T_mult' expected an int >= 1"),
        (lambda: S.linear_lr(0.1, start_factor=0.0), "'start_factor' expected"),
        (lambda: S.one_cycle_lr(0.1), "give either 'total_steps'"),
        (lambda: S.one_cycle_lr(0.1, 10, anneal_strategy="exp"), "'anneal_strategy'"),
        (lambda: S.one_cycle_lr(0.1, 10, pct_start=0.1), "a phase of zero length"),
        (lambda: S.warmup_cosine(0.1, 10, 10), "'total_steps' expected more than"),
        (lambda: S.join_schedules([S.constant(1.0)], [3]), "len\\(boundaries\\)"),
        (lambda: S.multistep_lr(0.1, [1.5]), "'milestones' expected ints"),
    ],
)
def test_bad_schedule_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_schedule_drives_the_learning_rate_of_each_step():
    opt = nr.optim.sgd(lr=S.step_lr(1.0, 2, 0.5))
    w = nr.asarray(0.0, dtype=nr.float64)
    state = opt.init(w)
    for expected in [-1.0, -2.0, -2.5, -3.0, -3.25]:
        w, state = opt.step(w, nr.ones_like(w), state)
        assert float(w) == pytest.approx(expected)


# -------------------------------------------------------------- against PyTorch


def torch_lrs(make_scheduler, steps: int = N, lr: float = 0.1) -> list[float]:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=lr, momentum=0.9)
    sched = make_scheduler(torch.optim.lr_scheduler, opt)
    values = []
    for _ in range(steps):
        values.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return values


TORCH_CASES = {
    "step_lr": (S.step_lr(0.1, 7, 0.5), lambda m, o: m.StepLR(o, 7, 0.5)),
    "multistep_lr": (
        S.multistep_lr(0.1, [5, 12, 12, 30], 0.3),
        lambda m, o: m.MultiStepLR(o, [5, 12, 12, 30], 0.3),
    ),
    "exponential_lr": (S.exponential_lr(0.1, 0.95), lambda m, o: m.ExponentialLR(o, 0.95)),
    "linear_lr": (
        S.linear_lr(0.1, 0.25, 0.9, 20),
        lambda m, o: m.LinearLR(o, 0.25, 0.9, 20),
    ),
    "cosine_annealing_lr": (
        S.cosine_annealing_lr(0.1, 20, 0.01),
        lambda m, o: m.CosineAnnealingLR(o, 20, 0.01),
    ),
    "warm_restarts": (
        S.cosine_annealing_warm_restarts(0.1, 3, 2, 0.001),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, 3, 2, 0.001),
    ),
    "one_cycle_lr": (
        S.one_cycle_lr(0.1, total_steps=N),
        lambda m, o: m.OneCycleLR(o, 0.1, total_steps=N),
    ),
    "one_cycle_three_phase": (
        S.one_cycle_lr(0.1, total_steps=N, anneal_strategy="linear", three_phase=True),
        lambda m, o: m.OneCycleLR(
            o, 0.1, total_steps=N, anneal_strategy="linear", three_phase=True
        ),
    ),
    "polynomial_lr": (S.polynomial_lr(0.1, 30, 2.0), lambda m, o: m.PolynomialLR(o, 30, 2.0)),
    "lambda_lr": (
        S.lambda_lr(0.1, lambda t: 1 / (1 + t)),
        lambda m, o: m.LambdaLR(o, lambda t: 1 / (1 + t)),
    ),
    "join_schedules": (
        S.join_schedules([S.linear_lr(0.1, 0.1, 1.0, 5), S.exponential_lr(0.1, 0.9)], [5]),
        lambda m, o: m.SequentialLR(
            o, [m.LinearLR(o, 0.1, 1.0, 5), m.ExponentialLR(o, 0.9)], milestones=[5]
        ),
    ),
}


@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_first_50_values_match_torch_get_last_lr(name):
    schedule, make_torch = TORCH_CASES[name]
    expected = torch_lrs(make_torch)
    ours = [float(schedule(t)) for t in range(N)]
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-15)


def test_one_cycle_momentum_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=N)
    mom = S.one_cycle_momentum(total_steps=N)
    for t in range(N - 1):
        assert float(mom(t)) == pytest.approx(opt.param_groups[0]["momentum"], rel=1e-12), t
        opt.step()
        sched.step()


# ------------------------------------------------------------- reduce_on_plateau

METRICS = [1.0, 0.9, 0.9, 0.9, 0.95, 0.9, 0.89999, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6] * 3


def plateau_reference(metrics, factor, patience, threshold, mode, threshold_mode, cooldown, min_lr):
    """ReduceLROnPlateau's documented decisions, in plain Python."""
    lr, best, bad, cool, lrs = 1.0, math.inf if mode == "min" else -math.inf, 0, 0, []
    for a in metrics:
        if mode == "min":
            better = a < (best * (1 - threshold) if threshold_mode == "rel" else best - threshold)
        else:
            better = a > (best * (1 + threshold) if threshold_mode == "rel" else best + threshold)
        if better:
            best, bad = a, 0
        else:
            bad += 1
        if cool > 0:
            cool, bad = cool - 1, 0
        if bad > patience:
            new = max(lr * factor, min_lr)
            if lr - new > 1e-8:
                lr = new
            cool, bad = cooldown, 0
        lrs.append(lr)
    return lrs


PLATEAU_CASES = [
    {"factor": 0.5, "patience": 2, "threshold": 1e-4, "mode": "min", "threshold_mode": "rel",
     "cooldown": 0, "min_lr": 0.0},
    {"factor": 0.1, "patience": 1, "threshold": 0.05, "mode": "min", "threshold_mode": "abs",
     "cooldown": 2, "min_lr": 0.02},
    {"factor": 0.5, "patience": 0, "threshold": 0.01, "mode": "max", "threshold_mode": "rel",
     "cooldown": 1, "min_lr": 0.1},
    {"factor": 0.3, "patience": 3, "threshold": 0.0, "mode": "max", "threshold_mode": "abs",
     "cooldown": 0, "min_lr": 0.0},
]  # fmt: skip


def run_plateau(kw: dict, metrics: list[float]) -> list[float]:
    tx = nr.optim.reduce_on_plateau(**kw)
    state = tx.init(None)
    scales = []
    for m in metrics:
        updates, state = tx.update({"w": nr.ones(2)}, state, value=m)
        scales.append(float(updates["w"][0]))
        assert float(state.lr) == pytest.approx(scales[-1])
    return scales


@pytest.mark.parametrize("kw", PLATEAU_CASES)
def test_reduce_on_plateau_decisions(kw):
    np.testing.assert_allclose(
        run_plateau(kw, METRICS), plateau_reference(METRICS, **kw), rtol=1e-6
    )


@pytest.mark.parametrize("kw", PLATEAU_CASES)
def test_reduce_on_plateau_matches_torch(kw):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=1.0)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    expected = []
    for m in METRICS:
        sched.step(m)
        expected.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(run_plateau(kw, METRICS), expected, rtol=1e-6)


def test_reduce_on_plateau_in_a_chain_with_a_base_lr():
    opt = nr.optim.chain(
        nr.optim.sgd(lr=0.1),
        nr.optim.reduce_on_plateau(factor=0.5, patience=0, min_lr=0.03, lr=0.1),
    )
    w = nr.asarray(0.0, dtype=nr.float64)
    state = opt.init(w)
    lrs = []
    for metric in [1.0, 1.0, 1.0, 1.0]:
        new, state = opt.step(w, nr.ones_like(w), state, value=metric)
        lrs.append(float(w - new))
        w = new
    np.testing.assert_allclose(lrs, [0.1, 0.05, 0.03, 0.03])


def test_reduce_on_plateau_errors():
    with pytest.raises(ValueError, match="'factor' expected a value < 1"):
        nr.optim.reduce_on_plateau(factor=1.0)
    with pytest.raises(ValueError, match="'mode' expected 'min' or 'max'"):
        nr.optim.reduce_on_plateau(mode="up")
    tx = nr.optim.reduce_on_plateau()
    with pytest.raises(TypeError, match="update needs the metric"):
        tx.update({"w": nr.ones(1)}, tx.init(None))
