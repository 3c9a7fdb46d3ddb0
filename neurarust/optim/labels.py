"""Which leaves a parameter group or mask selects: labels by tree, by function or by glob
patterns over dotted paths (the filter language of :func:`neurarust.tree.path_filter`).

Labels come in the order of :func:`neurarust.optim.base.flatten` (``None`` leaves included,
labelled ``None``), so they line up with gradients that hold ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import tree
from .base import flatten, paths


def leaf_labels(op: str, spec: Any, params: Any, what: str = "labels") -> list[Any]:
    """The label of each leaf of ``params`` from ``spec`` (``None`` for ``None`` leaves):

    - a tree with the structure of ``params`` holding the labels;
    - a function ``(path, leaf) -> label``, ``path`` dotted as ``"encoder.0.bias"``;
    - a dict of glob patterns ``{"*.bias": "nodecay", "*": "decay"}`` (the first matching
      pattern gives the label; a leaf that no pattern matches is an error).

    Examples
    --------
    >>> leaf_labels("demo", {"*.bias": "b", "*": "w"}, {"fc": {"bias": 0.0, "weight": 1.0}})
    ['b', 'w']
    """
    leaves, treedef = flatten(params)
    where = paths(params)
    if callable(spec):
        return [None if x is None else spec(p, x) for p, x in zip(where, leaves, strict=True)]
    spec_leaves, spec_def = flatten(spec)
    if spec_def == treedef:
        return spec_leaves
    if isinstance(spec, dict) and all(isinstance(k, str) for k in spec):
        filters = [(tree.path_filter(k), v) for k, v in spec.items()]
        return [
            None if x is None else _first_match(op, what, filters, p, x, spec)
            for p, x in zip(where, leaves, strict=True)
        ]
    raise TypeError(
        f"{op}: argument '{what}' expected a tree with the parameters' structure, a function "
        f"(path, leaf) -> label, or a dict of glob patterns such as {{'*.bias': ...}}, got "
        f"{type(spec).__name__} with structure {tree.structure(spec)} (parameters: "
        f"{tree.structure(params)})"
    )


def _first_match(
    op: str,
    what: str,
    filters: list[tuple[Callable[[str, Any], bool], Any]],
    path: str,
    leaf: Any,
    spec: dict[str, Any],
) -> Any:
    for keep, label in filters:
        if keep(path, leaf):
            return label
    raise ValueError(
        f"{op}: no pattern of '{what}' ({', '.join(repr(k) for k in spec)}) matches the "
        f"parameter {path!r}; add a catch-all pattern '*'"
    )


def leaf_mask(op: str, spec: Any, params: Any) -> list[bool]:
    """Whether each leaf of ``params`` is selected by ``spec`` (``None`` leaves never are): a
    tree of bools with the structure of ``params``, a function ``(path, leaf) -> bool``, a glob
    pattern or a list of glob patterns (see :func:`neurarust.tree.path_filter`)."""
    if isinstance(spec, str) or (
        isinstance(spec, (list, tuple))
        and all(isinstance(s, str) for s in spec)
        and tree.structure(spec) != tree.structure(params)
    ):
        keep = tree.path_filter(spec)
        leaves, _ = flatten(params)
        return [
            x is not None and bool(keep(p, x)) for p, x in zip(paths(params), leaves, strict=True)
        ]
    return [bool(m) for m in leaf_labels(op, spec, params, "mask")]
