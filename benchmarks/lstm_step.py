"""One LSTM training step: ``nr.nn.LSTM`` + Linear head vs a hand-written NumPy LSTM vs PyTorch.

The model is an LSTM (input 64, hidden 128) over a sequence of 32 steps with batch 32, and a
Linear head (128 -> 10) on the last step's hidden state, trained with the mean squared error
and plain SGD. Each contender does the whole step: forward, backward, parameter update.

- neurarust: ``nr.value_and_grad`` of the loss of the model (a pytree), then an SGD
  ``nr.tree.map``;
- NumPy: forward and backward through time written by hand (input projections and weight
  gradients as one matmul over the whole sequence, a C-contiguous ``W_hh.T``, preallocated
  buffers), the same update;
- PyTorch: ``torch.nn.LSTM`` + ``torch.nn.Linear`` in eager mode, one thread, ``torch.optim.SGD``.

The three start from the same weights; the script checks that their losses and gradients
agree before timing. Times are medians of steps interleaved among the contenders.

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE taskset -c 1 python benchmarks/lstm_step.py``
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

import neurarust as nr
from neurarust.nn.rnn import LSTM

INPUT, HIDDEN, SEQ, BATCH, OUT = 64, 128, 32, 32, 10
LR = 0.01
REPEAT = 40


def interleaved_medians(steps: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Median seconds per step of each function, timed in turn REPEAT times (so that a busy
    machine slows every contender alike)."""
    for step in steps.values():
        for _ in range(3):
            step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(REPEAT):
        for name, step in steps.items():
            t0 = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


class Model(nr.nn.Module):
    """An LSTM with a Linear head on the last time step."""

    lstm: LSTM
    head: nr.nn.Linear

    def __init__(self, key: int) -> None:
        k1, k2 = nr.random.split(nr.random.key(key))
        self.lstm = LSTM(INPUT, HIDDEN, key=k1)
        self.head = nr.nn.Linear(HIDDEN, OUT, key=k2)

    def __call__(self, x: nr.Array) -> nr.Array:
        out, _ = self.lstm(x)
        return self.head(out[-1])


def loss_fn(model: Model, x: nr.Array, y: nr.Array) -> nr.Array:
    return nr.nn.functional.mse_loss(model(x), y)


grad_fn = nr.value_and_grad(loss_fn)


def nr_step(model: Model, x: nr.Array, y: nr.Array) -> tuple[Model, nr.Array]:
    loss, grads = grad_fn(model, x, y)
    return nr.tree.map(lambda p, g: p - LR * g, model, grads), loss


