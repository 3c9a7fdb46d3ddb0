"""One training step of a small CNN on MNIST-sized input: neurarust vs PyTorch CPU eager.

The model: conv 1->16 3x3 pad 1, ReLU, max-pool 2, conv 16->32 3x3 pad 1, ReLU, max-pool 2,
Linear 32*7*7 -> 10; batch 64 of 1x28x28, cross-entropy loss (log-softmax by ``logsumexp``,
targets picked by ``one_hot``). A step is forward, backward (``nr.value_and_grad``) and a plain
SGD update. Both frameworks start from the same weights (their first losses are printed) and
each runs in its own process; the times are medians of repeated steps (wall clock, and the
thread's CPU time, which other processes on a shared machine disturb less), PyTorch on one
thread. Minor page faults per step are shown: they dominate when the C allocator hands freed
memory back to the system between steps.

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE taskset -c 1 python benchmarks/cnn_step.py``
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import neurarust as nr
from neurarust.nn.conv import Conv2d
from neurarust.nn.pool import MaxPool2d

BATCH, CLASSES, LR = 64, 10, 0.01


class CNN(nr.nn.Module):
    """conv-relu-pool twice, then a linear classifier."""

    conv1: Conv2d
    conv2: Conv2d
    pool: MaxPool2d
    fc: nr.nn.Linear

    def __init__(self, key: Any) -> None:
        k1, k2, k3 = nr.random.split(nr.random.key(key), 3)
        self.conv1 = Conv2d(1, 16, 3, padding=1, key=k1)
        self.conv2 = Conv2d(16, 32, 3, padding=1, key=k2)
        self.pool = MaxPool2d(2)
        self.fc = nr.nn.Linear(32 * 7 * 7, CLASSES, key=k3)

    def __call__(self, x: nr.Array) -> nr.Array:
        x = self.pool(nr.relu(self.conv1(x)))
        x = self.pool(nr.relu(self.conv2(x)))
        return self.fc(nr.reshape(x, (x.shape[0], -1)))


def cross_entropy(logits: nr.Array, labels: nr.Array) -> nr.Array:
    """Mean negative log-likelihood of ``labels`` under ``softmax(logits)``."""
    log_probs = logits - nr.logsumexp(logits, axis=1, keepdims=True)
    return -nr.sum(log_probs * nr.one_hot(labels, CLASSES)) / logits.shape[0]


def loss_fn(model: CNN, x: nr.Array, y: nr.Array) -> nr.Array:
    return cross_entropy(model(x), y)


def neurarust_step(x: nr.Array, y: nr.Array) -> tuple[Callable[[], float], CNN]:
    value_and_grad = nr.value_and_grad(loss_fn)
    state = {"model": CNN(0)}

    def step() -> float:
        loss, grads = value_and_grad(state["model"], x, y)
        state["model"] = nr.tree.map(lambda p, g: p - LR * g, state["model"], grads)
        return float(loss)

    return step, state["model"]


def torch_step(model: CNN, x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    import torch

    torch.set_num_threads(1)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(32 * 7 * 7, CLASSES),
    )
    with torch.no_grad():
        for layer, ours in zip(
            (net[0], net[3], net[7]), (model.conv1, model.conv2, model.fc), strict=True
        ):
            layer.weight.copy_(torch.from_numpy(np.array(ours.weight)))
            layer.bias.copy_(torch.from_numpy(np.array(ours.bias)))
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def step() -> float:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(tx), ty)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def _faults() -> int:
    """Minor page faults of this process so far (0 where ``resource`` is unavailable)."""
    try:
        import resource
    except ImportError:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def measure(step: Callable[[], float], repeat: int = 40) -> dict[str, Any]:
    """Losses of three warm-up steps, then the median and minimum wall-clock time, median CPU
    time of this thread and minor page faults per step over ``repeat`` steps."""
    losses = [step() for _ in range(3)]
    wall, cpu, faults = [], [], _faults()
    for _ in range(repeat):
        c0, t0 = time.thread_time(), time.perf_counter()
        step()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return {
        "losses": losses,
        "median": statistics.median(wall),
        "min": min(wall),
        "cpu": statistics.median(cpu),
        "faults": (_faults() - faults) // repeat,
    }


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    return x, rng.integers(0, CLASSES, size=BATCH)


def _report(name: str, r: dict[str, Any]) -> None:
    losses = ", ".join(f"{v:.5f}" for v in r["losses"])
    print(
        f"{name:>10}: median {r['median'] * 1e3:6.2f} ms, min {r['min'] * 1e3:6.2f} ms, CPU "
        f"median {r['cpu'] * 1e3:6.2f} ms, {r['faults']} page faults/step "
        f"(first losses {losses})"
    )


def main() -> None:
    """neurarust in this process, then PyTorch in a fresh one (same CPU affinity and
    weights): sharing one process, each framework's freed memory changes when the C
    allocator returns memory to the system, and so the other's page faults."""
    if sys.argv[1:] == ["--torch"]:
        x, y = _data()
        print(json.dumps(measure(torch_step(CNN(0), x, y))))
        return
    x, y = _data()
    ours, _ = neurarust_step(nr.asarray(x), nr.asarray(y))
    _report("neurarust", measure(ours))
    if importlib.util.find_spec("torch") is None:
        print("     torch: not installed, skipped")
        return
    run = subprocess.run(
        [sys.executable, __file__, "--torch"], capture_output=True, text=True, check=True
    )
    _report("torch", json.loads(run.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
