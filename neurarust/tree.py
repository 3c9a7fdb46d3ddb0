"""Pytrees: nested containers of arrays, handled by ``optree`` in the "neurarust" namespace.

``None`` is an empty subtree; Arrays, NumPy arrays and Python numbers are leaves. Paths print
PyTorch-style with :func:`keystr`: ``layers.0.weight``.
"""

from __future__ import annotations

import builtins
import fnmatch
import functools
from collections.abc import Callable
from typing import Any

import optree

NAMESPACE = "neurarust"

PyTreeDef = optree.PyTreeSpec


def flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> tuple[list[Any], Any]:
    """The leaves of ``tree`` (in a deterministic order) and its structure."""
    return optree.tree_flatten(tree, is_leaf=is_leaf, none_is_leaf=False, namespace=NAMESPACE)


def unflatten(treedef: Any, leaves: Any) -> Any:
    """The tree of structure ``treedef`` holding ``leaves``."""
    return optree.tree_unflatten(treedef, leaves)


def leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list[Any]:
    """The leaves of ``tree``."""
    return optree.tree_leaves(tree, is_leaf=is_leaf, none_is_leaf=False, namespace=NAMESPACE)


def structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """The structure (treedef) of ``tree``."""
    return optree.tree_structure(tree, is_leaf=is_leaf, none_is_leaf=False, namespace=NAMESPACE)


def map(  # noqa: A001 - the familiar name, as in jax.tree.map
    f: Callable[..., Any], tree: Any, *rest: Any, is_leaf: Callable[[Any], bool] | None = None
) -> Any:
    """Apply ``f`` leaf by leaf over ``tree`` (and trees of the same structure in ``rest``)."""
    return optree.tree_map(f, tree, *rest, is_leaf=is_leaf, none_is_leaf=False, namespace=NAMESPACE)


def flatten_with_path(
    tree: Any, is_leaf: Callable[[Any], bool] | None = None
) -> tuple[list[tuple[tuple[Any, ...], Any]], Any]:
    """``([(path, leaf), ...], treedef)``; each path is a tuple of keys (see :func:`keystr`):
    dict keys, sequence indices, and field names of named tuples and modules."""
    leaves_, treedef = optree.tree_flatten(
        tree, is_leaf=is_leaf, none_is_leaf=False, namespace=NAMESPACE
    )
    accessors = treedef.accessors()
    paths = [tuple(getattr(e, "field", None) or e.entry for e in a) for a in accessors]
    return list(zip(paths, leaves_, strict=True)), treedef


def map_with_path(
    f: Callable[..., Any], tree: Any, *rest: Any, is_leaf: Callable[[Any], bool] | None = None
) -> Any:
    """Apply ``f(path, leaf, *others)`` leaf by leaf; ``path`` is a tuple of keys as
    :func:`flatten_with_path` gives."""
    pairs, treedef = flatten_with_path(tree, is_leaf=is_leaf)
    others = [treedef.flatten_up_to(r) for r in rest]
    return treedef.unflatten(
        [f(path, leaf, *(o[i] for o in others)) for i, (path, leaf) in enumerate(pairs)]
    )


def keystr(path: tuple[Any, ...]) -> str:
    """A path as a dotted string: ``("layers", 0, "weight") -> "layers.0.weight"``."""
    return ".".join(str(getattr(k, "name", k)) for k in path)


def all(tree: Any) -> bool:  # noqa: A001 - the familiar name
    """True when every leaf of ``tree`` is truthy."""
    return builtins.all(bool(x) for x in leaves(tree))


def reduce(f: Callable[[Any, Any], Any], tree: Any, initializer: Any = None) -> Any:
    """Fold ``f`` over the leaves of ``tree``."""
    items = leaves(tree)
    if initializer is None:
        return functools.reduce(f, items)
    return functools.reduce(f, items, initializer)


def register_pytree_node(
    cls: type,
    flatten_func: Callable[[Any], tuple[Any, Any]],
    unflatten_func: Callable[[Any, Any], Any],
) -> type:
    """Register ``cls`` as a pytree node.

    ``flatten_func(obj) -> (children, aux_data)``; ``unflatten_func(aux_data, children) -> obj``.
    """

    def flatten_with_none(obj: Any) -> tuple[Any, Any, None]:
        children, aux = flatten_func(obj)
        return children, aux, None

    optree.register_pytree_node(cls, flatten_with_none, unflatten_func, namespace=NAMESPACE)
    return cls


def register_dataclass(
    cls: type, data_fields: list[str] | None = None, meta_fields: list[str] | None = None
) -> type:
    """Register a dataclass: ``data_fields`` are children, ``meta_fields`` static metadata."""
    import dataclasses

    if data_fields is None:
        data_fields = [f.name for f in dataclasses.fields(cls)]
    meta_fields = list(meta_fields or [])

    def flatten_func(obj: Any) -> tuple[Any, Any]:
        children = [getattr(obj, name) for name in data_fields]
        meta = tuple(getattr(obj, name) for name in meta_fields)
        return children, meta

    def unflatten_func(meta: Any, children: Any) -> Any:
        obj = object.__new__(cls)
        for name, value in zip(data_fields, children, strict=True):
            object.__setattr__(obj, name, value)
        for name, value in zip(meta_fields, meta, strict=True):
            object.__setattr__(obj, name, value)
        return obj

    def flatten_named(obj: Any) -> tuple[Any, Any, tuple[str, ...]]:
        children, meta = flatten_func(obj)
        return children, meta, tuple(data_fields)

    optree.register_pytree_node(cls, flatten_named, unflatten_func, namespace=NAMESPACE)
    return cls


PathFilter = str | Callable[[str, Any], bool]


def path_filter(spec: PathFilter | list[str] | tuple[str, ...]) -> Callable[[str, Any], bool]:
    """A predicate ``(path, leaf) -> bool`` from a filter spec.

    ``spec`` is a glob pattern on dotted paths (``"*.bias"``, ``"encoder.layers.*.weight"``;
    ``*`` matches across dots), a list of such patterns (any may match), or a predicate
    ``(path, leaf) -> bool`` returned unchanged. This one language serves partitioning,
    freezing, optimizer parameter groups, weight-decay masks and ``grad(..., wrt=...)``.
    """
    if callable(spec):
        return spec
    patterns = [spec] if isinstance(spec, str) else list(spec)
    for p in patterns:
        if not isinstance(p, str):
            raise TypeError(
                f"path_filter: expected a glob pattern string, a list of them or a predicate "
                f"(path, leaf) -> bool, got {type(p).__name__}"
            )

    def matches(path: str, leaf: Any = None) -> bool:
        return any(fnmatch.fnmatchcase(path, p) for p in patterns)

    return matches
