"""MLP training step (784-512-512-10, batch 128, SGD): eager vs ``jit``.

Compares one full step (forward, cross-entropy, backward, SGD update) in neurarust eager,
neurarust ``jit``, a hand-written NumPy step, and PyTorch and ``jax.jit`` when installed. Also
reports the time to trace and run the first jitted call. Medians of repeated steps.

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE taskset -c 1 python benchmarks/mlp_step.py``
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable

import numpy as np

import neurarust as nr

SIZES = (784, 512, 512, 10)
BATCH, LR = 128, 0.01


def median_time(step: Callable[[], object], repeat: int = 40) -> float:
    for _ in range(3):
        step()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def init_params(rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    params = []
    for n_in, n_out in itertools.pairwise(SIZES):
        w = (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(np.float32)
        params.append((w, np.zeros(n_out, np.float32)))
    return params


def loss_fn(params, x, y):
    h = x
    for w, b in params[:-1]:
        h = nr.nn.functional.relu(h @ w + b)
    w, b = params[-1]
    return nr.nn.functional.cross_entropy(h @ w + b, y)


def sgd_step(params, x, y):
    grads = nr.grad(loss_fn)(params, x, y)
    return nr.tree.map(lambda p, g: p - LR * g, params, grads)


def bench_neurarust(params_np, x_np, y_np) -> tuple[float, float, float]:
    params = nr.tree.map(nr.asarray, params_np)
    x, y = nr.asarray(x_np), nr.asarray(y_np)
    state = {"p": params}

    def eager() -> None:
        state["p"] = sgd_step(state["p"], x, y)

    t_eager = median_time(eager)
    jitted = nr.jit(sgd_step)
    t0 = time.perf_counter()
    state["p"] = jitted(params, x, y)
    t_first = time.perf_counter() - t0

    def compiled() -> None:
        state["p"] = jitted(state["p"], x, y)

    return t_eager, median_time(compiled), t_first


def bench_numpy(params_np, x, y) -> float:
    state = {"p": [(w.copy(), b.copy()) for w, b in params_np]}
    onehot = np.eye(SIZES[-1], dtype=np.float32)[y]

    def step() -> None:
        params = state["p"]
        acts, pre = [x], []
        h = x
        for w, b in params[:-1]:
            z = h @ w + b
            pre.append(z)
            h = np.maximum(z, 0)
            acts.append(h)
        w, b = params[-1]
        logits = h @ w + b
        logits = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        probs = e / e.sum(axis=1, keepdims=True)
        g = (probs - onehot) / BATCH
        new = []
        for i in range(len(params) - 1, -1, -1):
            w, b = params[i]
            gw, gb = acts[i].T @ g, g.sum(axis=0)
            if i > 0:
                g = (g @ w.T) * (pre[i - 1] > 0)
            new.append((w - LR * gw, b - LR * gb))
        state["p"] = new[::-1]

    return median_time(step)


def bench_torch(params_np, x_np, y_np) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    params = [
        (torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True))
        for w, b in params_np
    ]
    x, y = torch.tensor(x_np), torch.tensor(y_np)
    opt = torch.optim.SGD([t for p in params for t in p], lr=LR)

    def step() -> None:
        opt.zero_grad()
        h = x
        for w, b in params[:-1]:
            h = torch.relu(h @ w + b)
        w, b = params[-1]
        torch.nn.functional.cross_entropy(h @ w + b, y).backward()
        opt.step()

    return median_time(step)


def bench_jax(params_np, x_np, y_np) -> float | None:
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None

    def loss(params, x, y):
        h = x
        for w, b in params[:-1]:
            h = jax.nn.relu(h @ w + b)
        w, b = params[-1]
        logits = h @ w + b
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], 1))

    @jax.jit
    def step(params, x, y):
        grads = jax.grad(loss)(params, x, y)
        return jax.tree.map(lambda p, g: p - LR * g, params, grads)

    state = {"p": jax.tree.map(jnp.asarray, params_np)}
    x, y = jnp.asarray(x_np), jnp.asarray(y_np)

    def run() -> None:
        state["p"] = step(state["p"], x, y)
        jax.block_until_ready(state["p"])

    return median_time(run)


def main() -> None:
    rng = np.random.default_rng(0)
    params = init_params(rng)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], size=BATCH)
    eager, jitted, first = bench_neurarust(params, x, y)
    rows = [
        ("neurarust eager", eager),
        ("neurarust jit", jitted),
        ("NumPy by hand", bench_numpy(params, x, y)),
        ("PyTorch eager", bench_torch(params, x, y)),
        ("jax.jit", bench_jax(params, x, y)),
    ]
    print(f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, SGD step (median ms)")
    for name, t in rows:
        print(f"  {name:<18} {'not installed' if t is None else f'{t * 1e3:8.2f}'}")
    print(f"  jit trace + first call: {first * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
