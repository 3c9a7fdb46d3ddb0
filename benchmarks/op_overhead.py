"""Per-op cost of eager neurarust against raw NumPy, PyTorch and JAX (when installed).

Small (8x8) arrays show the per-op overhead; large (1024x1024) ones show whether any copy or
conversion slips in. Each cell is the median over many repeats (timeit-style) of the time of
one call, in microseconds. Also prints the time of ``import neurarust`` in a fresh process.

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE taskset -c 1 python benchmarks/op_overhead.py``
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import timeit
from collections.abc import Callable

import numpy as np

import neurarust as nr

SIZES = {"8x8": (8, 8), "1024x1024": (1024, 1024)}
OPS = ["add", "x + y", "mul", "sum", "matmul", "x[2]", "x[1:3]", ".at[2].set(1.0)"]
REPEATS = 15


def per_call_us(fn: Callable[[], object], budget_s: float = 0.02) -> float:
    """Median seconds per call of ``fn`` (in microseconds) over REPEATS timed batches."""
    fn()
    timer = timeit.Timer(fn)
    number, elapsed = timer.autorange()
    number = max(1, int(number * budget_s / max(elapsed, 1e-9)))
    times = timer.repeat(repeat=REPEATS, number=number)
    return statistics.median(times) / number * 1e6


def numpy_ops(shape: tuple[int, ...]) -> dict[str, Callable[[], object]]:
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape, dtype=np.float32)
    b = rng.standard_normal(shape, dtype=np.float32)

    def at_set() -> np.ndarray:
        c = a.copy()
        c[2] = 1.0
        return c

    return {
        "add": lambda: np.add(a, b),
        "x + y": lambda: a + b,
        "mul": lambda: np.multiply(a, b),
        "sum": lambda: np.sum(a),
        "matmul": lambda: np.matmul(a, b),
        "x[2]": lambda: a[2],
        "x[1:3]": lambda: a[1:3],
        ".at[2].set(1.0)": at_set,
    }


def neurarust_ops(shape: tuple[int, ...]) -> dict[str, Callable[[], object]]:
    rng = np.random.default_rng(0)
    x = nr.asarray(rng.standard_normal(shape, dtype=np.float32))
    y = nr.asarray(rng.standard_normal(shape, dtype=np.float32))
    return {
        "add": lambda: nr.add(x, y),
        "x + y": lambda: x + y,
        "mul": lambda: nr.multiply(x, y),
        "sum": lambda: nr.sum(x),
        "matmul": lambda: nr.matmul(x, y),
        "x[2]": lambda: x[2],
        "x[1:3]": lambda: x[1:3],
        ".at[2].set(1.0)": lambda: x.at[2].set(1.0),
    }


def torch_ops(shape: tuple[int, ...]) -> dict[str, Callable[[], object]]:
    import torch

    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    t = torch.randn(shape, generator=gen)
    u = torch.randn(shape, generator=gen)
    index = (torch.tensor(2),)
    one = torch.tensor(1.0)
    return {
        "add": lambda: torch.add(t, u),
        "x + y": lambda: t + u,
        "mul": lambda: torch.mul(t, u),
        "sum": lambda: torch.sum(t),
        "matmul": lambda: torch.matmul(t, u),
        "x[2]": lambda: t[2],
        "x[1:3]": lambda: t[1:3],
        ".at[2].set(1.0)": lambda: t.clone().index_put_(index, one),
    }


def jax_ops(shape: tuple[int, ...]) -> dict[str, Callable[[], object]]:
    import jax
    import jax.numpy as jnp

    k1, k2 = jax.random.split(jax.random.key(0))
    a = jax.random.normal(k1, shape, dtype=jnp.float32)
    b = jax.random.normal(k2, shape, dtype=jnp.float32)

    def ready(f: Callable[[], object]) -> Callable[[], object]:
        return lambda: f().block_until_ready()

    return {
        "add": ready(lambda: jnp.add(a, b)),
        "x + y": ready(lambda: a + b),
        "mul": ready(lambda: jnp.multiply(a, b)),
        "sum": ready(lambda: jnp.sum(a)),
        "matmul": ready(lambda: jnp.matmul(a, b)),
        "x[2]": ready(lambda: a[2]),
        "x[1:3]": ready(lambda: a[1:3]),
        ".at[2].set(1.0)": ready(lambda: a.at[2].set(1.0)),
    }


def frameworks() -> dict[str, Callable[[tuple[int, ...]], dict[str, Callable[[], object]]]]:
    found = {"numpy": numpy_ops, "neurarust": neurarust_ops}
    if importlib.util.find_spec("torch") is not None:
        found["torch"] = torch_ops
    if importlib.util.find_spec("jax") is not None:
        found["jax"] = jax_ops
    return found


def import_time_ms(module: str, runs: int = 5) -> float:
    """Median wall time of ``import module`` in a fresh interpreter, in milliseconds."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times) * 1e3


def main() -> None:
    libs = frameworks()
    failures: list[str] = []
    header = f"{'op':<17}{'size':<11}" + "".join(f"{name:>12}" for name in libs)
    header += f"{'nr/numpy':>10}"
    print(f"median time per call, microseconds ({REPEATS} repeats; numpy {np.__version__})")
    print(header)
    print("-" * len(header))
    for size_name, shape in SIZES.items():
        suites = {}
        for name, make in libs.items():
            try:
                suites[name] = make(shape)
            except Exception as e:  # a missing library or op is reported, not fatal
                failures.append(f"{name} setup: {type(e).__name__}: {e}")
                suites[name] = {}
        for op in OPS:
            cells = {}
            for name in libs:
                fn = suites[name].get(op)
                try:
                    cells[name] = per_call_us(fn) if fn is not None else None
                except Exception as e:  # an op that does not exist yet is reported, not fatal
                    failures.append(f"{name} {op} {size_name}: {type(e).__name__}: {e}")
                    cells[name] = None
            row = f"{op:<17}{size_name:<11}"
            row += "".join(
                f"{cells[n]:>12.2f}" if cells[n] is not None else f"{'-':>12}" for n in libs
            )
            nr_t, np_t = cells.get("neurarust"), cells.get("numpy")
            row += f"{nr_t / np_t:>10.2f}" if nr_t and np_t else f"{'-':>10}"
            print(row)
    print()
    print(
        f"import neurarust: {import_time_ms('neurarust'):.1f} ms "
        f"(import numpy: {import_time_ms('numpy'):.1f} ms), median of 5 fresh processes"
    )
    for line in failures:
        print("failed:", line)


if __name__ == "__main__":
    main()
