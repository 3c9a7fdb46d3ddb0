"""A multi-layer perceptron for regression, with a plain mini-batch training loop.

Run: ``python examples/mlp_regression.py`` (a few seconds; needs scikit-learn, which ships
the diabetes data: 442 patients, 10 features, a disease-progression score a year later).

It shows:

- ``nr.nn.Sequential`` of ``nr.nn.Linear`` and ``nr.nn.ReLU`` layers, trained with
  ``nr.value_and_grad`` and ``nr.optim.adam`` through ``opt.step``;
- the functional update shim that stands in for PyTorch's in-place writes: arrays are
  immutable, so ``x[:, 1] = v`` becomes ``x = x.at[:, 1].set(v)`` and ``h[i] += v`` becomes
  ``h = h.at[i].add(v)`` — each returns a new array and is differentiable;
- a keyed train/test split and a shuffling ``nr.data.DataLoader``.

It prints the training loss (mean squared error on standardised targets) falling epoch by
epoch, then the test error in the target's units and R^2 (about 0.45: the data set is small and
noisy; a longer run lowers the training loss further but overfits).
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_diabetes
from tqdm import tqdm

import neurarust as nr


def load_data(key: nr.Array) -> tuple[nr.Array, nr.Array, nr.Array, nr.Array]:
    """The diabetes data split 80/20, features and targets standardised by train statistics."""
    bunch = load_diabetes()
    x = nr.asarray(bunch.data.astype(np.float32))
    y = nr.asarray(bunch.target.astype(np.float32))
    # Column 1 is sex, stored as two centred values; recode it to 0/1.
    # PyTorch: x[:, 1] = (x[:, 1] > 0).float()  — here a new array comes back.
    x = x.at[:, 1].set((x[:, 1] > 0).astype(nr.float32))
    order = nr.random.permutation(key, x.shape[0])
    n_train = int(0.8 * x.shape[0])
    train, test = order[:n_train], order[n_train:]
    mean, std = nr.mean(x[train], axis=0), nr.std(x[train], axis=0)
    x = (x - mean) / std
    return x[train], y[train], x[test], y[test]


def main(epochs: int = 30, batch_size: int = 32, lr: float = 1e-3, seed: int = 0) -> list[float]:
    """Train for ``epochs`` epochs; print and return the mean training loss of each epoch."""
    key_split, key_model, key_data = nr.random.split(nr.random.key(seed), 3)
    x_train, y_train, x_test, y_test = load_data(key_split)
    y_mean, y_std = nr.mean(y_train), nr.std(y_train)
    n_train = x_train.shape[0]

    k1, k2, k3 = nr.random.split(key_model, 3)
    model = nr.nn.Sequential(
        nr.nn.Linear(10, 64, key=k1),
        nr.nn.ReLU(),
        nr.nn.Linear(64, 64, key=k2),
        nr.nn.ReLU(),
        nr.nn.Linear(64, 1, key=k3),
    )

    def loss_fn(model: nr.nn.Sequential, x: nr.Array, y: nr.Array) -> nr.Array:
        pred = model(x)[:, 0]
        return nr.nn.functional.mse_loss(pred, (y - y_mean) / y_std)

    opt = nr.optim.adam(lr=lr)
    opt_state = opt.init(model)
    step_fn = nr.value_and_grad(loss_fn)
    loader = nr.data.DataLoader(
        nr.data.ArrayDataset(x_train, y_train), batch_size=batch_size, shuffle=True, key=key_data
    )

    history = nr.zeros(epochs)  # one slot per epoch, filled functionally
    every = max(epochs // 6, 1)
    for epoch in (bar := tqdm(range(epochs), desc="training", unit="epoch")):
        for x, y in loader:
            loss, grads = step_fn(model, x, y)
            model, opt_state = opt.step(model, grads, opt_state)
            # PyTorch: history[epoch] += loss * len(x) / n_train
            history = history.at[epoch].add(loss * x.shape[0] / n_train)
        bar.set_postfix(loss=f"{float(history[epoch]):.4f}")
        if epoch % every == 0 or epoch == epochs - 1:
            bar.write(f"epoch {epoch:4d}  train loss {float(history[epoch]):.4f}")

    pred = model(x_test)[:, 0] * y_std + y_mean
    rmse = float(nr.sqrt(((pred - y_test) ** 2).mean()))
    r2 = 1 - float(((pred - y_test) ** 2).sum() / ((y_test - y_test.mean()) ** 2).sum())
    losses = history.tolist()
    print(f"train loss: {losses[0]:.4f} (epoch 0) -> {losses[-1]:.4f} (epoch {epochs - 1})")
    print(f"test RMSE {rmse:.1f} (target std {float(nr.std(y_test)):.1f}), test R^2 {r2:.3f}")
    return losses


if __name__ == "__main__":
    main()
