"""Per-example gradients of a small MLP (64-128-10, batch 64): ``vmap(grad)`` vs a loop.

Times neurarust ``vmap(grad(loss))``, ``jit`` of it, and a Python loop of ``grad`` calls over
the examples; with ``torch.func`` (vmap of grad) and ``jax.jit(jax.vmap(jax.grad))`` when
installed. Medians of repeats.

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE taskset -c 1 python benchmarks/per_example_grads.py``
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

import neurarust as nr

BATCH, N_IN, N_HIDDEN, N_OUT = 64, 64, 128, 10


def median_ms(fn: Callable[[], object], repeat: int = 20) -> float:
    for _ in range(2):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def loss(params, x, y):
    h = nr.nn.functional.relu(x @ params["w1"] + params["b1"])
    logits = h @ params["w2"] + params["b2"]
    return nr.nn.functional.cross_entropy(logits[None], y[None])


def bench_neurarust(params_np, x_np, y_np) -> tuple[float, float, float]:
    params = {k: nr.asarray(v) for k, v in params_np.items()}
    x, y = nr.asarray(x_np), nr.asarray(y_np)
    per_example = nr.vmap(nr.grad(loss), in_axes=(None, 0, 0))
    jitted = nr.jit(per_example)
    g = nr.grad(loss)

    def loop() -> None:
        for i in range(BATCH):
            g(params, x[i], y[i])

    return (
        median_ms(lambda: per_example(params, x, y)),
        median_ms(lambda: jitted(params, x, y)),
        median_ms(loop, repeat=5),
    )


def bench_torch(params_np, x_np, y_np) -> float | None:
    try:
        import torch
        from torch.func import grad, vmap
    except ImportError:
        return None
    torch.set_num_threads(1)
    params = {k: torch.tensor(v) for k, v in params_np.items()}
    x, y = torch.tensor(x_np), torch.tensor(y_np)

    def t_loss(p, xi, yi):
        h = torch.relu(xi @ p["w1"] + p["b1"])
        logits = h @ p["w2"] + p["b2"]
        return torch.nn.functional.cross_entropy(logits[None], yi[None])

    per_example = vmap(grad(t_loss), in_dims=(None, 0, 0))
    return median_ms(lambda: per_example(params, x, y))


def bench_jax(params_np, x_np, y_np) -> float | None:
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None

    def j_loss(p, xi, yi):
        h = jax.nn.relu(xi @ p["w1"] + p["b1"])
        logits = h @ p["w2"] + p["b2"]
        return -jax.nn.log_softmax(logits)[yi]

    per_example = jax.jit(jax.vmap(jax.grad(j_loss), in_axes=(None, 0, 0)))
    params = {k: jnp.asarray(v) for k, v in params_np.items()}
    x, y = jnp.asarray(x_np), jnp.asarray(y_np)
    return median_ms(lambda: jax.block_until_ready(per_example(params, x, y)))


def main() -> None:
    rng = np.random.default_rng(0)
    params = {
        "w1": (rng.standard_normal((N_IN, N_HIDDEN)) / 8).astype(np.float32),
        "b1": np.zeros(N_HIDDEN, np.float32),
        "w2": (rng.standard_normal((N_HIDDEN, N_OUT)) / 11).astype(np.float32),
        "b2": np.zeros(N_OUT, np.float32),
    }
    x = rng.standard_normal((BATCH, N_IN)).astype(np.float32)
    y = rng.integers(0, N_OUT, size=BATCH)
    t_vmap, t_jit, t_loop = bench_neurarust(params, x, y)
    print(f"per-example gradients, MLP {N_IN}-{N_HIDDEN}-{N_OUT}, batch {BATCH} (median ms)")
    print(f"  neurarust vmap(grad)       {t_vmap:8.2f}")
    print(f"  neurarust jit(vmap(grad))  {t_jit:8.2f}")
    print(f"  neurarust loop of grad     {t_loop:8.2f}   ({t_loop / t_vmap:.1f}x the vmap time)")
    for name, fn in [("torch.func vmap(grad)", bench_torch), ("jax.jit(vmap(grad))", bench_jax)]:
        t = fn(params, x, y)
        print(f"  {name:<26} {'not installed' if t is None else f'{t:8.2f}'}")


if __name__ == "__main__":
    main()
