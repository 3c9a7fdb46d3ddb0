"""Stop a training run, restore it from a checkpoint, and finish with bit-identical weights.

Run: ``python examples/resume_training.py`` (about 10 s; needs scikit-learn for the digits).

Everything a training run depends on is data, so a checkpoint can hold all of it:

- the model (parameters and BatchNorm running statistics),
- the optimizer state (Adam moments and the step count that drives the schedule),
- the DataLoader position (``loader.state_dict()``: epoch and next batch; the shuffle order
  comes from the loader's key and the epoch, so it need not be stored),
- the random key that dropout draws from, split once per step.

The example trains ``steps`` steps straight through. Then it starts again, trains
``stop_at`` steps (mid-epoch), saves that state with ``nr.io.CheckpointManager``, and "kills"
the run: the function returns and every object it held is gone. A fresh run builds new,
untrained objects only as templates, restores the checkpoint into them and trains on to
``steps``. It prints whether the final weights equal those of the uninterrupted run bit for
bit (they do: same batches in the same order, same dropout masks, same updates).
"""

from __future__ import annotations

import tempfile
from typing import Any

import numpy as np
from tqdm import tqdm

import neurarust as nr


def build(seed: int = 0) -> dict[str, Any]:
    """A fresh, untrained run: model, optimizer, its state, data loader and dropout key."""
    key_split, key_model, key_data, key_dropout = nr.random.split(nr.random.key(seed), 4)
    images, labels = nr.data.datasets.digits()
    train, _ = nr.data.random_split(key_split, nr.data.ArrayDataset(images, labels), [0.8, 0.2])
    k1, k2 = nr.random.split(key_model)
    model = nr.nn.Sequential(
        nr.nn.Flatten(),
        nr.nn.Linear(64, 128, key=k1),
        nr.nn.BatchNorm1d(128),
        nr.nn.ReLU(),
        nr.nn.Dropout(0.2),
        nr.nn.Linear(128, 10, key=k2),
    )
    loader = nr.data.DataLoader(train, batch_size=32, shuffle=True, key=key_data)
    schedule = nr.optim.schedules.exponential_lr(3e-3, gamma=0.995)
    opt = nr.optim.adamw(lr=schedule, weight_decay=1e-4)
    return {
        "model": model,
        "opt": opt,
        "opt_state": opt.init(model),
        "loader": loader,
        "key": key_dropout,
        "step": 0,
    }


def loss_fn(model: nr.nn.Module, x: nr.Array, y: nr.Array, key: nr.Array) -> tuple:
    logits, state = nr.nn.apply_with_state(model, x, key=key)
    return nr.nn.functional.cross_entropy(logits, y), state


def train(run: dict[str, Any], until: int, desc: str) -> dict[str, Any]:
    """Train ``run`` from its step to step ``until``; returns the updated run."""
    model, opt, opt_state = run["model"], run["opt"], run["opt_state"]
    loader, key, step = run["loader"], run["key"], run["step"]
    step_fn = nr.value_and_grad(
        loss_fn, has_aux=True, allow_int=True, wrt=nr.nn.parameter_filter(model)
    )
    with tqdm(total=until, initial=step, desc=desc, unit="step", leave=False) as bar:
        while step < until:
            for x, y in loader:
                key, dropout_key = nr.random.split(key)
                (loss, state), grads = step_fn(model, x, y, dropout_key)
                updates, opt_state = opt.update(grads, opt_state, model)
                model = nr.nn.update_state(nr.optim.apply_updates(model, updates), state)
                step += 1
                bar.update()
                bar.set_postfix(loss=f"{float(loss):.4f}")
                if step == until:
                    break  # mid-epoch: the loader's state_dict points at the next batch
    return {**run, "model": model, "opt_state": opt_state, "key": key, "step": step}


def checkpoint_of(run: dict[str, Any]) -> dict[str, Any]:
    """The part of a run that is data (the optimizer's functions are rebuilt by ``build``)."""
    return {
        "model": run["model"],
        "opt_state": run["opt_state"],
        "data": run["loader"].state_dict(),
        "key": run["key"],
        "step": run["step"],
    }


def first_part(manager: nr.io.CheckpointManager, stop_at: int, seed: int) -> None:
    run = train(build(seed), stop_at, "run 2, before the kill")
    manager.save(run["step"], checkpoint_of(run))
    print(f"run 2: stopped at step {run['step']} (loader at {run['loader'].state_dict()}), "
          f"saved {manager.path(run['step'])}")  # fmt: skip
    # returning drops every reference: the model, optimizer state, loader and key are gone


def second_part(manager: nr.io.CheckpointManager, steps: int, seed: int) -> nr.nn.Module:
    run = build(seed)  # untrained: only a template for the structure, shapes and dtypes
    saved = manager.restore(like=checkpoint_of(run))
    run["loader"].load_state_dict(saved["data"])
    run.update(model=saved["model"], opt_state=saved["opt_state"], key=saved["key"])
    run["step"] = int(saved["step"])
    print(f"run 2: restored step {run['step']} from checkpoint {manager.latest_step()}")
    return train(run, steps, "run 2, after the restore")["model"]


def main(steps: int = 300, stop_at: int = 130, seed: int = 0) -> bool:
    """Train ``steps`` steps straight, then with a kill and restore at ``stop_at``; print and
    return whether the two final models are bit-identical."""
    straight = train(build(seed), steps, "run 1, straight")["model"]
    print(f"run 1: trained {steps} steps without interruption")
    with tempfile.TemporaryDirectory() as folder:
        manager = nr.io.CheckpointManager(folder, max_to_keep=1)
        first_part(manager, stop_at, seed)
        resumed = second_part(manager, steps, seed)

    a, b = nr.nn.state_dict(straight), nr.nn.state_dict(resumed)
    differs = [path for path in a if not np.array_equal(a[path].numpy(), b[path].numpy())]
    same = not differs and a.keys() == b.keys()
    print(f"final weights bit-identical ({len(a)} arrays, buffers included): {same}")
    if differs:
        print(f"  differing: {differs}")
    return same


if __name__ == "__main__":
    main()
