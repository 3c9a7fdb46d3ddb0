"""Reverse-mode overhead: ``grad`` of a chain of 100 adds, per add (forward + backward).

Also, for large arrays, the backward pass's time relative to the forward pass.
Compares neurarust with PyTorch, HIPS autograd and JAX (eager, no jit) when installed, then
the jitted ``grad`` (and ``value_and_grad``) of the chain: neurarust ``jit`` against ``jax.jit``.

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE taskset -c 1 python benchmarks/grad_chain.py``
"""

from __future__ import annotations

import statistics
import timeit
from collections.abc import Callable

import numpy as np

import neurarust as nr

N_ADDS = 100


def median_time(fn: Callable[[], object], repeat: int = 30, number: int = 5) -> float:
    fn()
    times = timeit.repeat(fn, repeat=repeat, number=number)
    return statistics.median(times) / number


def chain(x, y):
    for _ in range(N_ADDS):
        x = x + y
    return x.sum()


def bench_neurarust(shape):
    x = nr.asarray(np.ones(shape, np.float32))
    y = nr.asarray(np.full(shape, 0.5, np.float32))
    g = nr.grad(chain)
    total = median_time(lambda: g(x, y))
    fwd = median_time(lambda: chain(x, y))
    return total, fwd


def bench_torch(shape):
    import torch

    torch.set_num_threads(1)
    x = torch.ones(shape, requires_grad=True)
    y = torch.full(shape, 0.5)

    def step():
        x.grad = None
        chain(x, y).backward()

    def fwd():
        with torch.no_grad():
            chain(x, y)

    return median_time(step), median_time(fwd)


def bench_autograd(shape):
    import autograd
    import autograd.numpy as anp

    x = anp.ones(shape, dtype=np.float32)
    y = np.full(shape, 0.5, np.float32)
    g = autograd.grad(lambda x: chain(x, y))
    return median_time(lambda: g(x)), median_time(lambda: chain(x, y))


def bench_jax(shape):
    import jax
    import jax.numpy as jnp

    x = jnp.ones(shape, jnp.float32)
    y = jnp.full(shape, 0.5, jnp.float32)
    g = jax.grad(chain)
    return (
        median_time(lambda: g(x, y).block_until_ready(), repeat=5),
        median_time(lambda: chain(x, y).block_until_ready(), repeat=5),
    )


def bench_jit_neurarust(shape):
    x = nr.asarray(np.ones(shape, np.float32))
    y = nr.asarray(np.full(shape, 0.5, np.float32))
    g, vg = nr.jit(nr.grad(chain)), nr.jit(nr.value_and_grad(chain, argnums=(0, 1)))
    return median_time(lambda: g(x, y)), median_time(lambda: vg(x, y))


def bench_jit_jax(shape):
    import jax
    import jax.numpy as jnp

    x = jnp.ones(shape, jnp.float32)
    y = jnp.full(shape, 0.5, jnp.float32)
    g, vg = jax.jit(jax.grad(chain)), jax.jit(jax.value_and_grad(chain, argnums=(0, 1)))
    return (
        median_time(lambda: jax.block_until_ready(g(x, y))),
        median_time(lambda: jax.block_until_ready(vg(x, y))),
    )


def main() -> None:
    rows = []
    for name, fn in [
        ("neurarust", bench_neurarust),
        ("PyTorch", bench_torch),
        ("HIPS autograd", bench_autograd),
        ("JAX (no jit)", bench_jax),
    ]:
        try:
            small_total, _ = fn((8, 8))
            big_total, big_fwd = fn((1024, 1024)) if name != "JAX (no jit)" else (np.nan, np.nan)
        except ImportError:
            continue
        bwd_ratio = (big_total - big_fwd) / big_fwd
        rows.append((name, small_total / N_ADDS * 1e6, big_total * 1e3, bwd_ratio))
    print(f"grad of a {N_ADDS}-add chain (median of repeats)")
    print(
        f"{'framework':<16}{'8x8: us per add':>18}{'1024^2: ms total':>20}{'1024^2: bwd/fwd':>18}"
    )
    for name, per_add, big_ms, ratio in rows:
        print(f"{name:<16}{per_add:>18.2f}{big_ms:>20.1f}{ratio:>18.2f}")
    print("\njitted, 8x8 (us per add; value_and_grad also returns the value and both grads)")
    print(f"{'framework':<16}{'grad':>10}{'value_and_grad':>18}")
    for name, fn in [("neurarust jit", bench_jit_neurarust), ("jax.jit", bench_jit_jax)]:
        try:
            t_g, t_vg = fn((8, 8))
        except ImportError:
            continue
        print(f"{name:<16}{t_g / N_ADDS * 1e6:>10.3f}{t_vg / N_ADDS * 1e6:>18.3f}")


if __name__ == "__main__":
    main()
