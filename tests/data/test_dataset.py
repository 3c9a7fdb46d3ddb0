"""Datasets: ArrayDataset, ListDataset, Subset, ConcatDataset, MapDataset, random_split."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import IndexBoundsError
from neurarust.data import (
    ArrayDataset,
    ConcatDataset,
    DataError,
    Dataset,
    ListDataset,
    MapDataset,
    Subset,
    random_split,
)


def test_array_dataset_items_and_gather() -> None:
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    ds = ArrayDataset(x, nr.arange(6), [0, 1, 0, 1, 0, 1])
    assert len(ds) == 6 and isinstance(ds, Dataset)
    a, b, c = ds[2]
    assert a.tolist() == [4.0, 5.0] and int(b) == 2 and int(c) == 0
    assert ds[-1][0].tolist() == [10.0, 11.0]
    batch = ds.gather([5, 0])
    assert batch[0].tolist() == [[10.0, 11.0], [0.0, 1.0]] and batch[1].tolist() == [5, 0]


def test_array_dataset_errors() -> None:
    with pytest.raises(DataError, match=r"same first dimension.*\(100, 3\), \(99,\)"):
        ArrayDataset(nr.zeros((100, 3)), nr.zeros(99))
    with pytest.raises(DataError, match="at least one array"):
        ArrayDataset()
    with pytest.raises(DataError, match="argument 1 expected an array with a first dimension"):
        ArrayDataset(nr.zeros(3), nr.asarray(1.0))
    with pytest.raises(DataError, match="argument 0 expected an array, got object"):
        ArrayDataset(object())
    ds = ArrayDataset(nr.zeros(3))
    with pytest.raises(IndexBoundsError, match=r"ArrayDataset.*\[-3, 3\).*got 3"):
        ds[3]
    with pytest.raises(IndexBoundsError, match="got 7"):
        ds.gather([0, 7])
    with pytest.raises(DataError, match="expected an int, got str"):
        ds["0"]


def test_list_subset_concat() -> None:
    items = [{"x": float(i), "name": f"n{i}"} for i in range(5)]
    ds = ListDataset(items)
    sub = Subset(ds, [4, 0, 2])
    assert [sub[i]["name"] for i in range(3)] == ["n4", "n0", "n2"]
    both = ConcatDataset([sub, ListDataset([{"x": 9.0, "name": "extra"}])])
    assert len(both) == 4
    assert [both[i]["name"] for i in range(4)] == ["n4", "n0", "n2", "extra"]
    assert both[-1]["name"] == "extra"
    with pytest.raises(IndexBoundsError):
        both[4]
    with pytest.raises(DataError, match="at least one"):
        ConcatDataset([])
    with pytest.raises(DataError, match="'datasets' expected a dataset"):
        ConcatDataset([3])
    with pytest.raises(DataError, match="'dataset' expected a dataset"):
        Subset(5, [0])


def test_map_dataset_plain_and_keyed() -> None:
    base = ArrayDataset(nr.arange(4).astype(nr.float32))
    doubled = MapDataset(base, lambda item: item[0] * 2)
    assert not doubled.keyed and float(doubled[3]) == 6.0

    def noisy(item: tuple, key: nr.Array) -> nr.Array:
        return item[0] + nr.random.uniform(key, ())

    keyed = MapDataset(base, noisy, key=nr.random.key(0))
    assert keyed.keyed
    first, again = float(keyed[1]), float(keyed[1])
    assert first == again and 1.0 <= first < 2.0  # fold_in(key, index): reproducible
    assert float(keyed[1]) != float(keyed[2]) - 1.0
    k = nr.random.key(5)
    assert float(keyed.getitem_keyed(1, k)) == float(MapDataset(base, noisy).getitem_keyed(1, k))
    with pytest.raises(DataError, match="takes a key but none was given"):
        MapDataset(base, noisy)[0]
    with pytest.raises(DataError, match="'fn' expected a callable"):
        MapDataset(base, 3)
    with pytest.raises(DataError, match="'key' expected a key"):
        MapDataset(base, noisy, key="seed")


def test_nested_keyed_datasets_get_distinct_keys() -> None:
    base = ArrayDataset(nr.zeros(3))
    inner = MapDataset(base, lambda item, key: nr.random.uniform(key, ()))
    outer = MapDataset(inner, lambda x, key: (x, nr.random.uniform(key, ())))
    a, b = outer.getitem_keyed(0, nr.random.key(1))
    assert float(a) != float(b)
    assert Subset(outer, [2]).keyed and ConcatDataset([base, outer]).keyed


@given(st.integers(0, 40), st.lists(st.floats(0.05, 1.0), min_size=1, max_size=4))
def test_random_split_fractions_partition(n: int, weights: list[float]) -> None:
    fractions = [w / sum(weights) for w in weights]
    fractions[-1] = 1.0 - sum(fractions[:-1])
    parts = random_split(nr.random.key(0), ListDataset(range(n)), fractions)
    seen = sorted(i for p in parts for i in (p[j] for j in range(len(p))))
    assert seen == list(range(n))
    assert all(abs(len(p) - f * n) <= len(parts) for p, f in zip(parts, fractions, strict=True))


def test_random_split_ints_deterministic_and_errors() -> None:
    ds = ListDataset(range(10))
    a = [p.indices for p in random_split(nr.random.key(3), ds, [7, 3])]
    b = [p.indices for p in random_split(3, ds, [7, 3])]
    assert a == b and [len(x) for x in a] == [7, 3]
    assert [p.indices for p in random_split(4, ds, [7, 3])] != a
    for bad in ([5, 4], [11, -1], [0.5, 0.4], [], ["a"]):
        with pytest.raises(DataError, match="random_split: argument 'lengths'"):
            random_split(0, ds, bad)
    with pytest.raises(DataError, match="random_split: argument 'key'"):
        random_split(None, ds, [10])
