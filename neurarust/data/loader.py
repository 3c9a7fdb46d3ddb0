"""``DataLoader``: batches from a dataset, in order, optionally loaded by background threads."""

from __future__ import annotations

import contextlib
import functools
import operator
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .. import random, tree
from ..core import backend
from ..core.array import Array
from .checks import as_key, bool_arg, check_dataset, int_arg
from .collate import default_collate
from .dataset import batch_gatherer, fetch
from .errors import DataError
from .samplers import BatchSampler, RandomSampler, SequentialSampler
from .workers import ordered_map

_SHUFFLE, _ITEMS = 0, 1  # fold_in data separating the loader key's two uses


class DataLoader:
    """Batches of ``dataset``, iterable once per epoch, as many epochs as you like.

    Parameters follow PyTorch: ``batch_size`` items per batch (the last one shorter unless
    ``drop_last``); ``shuffle=True`` draws a new order each epoch from ``key`` (an
    ``nr.random.key`` or an int seed) and the epoch number; or give a ``sampler`` of indices,
    or a ``batch_sampler`` of index lists. ``collate_fn`` turns a list of items into a batch
    (default :func:`~neurarust.data.default_collate`: arrays stacked with NumPy, numbers to
    Arrays, strings to lists). ``device`` places every batch array there (``x.to(device)``).

    Epochs: each ``iter(loader)`` starts a new epoch (0, 1, 2, ...); :meth:`set_epoch`
    chooses the next one. Samplers with ``set_epoch`` are told the epoch, and datasets that take
    keys (:class:`~neurarust.data.MapDataset` with ``fn(item, key)``) get a key per item
    derived from ``key``, the epoch and the item's index, so the batches are the same whatever
    ``num_workers`` is.

    Workers: with ``num_workers > 0``, that many threads load and collate whole batches ahead,
    at most ``num_workers * prefetch`` batches in flight, yielded in order. Threads pay off
    when loading waits (files, decoding, large NumPy copies, which release the GIL); small
    in-memory items and Python-heavy transforms are as fast with ``num_workers=0``. An
    exception while loading is re-raised in the loop, with a note naming the item index, batch
    and epoch. The threads end with the loop, also on ``break``.

    Resuming: :meth:`state_dict` is ``{"epoch", "batch"}`` (the next batch to produce);
    :meth:`load_state_dict` makes the next ``iter()`` continue from there.

    Examples
    --------
    >>> ds = nr.data.ArrayDataset(nr.zeros((100, 3)), nr.arange(100))
    >>> loader = nr.data.DataLoader(ds, batch_size=32, shuffle=True, key=0, num_workers=2)
    >>> len(loader)
    4
    >>> for x, y in loader:
    ...     pass
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        sampler: Any = None,
        batch_sampler: Any = None,
        drop_last: bool = False,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        num_workers: int = 0,
        prefetch: int = 2,
        key: Any = None,
        device: Any = None,
    ) -> None:
        op = "DataLoader"
        self.dataset = check_dataset(op, dataset)
        shuffle = bool_arg(op, "shuffle", shuffle)
        drop_last = bool_arg(op, "drop_last", drop_last)
        key = None if key is None else as_key(op, key)
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise DataError(
                    f"{op}: argument 'batch_sampler' expected alone, got it together with "
                    "batch_size, shuffle, sampler or drop_last (the batch sampler decides those)"
                )
        else:
            batch_size = int_arg(op, "batch_size", batch_size)
            if sampler is not None and shuffle:
                raise DataError(
                    f"{op}: arguments 'sampler' and 'shuffle' expected one of them, got both "
                    "(the sampler decides the order)"
                )
            if shuffle:
                if key is None:
                    raise DataError(
                        f"{op}: shuffle=True expected argument 'key' (nr.random.key(seed) or an "
                        "int seed), got None"
                    )
                sampler = RandomSampler(dataset, random.fold_in(key, _SHUFFLE))
            elif sampler is None:
                sampler = SequentialSampler(dataset)
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if collate_fn is not None and not callable(collate_fn):
            raise DataError(
                f"{op}: argument 'collate_fn' expected a callable or None, got "
                f"{type(collate_fn).__name__}"
            )
        self.batch_sampler = batch_sampler
        self.batch_size = getattr(batch_sampler, "batch_size", None)
        self.collate_fn = collate_fn or default_collate
        self.num_workers = int_arg(op, "num_workers", num_workers, 0)
        self.prefetch = int_arg(op, "prefetch", prefetch)
        self.device = None if device is None else backend.device(device)
        self._item_key = None if key is None else random.fold_in(key, _ITEMS)
        keyed = self._item_key is not None and getattr(dataset, "keyed", False)
        self._gather = batch_gatherer(dataset) if collate_fn is None and not keyed else None
        self._next_epoch, self._skip = 0, 0
        self._position = (0, 0)
        self._token: object = None

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def set_epoch(self, epoch: int) -> None:
        """Make the next ``iter()`` run epoch ``epoch`` from its first batch."""
        epoch = int_arg("DataLoader.set_epoch", "epoch", epoch, 0)
        self._next_epoch, self._skip = epoch, 0
        self._position = (epoch, 0)

    def state_dict(self) -> dict[str, int]:
        """``{"epoch": e, "batch": b}``: the next batch to produce is batch ``b`` of epoch
        ``e`` (``b`` counts the batches already yielded; after the last one, ``(e + 1, 0)``).
        """
        epoch, batch = self._position
        return {"epoch": epoch, "batch": batch}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Resume from :meth:`state_dict`: the next ``iter()`` starts at that batch."""
        op = "DataLoader.load_state_dict"
        if not isinstance(state, Mapping) or set(state) != {"epoch", "batch"}:
            raise DataError(
                f"{op}: argument 'state' expected a mapping with keys 'epoch' and 'batch', "
                f"got {state!r}"
            )
        try:
            epoch, batch = operator.index(state["epoch"]), operator.index(state["batch"])
        except TypeError:
            raise DataError(f"{op}: expected int 'epoch' and 'batch', got {state!r}") from None
        int_arg(op, "epoch", epoch, 0)
        if not 0 <= batch <= len(self):
            raise DataError(
                f"{op}: argument 'batch' expected a value in [0, {len(self)}], got {batch}"
            )
        self._next_epoch, self._skip = epoch, batch
        self._position = (epoch, batch)

    def __iter__(self) -> Iterator[Any]:
        epoch, skip = self._next_epoch, self._skip
        self._next_epoch, self._skip = epoch + 1, 0
        for s in (self.batch_sampler, getattr(self.batch_sampler, "sampler", None)):
            if hasattr(s, "set_epoch"):
                s.set_epoch(epoch)
        batches = [list(b) for b in self.batch_sampler]
        self._token = token = object()
        self._position = (epoch, skip) if skip < len(batches) else (epoch + 1, 0)
        return self._run(token, epoch, batches, skip)

    def _run(self, token: object, epoch: int, batches: list[list[int]], skip: int) -> Iterator:
        keyed = self._item_key is not None and getattr(self.dataset, "keyed", False)
        epoch_key = random.fold_in(self._item_key, epoch) if keyed else None
        load = functools.partial(self._load, epoch, epoch_key)
        tasks = [(b, batches[b]) for b in range(skip, len(batches))]
        window = self.num_workers * self.prefetch
        with contextlib.closing(ordered_map(load, tasks, self.num_workers, window)) as results:
            for b, batch in enumerate(results, skip):
                if self._token is token:
                    self._position = (epoch, b + 1) if b + 1 < len(batches) else (epoch + 1, 0)
                yield batch

    def _load(self, epoch: int, epoch_key: Array | None, task: tuple[int, list[int]]) -> Any:
        position, indices = task
        where = f"batch {position} of epoch {epoch}"
        if self._gather is not None:
            try:
                batch = self._gather(indices)
            except Exception as e:
                e.add_note(f"DataLoader: raised while loading {where} (items {indices})")
                raise
        else:
            items = []
            for i in indices:
                key = None if epoch_key is None else random.fold_in(epoch_key, i)
                try:
                    items.append(fetch(self.dataset, i, key))
                except Exception as e:
                    e.add_note(f"DataLoader: raised while loading item {i} ({where})")
                    raise
            try:
                batch = self.collate_fn(items)
            except Exception as e:
                e.add_note(f"DataLoader: raised while collating {where} (items {indices})")
                raise
        if self.device is not None:
            batch = tree.map(lambda x: x.to(self.device) if isinstance(x, Array) else x, batch)
        return batch