# ------------------------------------------------------------- hand-written NumPy


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def numpy_loss_and_grads(p: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> tuple:
    """Loss and gradients of the same model, backpropagation through time by hand."""
    seq, batch, _ = x.shape
    n = HIDDEN
    x2 = x.reshape(seq * batch, INPUT)
    xproj = (x2 @ p["w_ih"].T + (p["b_ih"] + p["b_hh"])).reshape(seq, batch, 4 * n)
    hs = np.zeros((seq + 1, batch, n), x.dtype)
    cs = np.zeros((seq + 1, batch, n), x.dtype)
    acts = np.empty((seq, batch, 4 * n), x.dtype)
    tcs = np.empty((seq, batch, n), x.dtype)
    w_hh_t = np.ascontiguousarray(p["w_hh"].T)
    for t in range(seq):
        gates = xproj[t] + hs[t] @ w_hh_t
        act = acts[t]
        act[:] = _sigmoid(gates)
        act[:, 2 * n : 3 * n] = np.tanh(gates[:, 2 * n : 3 * n])
        i, f, g, o = act[:, :n], act[:, n : 2 * n], act[:, 2 * n : 3 * n], act[:, 3 * n :]
        cs[t + 1] = f * cs[t] + i * g
        tcs[t] = np.tanh(cs[t + 1])
        hs[t + 1] = o * tcs[t]
    pred = hs[seq] @ p["w_out"].T + p["b_out"]
    diff = pred - y
    loss = np.mean(diff * diff)
    dpred = diff * (2 / diff.size)
    grads = {"w_out": dpred.T @ hs[seq], "b_out": dpred.sum(0)}
    dh = dpred @ p["w_out"]
    dc = np.zeros((batch, n), x.dtype)
    dgates = np.empty((seq, batch, 4 * n), x.dtype)
    w_hh = p["w_hh"]
    for t in reversed(range(seq)):
        act, tc = acts[t], tcs[t]
        i, f, g, o = act[:, :n], act[:, n : 2 * n], act[:, 2 * n : 3 * n], act[:, 3 * n :]
        dc += dh * o * (1 - tc * tc)
        d = dgates[t]
        d[:, :n] = dc * g * i * (1 - i)
        d[:, n : 2 * n] = dc * cs[t] * f * (1 - f)
        d[:, 2 * n : 3 * n] = dc * i * (1 - g * g)
        d[:, 3 * n :] = dh * tc * o * (1 - o)
        dc *= f
        dh = d @ w_hh
    d2 = dgates.reshape(seq * batch, 4 * n)
    grads["w_ih"] = d2.T @ x2
    grads["w_hh"] = d2.T @ hs[:seq].reshape(seq * batch, n)
    grads["b_ih"] = grads["b_hh"] = d2.sum(0)
    return loss, grads


def numpy_step(p: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> tuple[dict, float]:
    loss, grads = numpy_loss_and_grads(p, x, y)
    return {k: v - LR * grads[k] for k, v in p.items()}, loss


# ------------------------------------------------------------------------- torch


def torch_setup(p: dict[str, np.ndarray]) -> tuple | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    lstm = torch.nn.LSTM(INPUT, HIDDEN)
    head = torch.nn.Linear(HIDDEN, OUT)
    with torch.no_grad():
        for name, key in (
            ("weight_ih_l0", "w_ih"),
            ("weight_hh_l0", "w_hh"),
            ("bias_ih_l0", "b_ih"),
            ("bias_hh_l0", "b_hh"),
        ):
            getattr(lstm, name).copy_(torch.from_numpy(p[key]))
        head.weight.copy_(torch.from_numpy(p["w_out"]))
        head.bias.copy_(torch.from_numpy(p["b_out"]))
    opt = torch.optim.SGD([*lstm.parameters(), *head.parameters()], lr=LR)
    return torch, lstm, head, opt


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SEQ, BATCH, INPUT), dtype=np.float32)
    y = rng.standard_normal((BATCH, OUT), dtype=np.float32)
    model = Model(0)
    sd = {k: np.array(v) for k, v in nr.nn.state_dict(model).items()}
    p = {
        "w_ih": sd["lstm.weight_ih_l0"],
        "w_hh": sd["lstm.weight_hh_l0"],
        "b_ih": sd["lstm.bias_ih_l0"],
        "b_hh": sd["lstm.bias_hh_l0"],
        "w_out": sd["head.weight"],
        "b_out": sd["head.bias"],
    }
    xs, ys = nr.asarray(x), nr.asarray(y)

    loss_nr, g_nr = grad_fn(model, xs, ys)
    loss_np, g_np = numpy_loss_and_grads(p, x, y)
    assert abs(float(loss_nr) - loss_np) < 1e-5, (float(loss_nr), loss_np)
    np.testing.assert_allclose(np.asarray(g_nr.lstm.weight_hh_l0), g_np["w_hh"], atol=1e-5)
    np.testing.assert_allclose(np.asarray(g_nr.lstm.weight_ih_l0), g_np["w_ih"], atol=1e-5)

    box: list = [model, p]

    def nr_bench() -> None:
        box[0], _ = nr_step(box[0], xs, ys)

    def np_bench() -> None:
        box[1], _ = numpy_step(box[1], x, y)

    steps = {"numpy": np_bench, "neurarust": nr_bench}
    setup = torch_setup(p)
    if setup is not None:
        torch, lstm, head, opt = setup
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def torch_bench() -> None:
            opt.zero_grad()
            out, _ = lstm(tx)
            loss = torch.nn.functional.mse_loss(head(out[-1]), ty)
            loss.backward()
            opt.step()

        with torch.no_grad():
            loss_t = torch.nn.functional.mse_loss(head(lstm(tx)[0][-1]), ty).item()
        assert abs(loss_t - loss_np) < 1e-5, (loss_t, loss_np)
        steps["torch"] = torch_bench

    t = interleaved_medians(steps)
    print(
        f"LSTM training step: input {INPUT}, hidden {HIDDEN}, seq {SEQ}, batch {BATCH}, "
        f"Linear head -> {OUT}, MSE, SGD (median of {REPEAT}, interleaved)"
    )
    t_np, t_nr = t["numpy"], t["neurarust"]
    print(f"  numpy (hand-written)     {t_np * 1e3:8.2f} ms")
    print(f"  neurarust                {t_nr * 1e3:8.2f} ms   neurarust / numpy {t_nr / t_np:.2f}x")
    if "torch" in t:
        print(
            f"  torch (eager, 1 thread)  {t['torch'] * 1e3:8.2f} ms   neurarust / torch "
            f"{t_nr / t['torch']:.2f}x"
        )
    else:
        print("  torch                    not installed")


if __name__ == "__main__":
    main()
