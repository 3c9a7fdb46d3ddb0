"""``summary``: a table of a model's layers with their output shapes and parameter counts."""

from __future__ import annotations

from typing import Any

from .. import tree
from ..core.array import Array
from .introspection import named_buffers, named_modules
from .module import Module, call_recorder, field_names, is_module


def _own_parameters(module: Module) -> int:
    """Scalars in ``module``'s own parameters (not in its sub-modules, not buffers)."""
    buffers = type(module).__nr_buffers__
    total = 0
    for name in field_names(module):
        if name in buffers:
            continue
        for leaf in tree.leaves(getattr(module, name), is_leaf=is_module):
            if isinstance(leaf, Array):
                total += leaf.size
    return total


def _shape_text(out: Any) -> str:
    return str(tree.map(lambda x: tuple(x.shape) if isinstance(x, Array) else x, out))


def summary(model: Module, *inputs: Any, **kwargs: Any) -> str:
    """Run ``model(*inputs, **kwargs)`` in eval mode and print (and return) a table: layer
    path, type, output shape and the number of parameters each layer holds itself; totals
    at the bottom. Layers that the call did not reach show ``-`` as output shape.

    Examples
    --------
    >>> table = nr.nn.summary(model, nr.zeros((1, 784)))
    Layer    Type        Output shape    Params
    ...
    """
    model = model.eval()
    records: list[tuple[Any, Any]] = []
    token = call_recorder.set(records)
    try:
        model(*inputs, **kwargs)
    finally:
        call_recorder.reset(token)
    outputs: dict[int, Any] = {}
    for module, out in records:
        outputs.setdefault(id(module), out)
    rows = [("Layer", "Type", "Output shape", "Params")]
    for path, module in named_modules(model):
        out = outputs.get(id(module))
        shape = "-" if out is None else _shape_text(out)
        rows.append(
            (path or "(model)", type(module).__name__, shape, f"{_own_parameters(module):,}")
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        "  ".join(
            c.ljust(w) if i < 3 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    rule = "-" * len(lines[0])
    total = sum(_own_parameters(m) for _, m in named_modules(model))
    buffered = sum(b.size for _, b in named_buffers(model))
    text = "\n".join(
        [lines[0], rule, *lines[1:], rule, f"Total parameters: {total:,}",
         f"Buffer elements: {buffered:,}"]
    )  # fmt: skip
    print(text)
    return text
