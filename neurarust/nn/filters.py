"""Selecting leaves by path, for freezing and optimizer groups.

A filter is what :func:`neurarust.tree.path_filter` accepts: a glob pattern over dotted paths
(``"*.bias"``, ``"encoder.*"``; ``*`` matches across dots), a list of patterns, or a
predicate ``(path, leaf) -> bool``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import tree

Filter = str | Sequence[str] | Callable[[str, Any], bool]


def mask(model: Any, spec: Filter) -> Any:
    """A pytree shaped like ``model`` with ``True`` at the leaves ``spec`` selects.

    Examples
    --------
    >>> nr.nn.mask({"w": nr.ones(2), "b": nr.zeros(2)}, "b")
    {'w': False, 'b': True}
    """
    keep = tree.path_filter(spec)
    return tree.map_with_path(lambda p, x: bool(keep(tree.keystr(p), x)), model)


def partition(model: Any, spec: Filter) -> tuple[Any, Any]:
    """Split ``model`` into ``(selected, rest)``: two trees of its structure with ``None`` in
    place of the other part's leaves. :func:`combine` puts them back together.

    Examples
    --------
    >>> trainable, frozen = nr.nn.partition(model, "head.*")     # train only the head
    >>> def loss_fn(trainable, frozen, x, y):
    ...     return nr.nn.functional.cross_entropy(nr.nn.combine(trainable, frozen)(x), y)
    >>> grads = nr.grad(loss_fn)(trainable, frozen, x, y)
    """
    keep = tree.path_filter(spec)
    chosen = tree.map_with_path(lambda p, x: bool(keep(tree.keystr(p), x)), model)
    selected = tree.map(lambda c, x: x if c else None, chosen, model)
    rest = tree.map(lambda c, x: None if c else x, chosen, model)
    return selected, rest


def combine(*trees: Any) -> Any:
    """Merge trees of one structure, taking at each leaf the first value that is not None."""
    if not trees:
        raise TypeError("combine: expected at least one tree")

    def first(*xs: Any) -> Any:
        return next((x for x in xs if x is not None), None)

    return tree.map(first, *trees, is_leaf=lambda x: x is None)
