"""Ordered, bounded parallel map over background threads."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

WORKER_THREAD_PREFIX = "neurarust-data-worker"


def ordered_map(
    fn: Callable[[Any], T], tasks: Iterable[Any], num_workers: int, window: int
) -> Iterator[T]:
    """``fn(task)`` for each task, yielded in task order.

    With ``num_workers == 0`` everything runs in the calling thread. Otherwise ``num_workers``
    threads (named ``neurarust-data-worker-*``) compute ahead, at most ``window`` results in
    flight. An exception raised by ``fn`` is re-raised here, at its task's turn. Closing the
    generator (``close()``, garbage collection, a ``break`` out of the loop that owns it)
    cancels pending tasks and joins every thread before returning.
    """
    if num_workers == 0:
        yield from map(fn, tasks)
        return
    todo = iter(tasks)
    pending: deque[Future[T]] = deque()
    pool = ThreadPoolExecutor(max_workers=num_workers, thread_name_prefix=WORKER_THREAD_PREFIX)
    try:
        pending.extend(pool.submit(fn, t) for t in itertools.islice(todo, window))
        while pending:
            result = pending.popleft().result()
            pending.extend(pool.submit(fn, t) for t in itertools.islice(todo, 1))
            yield result
    finally:
        for f in pending:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
