"""Per-example gradients with ``vmap(grad(...))``, and DP-SGD-style training with them.

Run: ``python examples/per_example_gradients.py`` (about ten seconds; needs scikit-learn, which
ships the 8x8 digits data).

It shows:

- a loss written for ONE example, turned into per-example gradients for a whole batch by
  ``nr.vmap(nr.grad(loss), in_axes=(None, 0, 0))`` — the model is shared (``None``), the images
  and labels are batched (``0``);
- per-example gradient norms, and differentially-private SGD's core step: clip each example's
  gradient to norm ``clip``, sum, add Gaussian noise (keyed), average;
- ``nr.jit`` around the whole private step;
- the time of the per-example gradients by ``vmap``, by ``jit(vmap)`` and by a Python loop over
  the examples, for a batch of 64.

It prints the gradient-norm statistics of the first batch, the timings, then the test accuracy
after training (about 0.9: the clipping and the noise cost some accuracy against plain SGD).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
from sklearn.datasets import load_digits

import neurarust as nr


def load_data(key: nr.Array) -> tuple[nr.Array, nr.Array, nr.Array, nr.Array]:
    """Digits as 64 features in [0, 1], split 80/20 by a keyed permutation."""
    bunch = load_digits()
    x = nr.asarray((bunch.data / 16.0).astype(np.float32))
    y = nr.asarray(bunch.target.astype(np.int64))
    order = nr.random.permutation(key, x.shape[0])
    n_train = int(0.8 * x.shape[0])
    return x[order[:n_train]], y[order[:n_train]], x[order[n_train:]], y[order[n_train:]]


def example_loss(model: nr.nn.Module, x: nr.Array, y: nr.Array) -> nr.Array:
    """Cross-entropy of ONE example (``x``: 64 features, ``y``: its label)."""
    logits = model(x[None])  # a batch of one, as the layers expect
    return nr.nn.functional.cross_entropy(logits, y[None])


per_example_grads = nr.vmap(nr.grad(example_loss), in_axes=(None, 0, 0))


def global_norms(grads: nr.nn.Module) -> nr.Array:
    """The L2 norm of each example's whole gradient (leaves have a leading batch axis)."""
    squares = [(g.reshape(g.shape[0], -1) ** 2).sum(axis=1) for g in nr.tree.leaves(grads)]
    return nr.sqrt(sum(squares))


def private_step(
    model: nr.nn.Module,
    x: nr.Array,
    y: nr.Array,
    key: nr.Array,
    lr: float,
    clip: float,
    noise: float,
) -> nr.nn.Module:
    """One DP-SGD step: clipped per-example gradients, summed, noised, averaged."""
    grads = per_example_grads(model, x, y)
    scale = nr.minimum(1.0, clip / (global_norms(grads) + 1e-12))
    leaves, treedef = nr.tree.flatten(grads)
    keys = nr.random.split(key, len(leaves))
    noisy = []
    for g, k in zip(leaves, keys, strict=True):
        clipped = (g * scale.reshape((-1,) + (1,) * (g.ndim - 1))).sum(axis=0)
        noisy.append((clipped + noise * clip * nr.random.normal(k, clipped.shape)) / x.shape[0])
    update = nr.tree.unflatten(treedef, noisy)
    return nr.tree.map(lambda p, u: p - lr * u, model, update)


def loop_grads(model: nr.nn.Module, x: nr.Array, y: nr.Array) -> list:
    """The same per-example gradients, one ``grad`` call per example."""
    g = nr.grad(example_loss)
    return [g(model, x[i], y[i]) for i in range(x.shape[0])]


def median_ms(fn: Callable[[], object], repeat: int = 7) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def main(
    epochs: int = 8,
    batch_size: int = 64,
    lr: float = 0.5,
    clip: float = 1.0,
    noise: float = 0.5,
    seed: int = 0,
) -> float:
    """Train with DP-SGD; print norms, timings and the test accuracy, and return the accuracy."""
    key_data, key_model, key_noise = nr.random.split(nr.random.key(seed), 3)
    x_train, y_train, x_test, y_test = load_data(key_data)
    k1, k2 = nr.random.split(key_model)
    model = nr.nn.Sequential(
        nr.nn.Linear(64, 128, key=k1), nr.nn.ReLU(), nr.nn.Linear(128, 10, key=k2)
    )

    xb, yb = x_train[:batch_size], y_train[:batch_size]
    norms = global_norms(per_example_grads(model, xb, yb))
    print(
        f"per-example gradient norms (first batch): min {float(norms.min()):.3f}  "
        f"mean {float(norms.mean()):.3f}  max {float(norms.max()):.3f}"
    )
    jitted_grads = nr.jit(per_example_grads)
    t_vmap = median_ms(lambda: per_example_grads(model, xb, yb))
    t_jit = median_ms(lambda: jitted_grads(model, xb, yb))
    t_loop = median_ms(lambda: loop_grads(model, xb, yb), repeat=3)
    print(
        f"per-example gradients, batch {batch_size}: vmap {t_vmap:.2f} ms, jit(vmap) "
        f"{t_jit:.2f} ms, Python loop {t_loop:.2f} ms ({t_loop / t_vmap:.1f}x slower than vmap)"
    )

    step = nr.jit(private_step, static_argnums=(4, 5, 6))
    loader = nr.data.DataLoader(
        nr.data.ArrayDataset(x_train, y_train),
        batch_size=batch_size,
        shuffle=True,
        drop_last=True,
        key=key_data,
    )
    keys = nr.random.split(key_noise, epochs * len(loader))
    k = 0
    for _ in range(epochs):
        for x, y in loader:
            model = step(model, x, y, keys[k], lr, clip, noise)
            k += 1
    accuracy = float((model(x_test).argmax(axis=1) == y_test).mean())
    print(f"test accuracy after {epochs} epochs of DP-SGD: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
