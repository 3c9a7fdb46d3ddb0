"""Samplers: iterables of dataset indices (``__iter__``, ``__len__``).

Random samplers draw from ``fold_in(key, epoch)``: the same key and epoch give the same order,
each epoch a new one. :class:`~neurarust.data.DataLoader` calls ``set_epoch`` for you.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sized
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .. import random
from ..core.array import Array
from .checks import as_key, bool_arg, check_dataset, int_arg
from .errors import DataError


@runtime_checkable
class Sampler(Protocol):
    """The sampler protocol: an iterable of indices with a length."""

    def __iter__(self) -> Iterator[int]: ...

    def __len__(self) -> int: ...


class _Epochs:
    """The epoch counter of a random sampler."""

    key: Array
    epoch: int = 0

    def set_epoch(self, epoch: int) -> None:
        """Draw the next iteration's order from ``fold_in(key, epoch)``."""
        self.epoch = int_arg(f"{type(self).__name__}.set_epoch", "epoch", epoch, 0)

    def _epoch_key(self) -> Array:
        return random.fold_in(self.key, self.epoch)


def _size(op: str, data_source: Any) -> int:
    if isinstance(data_source, (int, np.integer)) and not isinstance(data_source, bool):
        return int_arg(op, "data_source", data_source, 0)
    if not isinstance(data_source, Sized):
        raise DataError(
            f"{op}: argument 'data_source' expected a dataset or a size, got "
            f"{type(data_source).__name__}"
        )
    return len(data_source)


class SequentialSampler:
    """``0, 1, ..., len(data_source) - 1``.

    Examples
    --------
    >>> list(nr.data.SequentialSampler(range(3)))
    [0, 1, 2]
    """

    def __init__(self, data_source: Any) -> None:
        self.n = _size("SequentialSampler", data_source)

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n


