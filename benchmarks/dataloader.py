"""DataLoader throughput on the digits (1,797 8x8 images), batch 64, for 0, 2 and 4 workers.

Two pipelines:

- ``arrays``: an ``ArrayDataset`` shuffled each epoch (whole batches gathered at once);
- ``augment``: a ``MapDataset`` applying a keyed random crop and flip to every item, then
  the default collate (per-item Python work, the case workers exist for);
- ``arrays + batch augment`` (0 workers): the same crop and flip applied to whole batches in
  the loop (per-image randomness, one key per batch), the cheap way to augment in memory.

Baselines in the same run: a hand-written NumPy loop (permute, fancy-index each batch) and,
when PyTorch is installed, ``torch.utils.data.DataLoader`` over a ``TensorDataset``
(``num_workers`` processes) for the ``arrays`` pipeline.

Run: ``python benchmarks/dataloader.py``
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable

import numpy as np

import neurarust as nr
from neurarust.data import transforms as T  # noqa: N812 - torchvision's spelling

BATCH = 64
MIN_SECONDS = 1.0


def throughput(epoch: Callable[[], Iterable[object]], n_items: int) -> tuple[float, float]:
    """``(batches/s, samples/s)`` over whole epochs, at least MIN_SECONDS of them."""
    batches = sum(1 for _ in epoch())  # warm-up
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < MIN_SECONDS or count == 0:
        for _ in epoch():
            pass
        count += 1
    return count * batches / elapsed, count * n_items / elapsed


def report(name: str, rates: tuple[float, float]) -> None:
    print(f"{name:<34} {rates[0]:>10,.0f} batches/s {rates[1]:>12,.0f} samples/s")


def numpy_epoch(images: np.ndarray, labels: np.ndarray) -> Callable[[], Iterable[object]]:
    rng = np.random.default_rng(0)

    def epoch() -> Iterable[object]:
        order = rng.permutation(len(images))
        for i in range(0, len(order), BATCH):
            idx = order[i : i + BATCH]
            yield images[idx], labels[idx]

    return epoch


def augment(item: tuple, key: nr.Array) -> tuple:
    k1, k2 = nr.random.split(key)
    image = T.random_flip(k2, T.random_crop(k1, item[0], size=8, padding=1))
    return image, item[1]


def batch_augmented(loader: nr.data.DataLoader) -> Callable[[], Iterable[object]]:
    key = nr.random.key(1)

    def epoch() -> Iterable[object]:
        for step, (x, y) in enumerate(loader):
            yield augment((x, y), nr.random.fold_in(key, step))

    return epoch


def main() -> None:
    images, labels = nr.data.datasets.digits()
    n = images.shape[0]
    arrays = nr.data.ArrayDataset(images, labels)
    augmented = nr.data.MapDataset(arrays, augment)
    print(f"digits: {n} images {tuple(images.shape[1:])}, batch {BATCH}")
    report("numpy loop (arrays)", throughput(numpy_epoch(images.numpy(), labels.numpy()), n))
    for name, dataset in (("arrays", arrays), ("augment", augmented)):
        for workers in (0, 2, 4):
            loader = nr.data.DataLoader(
                dataset, batch_size=BATCH, shuffle=True, key=0, num_workers=workers
            )
            report(
                f"neurarust {name}, {workers} workers",
                throughput(functools.partial(iter, loader), n),
            )
    loader = nr.data.DataLoader(arrays, batch_size=BATCH, shuffle=True, key=0)
    report("neurarust arrays + batch augment", throughput(batch_augmented(loader), n))
    try:
        import torch
        from torch.utils.data import DataLoader, TensorDataset
    except ImportError:
        print("torch not installed: no PyTorch baseline")
        return
    torch.set_num_threads(1)
    tensors = TensorDataset(torch.from_numpy(np.array(images)), torch.from_numpy(np.array(labels)))
    for workers in (0, 2):
        loader = DataLoader(
            tensors, batch_size=BATCH, shuffle=True, num_workers=workers, persistent_workers=False
        )
        report(f"torch arrays, {workers} workers", throughput(functools.partial(iter, loader), n))


if __name__ == "__main__":
    main()
