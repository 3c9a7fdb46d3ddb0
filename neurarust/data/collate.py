"""The default collate: a list of item pytrees -> one batch pytree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import tree
from ..core import backend, dtypes
from ..core.array import Array, wrap
from ..core.errors import DTypeError, ShapeError
from ..core.ops import asarray
from .errors import DataError

_NUMBERS = (bool, int, float, complex)
_HOST = (np.ndarray, np.generic)


def _leaf_path(items: Sequence[Any], j: int) -> str:
    path = tree.keystr(tree.flatten_with_path(items[0])[0][j][0])
    return f" at {path!r}" if path else ""


def _category(x: Any) -> str:
    if isinstance(x, (Array, *_HOST)):
        return "array"
    if isinstance(x, _NUMBERS):
        return "number"
    if isinstance(x, (str, bytes)):
        return "text"
    return type(x).__name__


def _stack_arrays(column: list[Any], items: Sequence[Any], j: int) -> Array:
    if not all(x.__class__ is Array or isinstance(x, _HOST) for x in column):
        from ..core.ops import stack

        return stack([asarray(x) for x in column])  # traced values: through the public op
    buffers = [x._v if x.__class__ is Array else x for x in column]
    first = buffers[0]
    for i, b in enumerate(buffers):
        if b.shape != first.shape:
            raise ShapeError(
                f"default_collate: items of a batch expected one shape per leaf, got item {i} "
                f"with shape {tuple(b.shape)} and item 0 with shape {tuple(first.shape)}"
                f"{_leaf_path(items, j)} (pad them, or pass collate_fn=)"
            )
        if b.dtype != first.dtype:
            raise DTypeError(
                f"default_collate: items of a batch expected one dtype per leaf, got item {i} "
                f"with dtype {b.dtype} and item 0 with dtype {first.dtype}{_leaf_path(items, j)}"
            )
    if first.dtype not in dtypes.ALL_DTYPES:
        raise DTypeError(
            f"default_collate: expected leaves of a neurarust dtype, got dtype {first.dtype}"
            f"{_leaf_path(items, j)}"
        )
    return wrap(backend.namespace(first).stack(buffers))


def _collate_column(column: list[Any], items: Sequence[Any], j: int) -> Any:
    kinds = {_category(x) for x in column}
    if len(kinds) > 1:
        first = _category(column[0])
        i = next(i for i, x in enumerate(column) if _category(x) != first)
        raise DataError(
            f"default_collate: items of a batch expected leaves of one kind, got item {i} "
            f"holding {type(column[i]).__name__} and item 0 holding "
            f"{type(column[0]).__name__}{_leaf_path(items, j)}"
        )
    kind = kinds.pop()
    if kind == "array":
        return _stack_arrays(column, items, j)
    if kind == "number":
        return asarray(column)
    if kind == "text":
        return list(column)
    raise DataError(
        f"default_collate: expected leaves that are arrays, numbers or strings, got {kind}"
        f"{_leaf_path(items, j)} (pass collate_fn= to batch other types)"
    )


def default_collate(items: Sequence[Any]) -> Any:
    """Stack a list of items (pytrees of one structure) into one batch pytree.

    Array leaves (``nr.Array``, NumPy arrays and scalars) are stacked along a new first axis
    with NumPy (one ``np.stack`` per leaf, wrapped once); Python numbers become a 1-d Array
    (``float32`` for floats, ``int64`` for ints, ``bool`` for bools); strings are gathered
    into lists.

    Raises
    ------
    ShapeError
        Items whose arrays differ in shape (ragged items), naming the item index and shapes.
    DTypeError, DataError
        Items that differ in dtype, in leaf kind or in structure, or unsupported leaf types.

    Examples
    --------
    >>> batch = nr.data.default_collate([(nr.zeros(3), 1), (nr.ones(3), 0)])
    >>> batch[0].shape, batch[1]
    ((2, 3), Array([1, 0], dtype=int64))
    """
    if len(items) == 0:
        raise DataError("default_collate: argument 'items' expected at least one item, got none")
    first, treedef = tree.flatten(items[0])
    columns = [[leaf] for leaf in first]
    for i in range(1, len(items)):
        leaves, other = tree.flatten(items[i])
        if other != treedef:
            raise DataError(
                f"default_collate: items of a batch expected one structure, got item {i} with "
                f"structure {other} and item 0 with structure {treedef}"
            )
        for column, leaf in zip(columns, leaves, strict=True):
            column.append(leaf)
    return tree.unflatten(
        treedef, [_collate_column(column, items, j) for j, column in enumerate(columns)]
    )
