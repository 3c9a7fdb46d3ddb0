"""Introspection with PyTorch's names: parameters, buffers, modules and children by path.

Paths are dotted strings (``"encoder.layers.0.weight"``) in pytree order. Parameters are the
array leaves of a model; buffers are the array leaves of fields declared with
``nr.nn.field(buffer=True)`` (running statistics), which optimizers leave alone.
"""

from __future__ import annotations

from typing import Any

from .. import tree
from ..core.array import Array
from .module import Module, is_module, iter_modules


def _leaves(model: Module, buffers: bool) -> list[tuple[str, Array]]:
    return [
        (tree.keystr(p), x)
        for p, x, is_buffer in iter_modules(model)
        if is_buffer == buffers and isinstance(x, Array)
    ]


def named_parameters(model: Module) -> list[tuple[str, Array]]:
    """``[(path, array), ...]`` for every trainable array of ``model``.

    Examples
    --------
    >>> seq = nr.nn.Sequential(nr.nn.Linear(2, 3, key=0), nr.nn.ReLU(), nr.nn.Linear(3, 1, key=1))
    >>> [name for name, _ in nr.nn.named_parameters(seq)]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """
    return _leaves(model, buffers=False)


def parameters(model: Module) -> list[Array]:
    """The trainable arrays of ``model``, in the order of :func:`named_parameters`."""
    return [x for _, x in _leaves(model, buffers=False)]


def named_buffers(model: Module) -> list[tuple[str, Array]]:
    """``[(path, array), ...]`` for every buffer (non-trainable array, e.g. running_mean)."""
    return _leaves(model, buffers=True)


def buffers(model: Module) -> list[Array]:
    """The buffers of ``model``, in the order of :func:`named_buffers`."""
    return [x for _, x in _leaves(model, buffers=True)]


def named_modules(model: Module) -> list[tuple[str, Module]]:
    """``[("", model), ("fc1", fc1), ...]``: the model and every sub-module, pre-order."""
    return [(tree.keystr(p), m) for p, m, _ in iter_modules(model) if isinstance(m, Module)]


def modules(model: Module) -> list[Module]:
    """The model and every sub-module, in the order of :func:`named_modules`."""
    return [m for _, m in named_modules(model)]


def named_children(model: Module) -> list[tuple[str, Module]]:
    """The direct sub-modules with their paths (``"fc1"``, or ``"layers.0"`` in a list)."""
    out = []
    d = model.__dict__
    for name in d["__nr_layout__"].children:
        pairs, _ = tree.flatten_with_path(d[name], is_leaf=is_module)
        out += [(tree.keystr((name, *p)), m) for p, m in pairs if isinstance(m, Module)]
    return out


def children(model: Module) -> list[Module]:
    """The direct sub-modules, in the order of :func:`named_children`."""
    return [m for _, m in named_children(model)]


def num_parameters(model: Module, filter: Any = None) -> int:  # noqa: A002 - the natural name
    """The number of trainable scalars, optionally only of paths matching ``filter``.

    ``filter`` is anything :func:`neurarust.tree.path_filter` accepts (``"encoder.*"``).
    """
    keep = tree.path_filter(filter) if filter is not None else None
    return sum(x.size for path, x in _leaves(model, buffers=False) if keep is None or keep(path, x))


def parameter_filter(model: Module, spec: Any = None) -> Any:
    """A predicate ``(path, leaf) -> bool`` selecting the parameters of ``model`` — not its
    buffers — optionally only those matching ``spec`` (a :func:`neurarust.tree.path_filter`
    spec). Use it for ``nr.grad(..., wrt=...)`` or optimizer masks, so that running
    statistics get no gradient and no weight decay.

    Examples
    --------
    >>> grads = nr.grad(loss_fn, wrt=nr.nn.parameter_filter(model))(model, x, y)
    """
    names = {path for path, _ in named_parameters(model)}
    keep = None if spec is None else tree.path_filter(spec)
    return lambda path, leaf: path in names and (keep is None or bool(keep(path, leaf)))
