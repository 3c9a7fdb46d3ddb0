"""Adam step over a 10M-parameter tree: ``nr.optim.adam`` vs a hand-written NumPy Adam.

Both do one full step (moments, bias corrections, parameter update) without writing into
existing arrays, PyTorch's update rule; the times are medians of repeated steps. Also times
``torch.optim.Adam`` (single-tensor, one thread, in place) when torch is installed.

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE taskset -c 1 python benchmarks/adam_update.py``
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

import neurarust as nr

SHAPES = {"embed": (2_000, 2_000), "w1": (2_000, 1_500), "w2": (1_500, 2_000), "b": (1_000,)}
LR, B1, B2, EPS = 1e-3, 0.9, 0.999, 1e-8


def median_time(step: Callable[[], object], repeat: int = 15) -> float:
    step()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def make_tree(rng: np.random.Generator, scale: float = 1.0) -> dict[str, np.ndarray]:
    return {k: (scale * rng.standard_normal(s)).astype(np.float32) for k, s in SHAPES.items()}


def bench_numpy(params: dict, grads: dict) -> float:
    state = {"t": 0, "m": {k: np.zeros_like(p) for k, p in params.items()}}
    state["v"] = {k: np.zeros_like(p) for k, p in params.items()}
    state["p"] = dict(params)

    def step() -> None:
        state["t"] += 1
        t = state["t"]
        step_size = LR / (1 - B1**t)
        bc2_sqrt = (1 - B2**t) ** 0.5
        for k, g in grads.items():
            m = B1 * state["m"][k] + (1 - B1) * g
            v = B2 * state["v"][k] + (1 - B2) * g * g
            denom = np.sqrt(v) / bc2_sqrt + EPS
            state["p"][k] = state["p"][k] - step_size * m / denom
            state["m"][k], state["v"][k] = m, v

    return median_time(step)


def bench_neurarust(params: dict, grads: dict) -> float:
    opt = nr.optim.adam(lr=LR, betas=(B1, B2), eps=EPS)
    p = {k: nr.asarray(v) for k, v in params.items()}
    g = {k: nr.asarray(v) for k, v in grads.items()}
    box = [p, opt.init(p)]

    def step() -> None:
        box[0], box[1] = opt.step(box[0], g, box[1])

    return median_time(step)


def bench_torch(params: dict, grads: dict) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    ps = [torch.tensor(v, requires_grad=True) for v in params.values()]
    for p, g in zip(ps, grads.values(), strict=True):
        p.grad = torch.tensor(g)
    opt = torch.optim.Adam(ps, lr=LR, betas=(B1, B2), eps=EPS, foreach=False)
    return median_time(opt.step)


def main() -> None:
    rng = np.random.default_rng(0)
    params, grads = make_tree(rng), make_tree(rng, 1e-2)
    n = sum(p.size for p in params.values())
    t_np = bench_numpy(params, grads)
    t_nr = bench_neurarust(params, grads)
    t_torch = bench_torch(params, grads)
    print(f"Adam step, {n / 1e6:.1f}M float32 parameters in {len(params)} arrays (median)")
    print(f"  numpy (hand-written)  {t_np * 1e3:8.1f} ms")
    print(f"  neurarust             {t_nr * 1e3:8.1f} ms   ratio to numpy {t_nr / t_np:.2f}x")
    if t_torch is not None:
        print(
            f"  torch (in place)      {t_torch * 1e3:8.1f} ms   ratio to numpy {t_torch / t_np:.2f}x"
        )


if __name__ == "__main__":
    main()
