"""Samplers: orders, lengths, per-epoch determinism, errors."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.data import (
    BatchSampler,
    DataError,
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)


def test_sequential() -> None:
    s = SequentialSampler(range(4))
    assert list(s) == [0, 1, 2, 3] and len(s) == 4 and isinstance(s, Sampler)
    assert list(SequentialSampler(3)) == [0, 1, 2]
    with pytest.raises(DataError, match="'data_source' expected a dataset or a size"):
        SequentialSampler(object())


def test_random_sampler_epochs() -> None:
    s = RandomSampler(range(20), key=nr.random.key(0))
    first = list(s)
    assert sorted(first) == list(range(20)) and list(s) == first
    s.set_epoch(1)
    second = list(s)
    assert sorted(second) == list(range(20)) and second != first
    s.set_epoch(0)
    assert list(s) == first
    assert list(RandomSampler(range(20), key=0)) == first  # an int seed is a key


def test_random_sampler_num_samples_and_replacement() -> None:
    s = RandomSampler(range(5), key=1, num_samples=12)
    drawn = list(s)
    assert len(drawn) == len(s) == 12
    assert Counter(drawn[:10]) == Counter(list(range(5)) * 2)  # whole permutations first
    r = RandomSampler(range(3), key=1, replacement=True, num_samples=50)
    drawn = list(r)
    assert len(drawn) == 50 and set(drawn) == {0, 1, 2}
    assert list(RandomSampler(range(0), key=0)) == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"key": None}, "'key' expected a key"),
        ({"key": 0, "replacement": 1}, "'replacement' expected a bool"),
        ({"key": 0, "num_samples": 0}, "'num_samples' expected an int >= 1"),
    ],
)
def test_random_sampler_errors(kwargs: dict, match: str) -> None:
    with pytest.raises(DataError, match=f"RandomSampler: argument {match}"):
        RandomSampler(range(3), **kwargs)


def test_subset_random_and_weighted() -> None:
    s = SubsetRandomSampler([10, 20, 30, 40], key=0)
    assert sorted(s) == [10, 20, 30, 40] and len(s) == 4
    w = WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=4000, key=0)
    counts = Counter(w)
    assert counts[0] == 0 and 2.5 < counts[2] / counts[1] < 3.5 and len(w) == 4000
    no_repeat = list(WeightedRandomSampler([1.0, 1.0, 5.0], 2, replacement=False, key=0))
    assert len(set(no_repeat)) == 2
    w.set_epoch(3)
    assert list(w) != list(WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=4000, key=0))


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (([1.0, -1.0], 3), {"key": 0}, "'weights' expected"),
        (([[1.0]], 3), {"key": 0}, "'weights' expected"),
        (([0.0, 0.0], 3), {"key": 0}, "'weights' expected"),
        (([1.0], 0), {"key": 0}, "'num_samples' expected an int >= 1"),
        (([1.0], 3), {}, "'key' expected a key"),
        (([1.0, 0.0], 2), {"key": 0, "replacement": False}, "'num_samples' expected at most 1"),
    ],
)
def test_weighted_errors(args: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(DataError, match=f"WeightedRandomSampler: argument {match}"):
        WeightedRandomSampler(*args, **kwargs)


@given(st.integers(0, 30), st.integers(1, 8), st.booleans())
def test_batch_sampler(n: int, size: int, drop_last: bool) -> None:
    b = BatchSampler(range(n), size, drop_last)
    batches = list(b)
    assert len(batches) == len(b)
    flat = [i for batch in batches for i in batch]
    assert flat == list(range(len(flat)))
    assert all(len(x) == size for x in batches[:-1])
    assert len(flat) == (n // size * size if drop_last else n)


@pytest.mark.parametrize("bad", [0, -2, 2.0, "8", True, None])
def test_batch_sampler_bad_sizes(bad: object) -> None:
    with pytest.raises(DataError, match="BatchSampler: argument 'batch_size' expected an int >= 1"):
        BatchSampler(range(4), bad, False)
    with pytest.raises(DataError, match="'sampler' expected"):
        BatchSampler(iter(range(3)), 2, False)


@given(st.integers(0, 25), st.integers(1, 4), st.booleans(), st.booleans())
def test_distributed_sampler_shares(n: int, replicas: int, shuffle: bool, drop_last: bool) -> None:
    parts = [
        list(DistributedSampler(range(n), replicas, r, shuffle=shuffle, key=7, drop_last=drop_last))
        for r in range(replicas)
    ]
    assert len({len(p) for p in parts}) <= 1
    union = [i for p in parts for i in p]
    if drop_last:
        assert len(set(union)) == len(union) == n // replicas * replicas
    else:
        assert set(union) == set(range(n)) and len(union) == -(-n // replicas) * replicas


def test_distributed_sampler_epochs_and_errors() -> None:
    s = DistributedSampler(range(10), 2, 0, key=0)
    first = list(s)
    s.set_epoch(1)
    assert list(s) != first
    assert list(DistributedSampler(range(5), 2, 1, shuffle=False)) == [1, 3, 0]
    with pytest.raises(DataError, match="'rank' expected a value in \\[0, 2\\), got 2"):
        DistributedSampler(range(5), 2, 2, key=0)
    with pytest.raises(DataError, match="shuffle=True expected argument 'key'"):
        DistributedSampler(range(5), 2, 0)
    with pytest.raises(DataError, match="'num_replicas' expected an int >= 1"):
        DistributedSampler(range(5), 0, 0, key=0)
    with pytest.raises(DataError, match="set_epoch: argument 'epoch'"):
        s.set_epoch(-1)
