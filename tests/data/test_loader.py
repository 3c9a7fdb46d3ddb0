"""DataLoader: batching, deterministic epochs, workers, errors, resume, thread cleanup."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

import neurarust as nr
from neurarust.core.errors import DeviceError, ShapeError
from neurarust.data import (
    ArrayDataset,
    BatchSampler,
    DataError,
    DataLoader,
    ListDataset,
    MapDataset,
    RandomSampler,
)
from neurarust.data.workers import WORKER_THREAD_PREFIX


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(WORKER_THREAD_PREFIX)]


@pytest.fixture(autouse=True)
def no_leaked_workers() -> Any:
    yield
    assert _workers() == []


def _dataset(n: int = 23) -> ArrayDataset:
    return ArrayDataset(np.arange(n * 2, dtype=np.float32).reshape(n, 2), np.arange(n))


def _augmented(n: int = 23) -> MapDataset:
    def jitter(item: tuple, key: nr.Array) -> dict:
        x, y = item
        return {"x": x + nr.random.uniform(key, x.shape), "y": y, "name": f"item{int(y)}"}

    return MapDataset(_dataset(n), jitter)


def _labels(batches: list) -> list[list[int]]:
    return [b[1].tolist() if isinstance(b, tuple) else b["y"].tolist() for b in batches]


def _same(a: list, b: list) -> bool:
    fa, fb = nr.tree.leaves(a), nr.tree.leaves(b)
    return len(fa) == len(fb) and all(
        np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(fa, fb, strict=True)
    )


def test_sequential_batches_len_and_drop_last() -> None:
    loader = DataLoader(_dataset(), batch_size=5)
    batches = list(loader)
    assert len(loader) == len(batches) == 5
    assert batches[0][0].shape == (5, 2) and batches[-1][1].tolist() == [20, 21, 22]
    assert len(DataLoader(_dataset(), batch_size=5, drop_last=True)) == 4
    assert _labels(list(loader)) == _labels(batches)  # iterable many times


def test_shuffle_is_deterministic_per_key_and_epoch() -> None:
    def epochs(seed: int, n: int = 3) -> list:
        loader = DataLoader(_dataset(), batch_size=4, shuffle=True, key=nr.random.key(seed))
        return [_labels(list(loader)) for _ in range(n)]

    a = epochs(0)
    assert a == epochs(0)
    assert a[0] != a[1] != a[2] and a != epochs(1)
    assert all(sorted(i for batch in e for i in batch) == list(range(23)) for e in a)
    loader = DataLoader(_dataset(), batch_size=4, shuffle=True, key=nr.random.key(0))
    loader.set_epoch(2)
    assert _labels(list(loader)) == a[2]
    assert _labels(list(loader)) == epochs(0, 4)[3]  # then epoch 3 follows automatically


@pytest.mark.parametrize("dataset", [_dataset, _augmented], ids=["gather", "keyed-items"])
def test_same_batches_for_0_2_and_4_workers(dataset: Any) -> None:
    runs = []
    for workers in (0, 2, 4):
        loader = DataLoader(
            dataset(), batch_size=4, shuffle=True, key=3, num_workers=workers, prefetch=1
        )
        runs.append([list(loader), list(loader)])
    assert _same(runs[0], runs[1]) and _same(runs[0], runs[2])
    assert not _same(runs[0][0], runs[0][1])  # a new order and new augmentation per epoch
    if dataset is _augmented:
        assert runs[0][0][0]["name"] == [f"item{i}" for i in runs[0][0][0]["y"].tolist()]


def test_keyed_items_get_keys_from_epoch_and_index() -> None:
    loader = DataLoader(_augmented(), batch_size=23, key=0)
    e0, e1 = next(iter(loader)), next(iter(loader))
    assert e0["y"].tolist() == e1["y"].tolist()  # no shuffle: same order
    assert not np.array_equal(e0["x"].numpy(), e1["x"].numpy())  # fresh noise per epoch
    noise = e0["x"].numpy() - _dataset().arrays[0].numpy()
    assert ((noise >= 0) & (noise < 1)).all()


@pytest.mark.parametrize("workers", [0, 2])
def test_resume_mid_epoch_from_state_dict(tmp_path: Any, workers: int) -> None:
    def make() -> DataLoader:
        return DataLoader(_augmented(), batch_size=4, shuffle=True, key=9, num_workers=workers)

    reference = make()
    epoch0, epoch1 = list(reference), list(reference)
    first = make()
    it = iter(first)
    taken = [next(it) for _ in range(3)]
    state = first.state_dict()
    assert state == {"epoch": 0, "batch": 3}
    del it
    path = tmp_path / "loader.safetensors"
    nr.save(path, state)
    resumed = make()
    resumed.load_state_dict(nr.load(path, like=state))
    rest = list(resumed)
    assert _same(taken + rest, epoch0)
    assert resumed.state_dict() == {"epoch": 1, "batch": 0}
    assert _same(list(resumed), epoch1)


def test_state_dict_positions() -> None:
    loader = DataLoader(_dataset(8), batch_size=4)
    assert loader.state_dict() == {"epoch": 0, "batch": 0}
    it = iter(loader)
    next(it)
    assert loader.state_dict() == {"epoch": 0, "batch": 1}
    next(it)
    assert loader.state_dict() == {"epoch": 1, "batch": 0}  # after the last batch
    loader.load_state_dict({"epoch": 4, "batch": 2})
    assert list(loader) == [] and loader.state_dict() == {"epoch": 5, "batch": 0}
    for bad in ({"epoch": 0}, {"epoch": -1, "batch": 0}, {"epoch": 0, "batch": 3}, [0, 1]):
        with pytest.raises(DataError, match=r"DataLoader\.load_state_dict"):
            loader.load_state_dict(bad)
    with pytest.raises(DataError, match="expected int 'epoch' and 'batch'"):
        loader.load_state_dict({"epoch": 1.5, "batch": 0})


@pytest.mark.parametrize("workers", [2, 4])
def test_no_worker_outlives_a_broken_loop(workers: int) -> None:
    loader = DataLoader(_augmented(200), batch_size=2, key=0, num_workers=workers, prefetch=4)
    for i, _ in enumerate(loader):
        if i == 0:
            assert _workers()
        if i == 2:
            break
    assert _workers() == []
    it = iter(loader)
    next(it)
    it.close()
    assert _workers() == []


def test_worker_exception_is_reraised_with_the_item_index() -> None:
    def fragile(item: tuple) -> tuple:
        if int(item[1]) == 13:
            raise KeyError("bad record")
        return item

    for workers in (0, 2, 4):
        loader = DataLoader(MapDataset(_dataset(), fragile), batch_size=4, num_workers=workers)
        seen = []
        with pytest.raises(KeyError, match="bad record") as info:
            for batch in loader:
                seen.append(batch[1].tolist())
        assert seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
        assert any("item 13 (batch 3 of epoch 0)" in n for n in info.value.__notes__)


def test_ragged_items_raise_with_the_batch() -> None:
    items = ListDataset([nr.zeros(2), nr.zeros(2), nr.zeros(3)])
    with pytest.raises(ShapeError, match=r"item 2 with shape \(3,\)") as info:
        list(DataLoader(items, batch_size=3, num_workers=2))
    assert any("collating batch 0 of epoch 0" in n for n in info.value.__notes__)


def test_prefetch_is_bounded() -> None:
    fetched = []

    def record(item: tuple) -> tuple:
        fetched.append(int(item[1]))
        return item

    loader = DataLoader(MapDataset(_dataset(100), record), batch_size=2, num_workers=2, prefetch=2)
    it = iter(loader)
    next(it)
    time.sleep(0.2)
    assert len(fetched) <= (2 * 2 + 1) * 2  # the window, plus the batch refilled after one
    it.close()


def test_custom_collate_samplers_and_device() -> None:
    loader = DataLoader(_dataset(6), batch_size=3, collate_fn=lambda items: len(items))
    assert list(loader) == [3, 3]
    sampler = RandomSampler(range(6), key=0)
    by_sampler = DataLoader(_dataset(6), batch_size=6, sampler=sampler)
    first, second = _labels(list(by_sampler)), _labels(list(by_sampler))
    assert first != second and sampler.epoch == 1  # the loader sets the sampler's epoch
    batches = DataLoader(_dataset(6), batch_sampler=BatchSampler(range(6), 4, False))
    assert _labels(list(batches)) == [[0, 1, 2, 3], [4, 5]]
    on_cpu = next(iter(DataLoader(_dataset(6), batch_size=2, device="cpu")))
    assert on_cpu[0].device == "cpu"
    text = ListDataset([("a", 1.0), ("b", 2.0)])
    assert next(iter(DataLoader(text, batch_size=2)))[0] == ["a", "b"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"batch_size": 0}, "argument 'batch_size' expected an int >= 1, got int 0"),
        ({"batch_size": -3}, "argument 'batch_size' expected an int >= 1"),
        ({"batch_size": 2.5}, "argument 'batch_size' expected an int >= 1, got float"),
        ({"batch_size": "4"}, "argument 'batch_size' expected an int >= 1, got str"),
        ({"shuffle": True}, "shuffle=True expected argument 'key'"),
        ({"shuffle": True, "key": 0, "sampler": range(3)}, "arguments 'sampler' and 'shuffle'"),
        ({"batch_sampler": [[0]], "batch_size": 2}, "argument 'batch_sampler' expected alone"),
        ({"num_workers": -1}, "argument 'num_workers' expected an int >= 0"),
        ({"prefetch": 0}, "argument 'prefetch' expected an int >= 1"),
        ({"collate_fn": 3}, "argument 'collate_fn' expected a callable"),
        ({"key": "k"}, "argument 'key' expected a key"),
        ({"shuffle": "yes"}, "argument 'shuffle' expected a bool"),
    ],
)
def test_argument_errors(kwargs: dict, match: str) -> None:
    with pytest.raises(DataError, match=f"DataLoader: {match}"):
        DataLoader(_dataset(), **kwargs)


def test_not_a_dataset_and_bad_device() -> None:
    with pytest.raises(DataError, match="'dataset' expected a dataset"):
        DataLoader(42)
    with pytest.raises(DeviceError):
        DataLoader(_dataset(), device="tpu")
