"""Load the bundled digits with keyed augmentation, worker threads, and resume mid-epoch.

Run: ``python examples/data_loading.py`` (needs scikit-learn for the digits). Prints the data,
shows that the batches do not depend on the number of workers, then saves the loader's
position with a checkpoint, "crashes", and resumes at exactly the next batch.
"""

import functools
import tempfile

import numpy as np

import neurarust as nr
from neurarust.data import transforms as T  # noqa: N812 - torchvision's spelling

augment_image = T.compose(
    functools.partial(T.random_crop, size=8, padding=1),  # shift by up to a pixel
    functools.partial(T.color_jitter, brightness=0.2, contrast=0.2),
)


def augment(item: tuple, key: nr.Array) -> tuple:
    """Per-item augmentation; the DataLoader hands a key made from (its key, epoch, index)."""
    image, label = item
    return augment_image(key, image), label


def make_loader(train: nr.data.Dataset, workers: int) -> nr.data.DataLoader:
    return nr.data.DataLoader(
        nr.data.MapDataset(train, augment),
        batch_size=64,
        shuffle=True,
        key=nr.random.key(0),
        num_workers=workers,
    )


def main() -> None:
    images, labels = nr.data.datasets.digits()
    print(f"digits: images {images.shape} {images.dtype}, labels {labels.shape} {labels.dtype}")
    train, test = nr.data.random_split(
        nr.random.key(42), nr.data.ArrayDataset(images, labels), [0.8, 0.2]
    )
    print(f"split: {len(train)} train / {len(test)} test items")

    single = [x.numpy() for x, _ in make_loader(train, workers=0)]
    threaded = [x.numpy() for x, _ in make_loader(train, workers=2)]
    same = all(np.array_equal(a, b) for a, b in zip(single, threaded, strict=True))
    print(f"{len(single)} batches per epoch; 0 vs 2 workers give identical batches: {same}")

    loader = make_loader(train, workers=2)
    epoch0 = [y.tolist()[:6] for _, y in loader]
    epoch1 = [y.tolist()[:6] for _, y in loader]
    print(f"epoch 0 starts {epoch0[0]}, epoch 1 starts {epoch1[0]} (reshuffled per epoch)")

    with tempfile.TemporaryDirectory() as folder:
        manager = nr.io.CheckpointManager(folder, max_to_keep=2)
        loader = make_loader(train, workers=2)
        seen = 0
        for step, (x, _) in enumerate(loader):
            seen += x.shape[0]  # a training step would go here
            if step == 10:
                manager.save(step, {"data": loader.state_dict(), "seen": seen})
                print(f"saved after step {step} ({seen} images): {loader.state_dict()}")
                break  # "crash": the worker threads stop with the loop
        resumed = make_loader(train, workers=2)
        state = manager.restore(like={"data": resumed.state_dict(), "seen": 0})
        resumed.load_state_dict(state["data"])
        rest = [y.tolist()[:6] for _, y in resumed]
        print(f"resumed after {state['seen']} images: {len(rest)} batches left, next {rest[0]}")
        print(f"matches batch 11 of an uninterrupted epoch 0: {rest[0] == epoch0[11]}")


if __name__ == "__main__":
    main()
