"""Argument checks shared by datasets, samplers and the loader."""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core import dtypes
from ..core.array import Array
from ..core.errors import IndexBoundsError
from .errors import DataError


def int_arg(op: str, name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int ``>= minimum`` (bools rejected), or a DataError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise DataError(
            f"{op}: argument '{name}' expected an int >= {minimum}, got "
            f"{type(value).__name__} {value!r}"
        )
    return int(value)


def bool_arg(op: str, name: str, value: Any) -> bool:
    """``value`` if it is a bool, or a DataError."""
    if not isinstance(value, (bool, np.bool_)):
        raise DataError(f"{op}: argument '{name}' expected a bool, got {type(value).__name__}")
    return bool(value)


def as_key(op: str, value: Any, name: str = "key") -> Array:
    """A random key from a key (``nr.random.key(seed)``) or an int seed, or a DataError."""
    from .. import random

    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return random.key(int(value))
    if isinstance(value, Array) and value.dtype == dtypes.uint32 and value.shape == (2,):
        return value
    raise DataError(
        f"{op}: argument '{name}' expected a key from nr.random.key(seed) (or an int seed), "
        f"got {type(value).__name__}"
        + (f" of shape {value.shape}" if isinstance(value, Array) else "")
    )


def index_arg(op: str, index: Any, length: int) -> int:
    """``index`` as an int in ``[0, length)`` (negative indices count from the end)."""
    try:
        i = operator.index(index)
    except TypeError:
        raise DataError(
            f"{op}: argument 'index' expected an int, got {type(index).__name__}"
        ) from None
    if not -length <= i < length:
        raise IndexBoundsError(
            f"{op}: argument 'index' expected a value in [{-length}, {length}) for a dataset "
            f"of {length} items, got {i}"
        )
    return i % length


def check_dataset(op: str, dataset: Any, name: str = "dataset") -> Any:
    """``dataset`` if it has ``__len__`` and ``__getitem__``, or a DataError."""
    if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
        raise DataError(
            f"{op}: argument '{name}' expected a dataset (an object with __len__ and "
            f"__getitem__), got {type(dataset).__name__}"
        )
    return dataset


def takes_key(fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` has two or more required positional parameters (``fn(item, key)``)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [p for p in params if p.kind in positional and p.default is p.empty]
    return len(required) >= 2
