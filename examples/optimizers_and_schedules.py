"""Optimizers, learning-rate schedules, parameter groups, clipping and gradient accumulation.

Run: ``python examples/optimizers_and_schedules.py`` (a few seconds). Every optimizer in
``nr.optim`` is a gradient transformation (``init`` / ``update``), and the extras compose
with it instead of being options of each optimizer:

- ``nr.optim.sgd`` (plain and Nesterov momentum) against ``nr.optim.adam`` on one problem;
- a schedule (``nr.optim.schedules.warmup_cosine``) passed where a learning rate goes;
- parameter groups with ``nr.optim.multi_transform`` and glob patterns over parameter paths:
  AdamW with weight decay for the weights, none for the biases (``"*.bias"``);
- gradient clipping, ``nr.optim.chain(nr.optim.clip_by_global_norm(1.0), ...)``;
- gradient accumulation, ``nr.optim.multi_steps(adam, every_k=4)``: four micro-batches per
  step give the same model as one step on the whole batch (up to float32 rounding).

The problem: classify three interleaved spirals (``nr.data.datasets.make_spirals``) with a
small MLP, full batch, the same initial weights for every run. Prints a comparison table.
"""

from __future__ import annotations

import time

import numpy as np
from tqdm import tqdm

import neurarust as nr


def make_model(key: nr.Array, hidden: int = 64) -> nr.nn.Sequential:
    k1, k2, k3 = nr.random.split(key, 3)
    return nr.nn.Sequential(
        nr.nn.Linear(2, hidden, key=k1),
        nr.nn.Tanh(),
        nr.nn.Linear(hidden, hidden, key=k2),
        nr.nn.Tanh(),
        nr.nn.Linear(hidden, 3, key=k3),
    )


def loss_fn(model: nr.nn.Sequential, x: nr.Array, y: nr.Array) -> nr.Array:
    return nr.nn.functional.cross_entropy(model(x), y)


def train(
    opt: nr.optim.GradientTransformation,
    model: nr.nn.Sequential,
    x: nr.Array,
    y: nr.Array,
    steps: int,
    micro_batches: int = 1,
    desc: str = "",
) -> tuple[nr.nn.Sequential, float]:
    """``steps`` optimizer steps, each fed ``micro_batches`` equal slices of ``(x, y)`` in
    turn (one ``update`` call per slice). Returns the model and its final full-batch loss."""
    state = opt.init(model)
    step_fn = nr.grad(loss_fn)
    xs, ys = nr.chunk(x, micro_batches), nr.chunk(y, micro_batches)
    for _ in tqdm(range(steps), desc=f"{desc:<28}", unit="step", leave=False):
        for xb, yb in zip(xs, ys, strict=True):
            model, state = opt.step(model, step_fn(model, xb, yb), state)
    return model, float(loss_fn(model, x, y))


def main(steps: int = 300, n: int = 512, seed: int = 0) -> dict[str, float]:
    """Train each configuration for ``steps`` steps; print the table and return the final
    loss of each row by name (``"(initial model)"``: the loss before training)."""
    key_data, key_model = nr.random.split(nr.random.key(seed), 2)
    x, y = nr.data.datasets.make_spirals(key_data, n, n_classes=3, noise=0.05)
    model0 = make_model(key_model)

    schedule = nr.optim.schedules.warmup_cosine(1e-2, warmup_steps=steps // 10, total_steps=steps)
    print("warmup_cosine lr at steps 0, 10%, 50%, 100%:", [
        f"{float(schedule(t)):.4f}" for t in (0, steps // 10, steps // 2, steps)
    ])  # fmt: skip
    groups = nr.optim.multi_transform(
        {"decay": nr.optim.adamw(lr=1e-2, weight_decay=0.05), "no_decay": nr.optim.adam(lr=1e-2)},
        {"*.bias": "no_decay", "*": "decay"},
    )
    runs: dict[str, tuple[nr.optim.GradientTransformation, int]] = {
        "sgd lr=0.1": (nr.optim.sgd(lr=0.1), 1),
        "sgd lr=0.1 nesterov 0.9": (nr.optim.sgd(lr=0.1, momentum=0.9, nesterov=True), 1),
        "adam lr=1e-2": (nr.optim.adam(lr=1e-2), 1),
        "adam warmup_cosine": (nr.optim.adam(lr=schedule), 1),
        "clip 1.0 + adamw/adam groups": (
            nr.optim.chain(nr.optim.clip_by_global_norm(1.0), groups),
            1,
        ),
        "adam lr=1e-2, 4 micro-batches": (nr.optim.multi_steps(nr.optim.adam(lr=1e-2), 4), 4),
    }

    results: dict[str, float] = {}
    models: dict[str, nr.nn.Sequential] = {}
    rows = []
    for name, (opt, micro) in runs.items():
        start = time.perf_counter()
        model, loss = train(opt, model0, x, y, steps, micro, desc=name)
        seconds = time.perf_counter() - start
        acc = float((model(x).argmax(axis=-1) == y).astype(nr.float32).mean())
        results[name], models[name] = loss, model
        rows.append((name, loss, acc, seconds))

    print(f"\n{'optimizer':<30} {'final loss':>10} {'accuracy':>9} {'time':>7}")
    print("-" * 59)
    loss0 = results["(initial model)"] = float(loss_fn(model0, x, y))
    print(f"{'(initial model)':<30} {loss0:>10.4f} {'':>9} {'':>7}")
    for name, loss, acc, seconds in rows:
        print(f"{name:<30} {loss:>10.4f} {acc:>9.3f} {seconds:>6.2f}s")

    one, four = models["adam lr=1e-2"], models["adam lr=1e-2, 4 micro-batches"]
    diff = max(
        float(np.max(np.abs(a.numpy() - b.numpy())))
        for a, b in zip(nr.tree.leaves(one), nr.tree.leaves(four), strict=True)
    )
    print(f"\naccumulating 4 micro-batches vs one full batch: max |weight difference| {diff:.1e}")
    decayed = [path for path, _ in nr.nn.named_parameters(model0) if not path.endswith("bias")]
    print(f"weight decay applied to {decayed}, not to the biases")
    return results


if __name__ == "__main__":
    main()