class RandomSampler(_Epochs):
    """A random order of ``range(len(data_source))`` per epoch.

    With ``replacement=True``, ``num_samples`` independent uniform draws; without, a
    permutation (several concatenated when ``num_samples`` exceeds the dataset size).
    ``key`` is a key from ``nr.random.key`` or an int seed.

    Examples
    --------
    >>> sampler = nr.data.RandomSampler(range(5), key=0)
    >>> sorted(sampler)
    [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        data_source: Any,
        key: Any,
        replacement: bool = False,
        num_samples: int | None = None,
    ) -> None:
        self.n = _size("RandomSampler", data_source)
        self.key = as_key("RandomSampler", key)
        self.replacement = bool_arg("RandomSampler", "replacement", replacement)
        self.num_samples = (
            self.n if num_samples is None else int_arg("RandomSampler", "num_samples", num_samples)
        )
        if self.n == 0 and self.num_samples > 0:
            raise DataError(
                f"RandomSampler: argument 'num_samples' expected 0 for an empty dataset, got "
                f"{self.num_samples}"
            )

    def __iter__(self) -> Iterator[int]:
        key = self._epoch_key()
        if self.replacement:
            draws = random.randint(key, (self.num_samples,), 0, max(self.n, 1))
            return iter(draws.numpy().tolist())
        rounds = math.ceil(self.num_samples / self.n) if self.n else 0
        keys = random.split(key, rounds)
        order = [i for r in range(rounds) for i in random.permutation(keys[r], self.n).tolist()]
        return iter(order[: self.num_samples])

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_Epochs):
    """The given ``indices`` in a random order per epoch.

    Examples
    --------
    >>> sorted(nr.data.SubsetRandomSampler([4, 7, 9], key=0))
    [4, 7, 9]
    """

    def __init__(self, indices: Iterable[int], key: Any) -> None:
        self.indices = [int(i) for i in indices]
        self.key = as_key("SubsetRandomSampler", key)

    def __iter__(self) -> Iterator[int]:
        order = random.permutation(self._epoch_key(), len(self.indices)).tolist()
        return iter([self.indices[i] for i in order])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_Epochs):
    """``num_samples`` indices drawn with probability ``weights[i] / sum(weights)``.

    Examples
    --------
    >>> sampler = nr.data.WeightedRandomSampler([0.1, 0.9], 100, key=0)
    >>> sum(sampler) > 50  # index 1 is nine times as likely
    True
    """

    def __init__(
        self, weights: Any, num_samples: int, replacement: bool = True, key: Any = None
    ) -> None:
        w = np.asarray(weights.numpy() if isinstance(weights, Array) else weights, dtype=float)
        if w.ndim != 1 or not np.all(np.isfinite(w) & (w >= 0)) or not w.sum() > 0:
            raise DataError(
                "WeightedRandomSampler: argument 'weights' expected a 1-d sequence of finite "
                f"non-negative numbers with a positive sum, got shape {w.shape}"
            )
        self.weights = w
        self.num_samples = int_arg("WeightedRandomSampler", "num_samples", num_samples)
        self.replacement = bool_arg("WeightedRandomSampler", "replacement", replacement)
        if key is None:
            raise DataError(
                "WeightedRandomSampler: argument 'key' expected a key from nr.random.key(seed) "
                "(or an int seed), got None"
            )
        self.key = as_key("WeightedRandomSampler", key)
        nonzero = int(np.count_nonzero(w))
        if not self.replacement and self.num_samples > nonzero:
            raise DataError(
                f"WeightedRandomSampler: argument 'num_samples' expected at most {nonzero} (the "
                f"number of non-zero weights) without replacement, got {self.num_samples}"
            )

    def __iter__(self) -> Iterator[int]:
        draws = random.choice(
            self._epoch_key(),
            len(self.weights),
            (self.num_samples,),
            replace=self.replacement,
            p=self.weights,
        )
        return iter(draws.numpy().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler:
    """Lists of ``batch_size`` indices from ``sampler``; the last one shorter unless
    ``drop_last``.

    Examples
    --------
    >>> list(nr.data.BatchSampler(range(5), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not isinstance(sampler, Iterable) or not isinstance(sampler, Sized):
            raise DataError(
                "BatchSampler: argument 'sampler' expected an iterable of indices with a "
                f"length, got {type(sampler).__name__}"
            )
        self.sampler = sampler
        self.batch_size = int_arg("BatchSampler", "batch_size", batch_size)
        self.drop_last = bool_arg("BatchSampler", "drop_last", drop_last)

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)


class DistributedSampler(_Epochs):
    """The share of replica ``rank`` out of ``num_replicas`` (PyTorch's rule).

    All replicas draw the same permutation from ``fold_in(key, epoch)`` (so pass the same key
    on every replica); replica ``rank`` takes every ``num_replicas``-th index from ``rank``.
    The list is padded by repeating indices to a multiple of ``num_replicas``, or trimmed when
    ``drop_last``.

    Examples
    --------
    >>> list(nr.data.DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))
    [1, 3, 0]
    """

    def __init__(
        self,
        dataset: Any,
        num_replicas: int,
        rank: int,
        shuffle: bool = True,
        key: Any = None,
        drop_last: bool = False,
    ) -> None:
        op = "DistributedSampler"
        self.n = len(check_dataset(op, dataset))
        self.num_replicas = int_arg(op, "num_replicas", num_replicas)
        self.rank = int_arg(op, "rank", rank, 0)
        if self.rank >= self.num_replicas:
            raise DataError(
                f"{op}: argument 'rank' expected a value in [0, {self.num_replicas}), got {rank}"
            )
        self.shuffle = bool_arg(op, "shuffle", shuffle)
        self.drop_last = bool_arg(op, "drop_last", drop_last)
        if self.shuffle and key is None:
            raise DataError(
                f"{op}: shuffle=True expected argument 'key' (nr.random.key(seed) or an int "
                "seed, the same on every replica), got None"
            )
        self.key = as_key(op, 0 if key is None else key)
        if self.drop_last:
            self.num_samples = self.n // self.num_replicas
        else:
            self.num_samples = math.ceil(self.n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def __iter__(self) -> Iterator[int]:
        if self.shuffle:
            order = random.permutation(self._epoch_key(), self.n).tolist()
        else:
            order = list(range(self.n))
        if self.total_size > len(order) and order:
            repeats = math.ceil((self.total_size - len(order)) / len(order))
            order += (order * repeats)[: self.total_size - len(order)]
        order = order[: self.total_size]
        return iter(order[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples
