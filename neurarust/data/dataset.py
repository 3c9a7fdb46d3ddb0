"""Datasets: anything with ``__len__`` and ``__getitem__(i)`` whose items are pytrees.

Random per-item transforms take their randomness from keys, never from global state. A dataset
whose items need a key says so with ``keyed = True`` and offers ``getitem_keyed(index, key)``;
the :class:`~neurarust.data.DataLoader` calls it with a key derived from its own key, the epoch
and the index, so augmentation is reproducible whatever the number of workers.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .. import random
from ..core.array import Array, wrap
from ..core.ops import asarray
from .checks import as_key, check_dataset, index_arg, takes_key
from .errors import DataError


@runtime_checkable
class Dataset(Protocol):
    """The dataset protocol: ``len(ds)`` items, ``ds[i]`` is item ``i`` (a pytree)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> Any: ...


def fetch(dataset: Any, index: int, key: Array | None) -> Any:
    """Item ``index`` of ``dataset``, handing ``key`` to datasets that take one."""
    if key is not None and getattr(dataset, "keyed", False):
        return dataset.getitem_keyed(index, key)
    return dataset[index]


class ArrayDataset:
    """Items are the rows of several arrays: ``ds[i] == (a[i], b[i], ...)``.

    PyTorch's ``TensorDataset``. Every array must have the same first dimension.

    Examples
    --------
    >>> ds = nr.data.ArrayDataset(nr.zeros((100, 3)), nr.arange(100))
    >>> x, y = ds[0]
    >>> len(ds), x.shape
    (100, (3,))
    """

    keyed = False

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise DataError("ArrayDataset: expected at least one array, got none")
        converted = []
        for i, a in enumerate(arrays):
            try:
                x = asarray(a)
            except TypeError:
                raise DataError(
                    f"ArrayDataset: argument {i} expected an array, got {type(a).__name__}"
                ) from None
            if x.ndim == 0:
                raise DataError(
                    f"ArrayDataset: argument {i} expected an array with a first dimension, "
                    "got a 0-d array"
                )
            converted.append(x)
        if len({x.shape[0] for x in converted}) > 1:
            shapes = ", ".join(str(tuple(x.shape)) for x in converted)
            raise DataError(
                f"ArrayDataset: arrays expected the same first dimension (number of items), "
                f"got shapes {shapes}"
            )
        self.arrays: tuple[Array, ...] = tuple(converted)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index: int) -> tuple[Array, ...]:
        i = index_arg("ArrayDataset", index, len(self))
        return tuple(wrap(x._v[i]) for x in self.arrays)

    def gather(self, indices: Sequence[int]) -> tuple[Array, ...]:
        """The batch of items ``indices``, stacked (what the default collate would build)."""
        idx = np.asarray(indices, dtype=np.int64)
        n = len(self)
        bad = (idx < -n) | (idx >= n)
        if bad.any():
            index_arg("ArrayDataset", int(idx[bad][0]), n)
        idx = idx % n if n else idx
        return tuple(wrap(x._v[idx]) for x in self.arrays)


class ListDataset:
    """Items from a sequence of pytrees, held in a list.

    Examples
    --------
    >>> ds = nr.data.ListDataset([{"x": 1.0, "text": "a"}, {"x": 2.0, "text": "b"}])
    >>> ds[1]["text"]
    'b'
    """

    keyed = False

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = list(items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Any:
        return self.items[index_arg("ListDataset", index, len(self))]


class Subset:
    """The items of ``dataset`` at ``indices``, in that order.

    Examples
    --------
    >>> evens = nr.data.Subset(ds, range(0, len(ds), 2))
    """

    def __init__(self, dataset: Any, indices: Iterable[int]) -> None:
        self.dataset = check_dataset("Subset", dataset)
        self.indices = [int(i) for i in indices]

    @property
    def keyed(self) -> bool:
        """Whether the wrapped dataset takes keys."""
        return bool(getattr(self.dataset, "keyed", False))

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[self.indices[index_arg("Subset", index, len(self))]]

    def getitem_keyed(self, index: int, key: Array) -> Any:
        """Item ``index``, with ``key`` handed to the wrapped dataset."""
        return fetch(self.dataset, self.indices[index_arg("Subset", index, len(self))], key)


class ConcatDataset:
    """The items of several datasets one after the other.

    Examples
    --------
    >>> both = nr.data.ConcatDataset([train_set, extra_set])
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = [check_dataset("ConcatDataset", d, "datasets") for d in datasets]
        if not self.datasets:
            raise DataError("ConcatDataset: argument 'datasets' expected at least one, got none")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    @property
    def keyed(self) -> bool:
        """Whether any part takes keys."""
        return any(getattr(d, "keyed", False) for d in self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def _locate(self, index: int) -> tuple[Any, int]:
        i = index_arg("ConcatDataset", index, len(self))
        part = bisect.bisect_right(self.cumulative_sizes, i)
        start = self.cumulative_sizes[part - 1] if part else 0
        return self.datasets[part], i - start

    def __getitem__(self, index: int) -> Any:
        dataset, i = self._locate(index)
        return dataset[i]

    def getitem_keyed(self, index: int, key: Array) -> Any:
        """Item ``index``, with ``key`` handed to the part that holds it."""
        dataset, i = self._locate(index)
        return fetch(dataset, i, key)


class MapDataset:
    """``fn`` applied to each item of ``dataset``: ``fn(item)`` or, for random transforms,
    ``fn(item, key)`` (chosen by ``fn``'s number of required positional parameters).

    A keyed ``fn`` gets a fresh key per item: from the :class:`~neurarust.data.DataLoader`
    (derived from its ``key``, the epoch and the index) or, for direct indexing ``ds[i]``,
    ``fold_in(key, i)`` from this dataset's own ``key``.

    Examples
    --------
    >>> from neurarust.data import transforms as T
    >>> aug = nr.data.MapDataset(ds, lambda item, key: (T.random_flip(key, item[0]), item[1]))
    >>> loader = nr.data.DataLoader(aug, batch_size=32, shuffle=True, key=0)
    """

    def __init__(self, dataset: Any, fn: Callable[..., Any], key: Any = None) -> None:
        self.dataset = check_dataset("MapDataset", dataset)
        if not callable(fn):
            raise DataError(f"MapDataset: argument 'fn' expected a callable, got {type(fn)}")
        self.fn = fn
        self.fn_takes_key = takes_key(fn)
        self.key = None if key is None else as_key("MapDataset", key)

    @property
    def keyed(self) -> bool:
        """Whether ``fn`` or the wrapped dataset takes keys."""
        return self.fn_takes_key or bool(getattr(self.dataset, "keyed", False))

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> Any:
        if not self.keyed:
            return self.fn(self.dataset[index])
        if self.key is None:
            raise DataError(
                "MapDataset: the transform takes a key but none was given; pass key= to "
                "MapDataset, or load the items through a DataLoader with key="
            )
        i = index_arg("MapDataset", index, len(self))
        return self.getitem_keyed(i, random.fold_in(self.key, i))

    def getitem_keyed(self, index: int, key: Array) -> Any:
        """Item ``index`` transformed with randomness from ``key``."""
        inner_keyed = getattr(self.dataset, "keyed", False)
        item = fetch(self.dataset, index, random.fold_in(key, 1) if inner_keyed else None)
        return self.fn(item, key) if self.fn_takes_key else self.fn(item)


def batch_gatherer(dataset: Any) -> Callable[[Sequence[int]], Any] | None:
    """A function fetching a whole batch at once (equal to the default collate of the items),
    for an :class:`ArrayDataset` or a :class:`Subset` of one; ``None`` for other datasets."""
    if isinstance(dataset, ArrayDataset):
        return dataset.gather
    if isinstance(dataset, Subset):
        inner = batch_gatherer(dataset.dataset)
        if inner is not None:
            n, indices = len(dataset), dataset.indices
            return lambda idx: inner([indices[index_arg("Subset", i, n)] for i in idx])
    return None


def _split_lengths(lengths: Sequence[Any], n: int) -> list[int]:
    values = list(lengths)
    if not values:
        raise DataError("random_split: argument 'lengths' expected at least one length, got []")
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        if any(v < 0 for v in values) or sum(values) != n:
            raise DataError(
                f"random_split: argument 'lengths' expected non-negative ints summing to the "
                f"dataset length {n}, got {values} (sum {sum(values)})"
            )
        return [int(v) for v in values]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) or (
        any(v < 0 for v in values) or not math.isclose(sum(values), 1.0, abs_tol=1e-6)
    ):
        raise DataError(
            f"random_split: argument 'lengths' expected ints summing to {n} or fractions "
            f"summing to 1, got {values}"
        )
    counts = [math.floor(n * f) for f in values]
    for i in range(n - sum(counts)):  # PyTorch's rule: the remainder goes round-robin
        counts[i % len(counts)] += 1
    return counts


def random_split(key: Any, dataset: Any, lengths: Sequence[int | float]) -> list[Subset]:
    """Split ``dataset`` into random disjoint :class:`Subset` s of the given ``lengths``
    (ints summing to ``len(dataset)``, or fractions summing to 1).

    Examples
    --------
    >>> train, val = nr.data.random_split(nr.random.key(0), ds, [0.8, 0.2])
    """
    key = as_key("random_split", key)
    check_dataset("random_split", dataset)
    n = len(dataset)
    counts = _split_lengths(lengths, n)
    order = random.permutation(key, n).numpy().tolist()
    ends = list(itertools.accumulate(counts))
    return [Subset(dataset, order[end - c : end]) for c, end in zip(counts, ends, strict=True)]


__all__ = [
    "Dataset",
    "ArrayDataset",
    "ListDataset",
    "Subset",
    "ConcatDataset",
    "MapDataset",
    "random_split",
]
