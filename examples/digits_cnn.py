"""Train a small CNN on the handwritten digits bundled with scikit-learn — the main example.

Run: ``python examples/digits_cnn.py`` (about 10 s on 2 CPU cores; needs scikit-learn, which
ships the 1,797 8x8 digit images, so nothing is downloaded). It shows a complete training run:

- a model built from layers: (Conv2d -> BatchNorm2d -> ReLU -> MaxPool2d) x 2 -> Flatten ->
  Linear, an immutable pytree of parameters and BatchNorm buffers;
- a fixed, keyed 80/20 train/test split (``nr.data.random_split``) and a shuffling DataLoader;
- keyed augmentation (``nr.data.transforms.random_crop``: shifts of up to one pixel; no flips,
  since a mirrored digit is a different digit), one key per step, so runs are reproducible;
- gradients for the parameters only (``wrt=nr.nn.parameter_filter(model)``), with BatchNorm
  running statistics returned by ``nr.nn.apply_with_state`` and stored by
  ``nr.nn.update_state``;
- AdamW with a cosine learning-rate schedule;
- checkpoints every few epochs with ``nr.io.CheckpointManager`` (model, optimizer state, data
  loader position, step). By default they go to a temporary folder removed at the end; pass
  ``checkpoint_dir="checkpoints"`` to ``main`` to keep them in ``./checkpoints``, and a run
  with that folder resumes from its newest checkpoint;
- evaluation in eval mode (BatchNorm uses its running statistics), then ``nr.save`` of the
  model to ``digits_cnn.safetensors`` and a check that ``nr.load`` gives it back.

It ends by printing ``test accuracy: 0.9xxx``.
"""

from __future__ import annotations

import functools
import os
import tempfile

from tqdm import tqdm

import neurarust as nr
from neurarust.data import transforms as T  # noqa: N812 - torchvision's spelling


def make_model(key: nr.Array, width: int = 32) -> nr.nn.Sequential:
    """Two conv blocks halve 8x8 images to 4x4 then 2x2; a linear layer maps to 10 logits."""
    k1, k2, k3 = nr.random.split(key, 3)
    return nr.nn.Sequential(
        nr.nn.Conv2d(1, width, 3, padding=1, key=k1),
        nr.nn.BatchNorm2d(width),
        nr.nn.ReLU(),
        nr.nn.MaxPool2d(2),
        nr.nn.Conv2d(width, 2 * width, 3, padding=1, key=k2),
        nr.nn.BatchNorm2d(2 * width),
        nr.nn.ReLU(),
        nr.nn.MaxPool2d(2),
        nr.nn.Flatten(),
        nr.nn.Linear(2 * width * 2 * 2, 10, key=k3),
    )


def loss_fn(model: nr.nn.Module, x: nr.Array, y: nr.Array) -> tuple[nr.Array, dict]:
    """Cross-entropy of a training-mode forward pass, and the new BatchNorm statistics."""
    logits, state = nr.nn.apply_with_state(model, x)
    return nr.nn.functional.cross_entropy(logits, y), state


def accuracy(model: nr.nn.Module, loader: nr.data.DataLoader) -> float:
    """The fraction of correctly classified items, with ``model`` in eval mode."""
    model = model.eval()
    correct = total = 0
    for x, y in loader:
        correct += int((model(x).argmax(axis=-1) == y).sum())
        total += y.shape[0]
    return correct / total


def main(
    epochs: int = 30,
    batch_size: int = 64,
    lr: float = 3e-3,
    width: int = 32,
    checkpoint_every: int = 5,
    checkpoint_dir: str | None = None,
    out: str = "digits_cnn.safetensors",
    seed: int = 0,
) -> float:
    """Train for ``epochs`` epochs, print and return the test accuracy, save the model."""
    key_split, key_model, key_data, key_augment = nr.random.split(nr.random.key(seed), 4)
    images, labels = nr.data.datasets.digits()
    train, test = nr.data.random_split(key_split, nr.data.ArrayDataset(images, labels), [0.8, 0.2])
    train_loader = nr.data.DataLoader(train, batch_size=batch_size, shuffle=True, key=key_data)
    test_loader = nr.data.DataLoader(test, batch_size=256)
    augment = functools.partial(T.random_crop, size=8, padding=1)  # augment(key, x)

    model = make_model(key_model, width)
    total_steps = epochs * len(train_loader)
    schedule = nr.optim.schedules.cosine_annealing_lr(lr, T_max=total_steps)
    opt = nr.optim.adamw(lr=schedule, weight_decay=1e-4)
    opt_state = opt.init(model)
    step_fn = nr.value_and_grad(
        loss_fn, has_aux=True, allow_int=True, wrt=nr.nn.parameter_filter(model)
    )
    print(
        f"digits: {len(train)} train / {len(test)} test images; model: "
        f"{nr.nn.num_parameters(model)} parameters; {epochs} epochs of {len(train_loader)} steps"
    )

    with tempfile.TemporaryDirectory() as scratch:
        manager = nr.io.CheckpointManager(checkpoint_dir or scratch, max_to_keep=2)
        step = 0
        if manager.latest_step() is not None:  # only with a checkpoint_dir from an earlier run
            like = {"model": model, "opt": opt_state, "data": train_loader.state_dict()}
            restored = manager.restore(like=like)
            model, opt_state = restored["model"], restored["opt"]
            train_loader.load_state_dict(restored["data"])
            step = manager.latest_step()
            print(f"resumed from {manager.path(step)}")

        with tqdm(total=total_steps, initial=step, desc="training", unit="step") as bar:
            while step < total_steps:
                for x, y in train_loader:
                    x = augment(nr.random.fold_in(key_augment, step), x)
                    (loss, state), grads = step_fn(model, x, y)
                    updates, opt_state = opt.update(grads, opt_state, model)
                    model = nr.nn.update_state(nr.optim.apply_updates(model, updates), state)
                    step += 1
                    bar.update()
                    bar.set_postfix(loss=f"{float(loss):.4f}")
                epoch = train_loader.state_dict()["epoch"]
                if epoch % checkpoint_every == 0 or step == total_steps:
                    manager.save(
                        step,
                        {"model": model, "opt": opt_state, "data": train_loader.state_dict()},
                    )
        kept = [os.path.basename(manager.path(s)) for s in manager.all_steps()]
        print(f"checkpoints kept: {kept}")

    acc = accuracy(model, test_loader)
    nr.save(out, model, metadata={"test_accuracy": f"{acc:.4f}"})
    reloaded = nr.load(out, like=make_model(nr.random.key(0), width))
    same = accuracy(reloaded, test_loader) == acc
    print(f"saved the model to {out} (reloaded, same accuracy: {same})")
    print(f"test accuracy: {acc:.4f}")
    return acc


if __name__ == "__main__":
    main()
