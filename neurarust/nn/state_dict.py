"""``state_dict`` / ``load_state_dict``: a model's arrays by dotted path, PyTorch's layout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import tree
from ..core.array import Array
from ..core.ops import asarray
from .errors import StateDictError
from .module import Module, iter_modules


def state_dict(model: Module) -> dict[str, Array]:
    """Every parameter and buffer of ``model`` by dotted path (``"0.weight"``), in tree order.

    Examples
    --------
    >>> sd = nr.nn.state_dict(nr.nn.Linear(2, 3, key=0))
    >>> {k: v.shape for k, v in sd.items()}
    {'weight': (3, 2), 'bias': (3,)}
    """
    return {tree.keystr(p): x for p, x, _ in iter_modules(model) if isinstance(x, Array)}


def load_state_dict(model: Module, state_dict: Mapping[str, Any], strict: bool = True) -> Any:
    """A copy of ``model`` holding the arrays of ``state_dict`` (NumPy arrays accepted).

    Every entry must match its array's shape and dtype. With ``strict=True`` the keys must be
    exactly the model's; with ``strict=False`` missing keys keep their current value and
    unexpected keys are ignored.

    Raises
    ------
    StateDictError
        Listing every missing key, unexpected key, and shape or dtype mismatch.

    Examples
    --------
    >>> model = nr.nn.load_state_dict(model, nr.io.load("weights.safetensors"))
    """
    return load(
        model, state_dict, "load_state_dict", missing_ok=not strict, unexpected_ok=not strict
    )


def load(
    model: Module, entries: Mapping[str, Any], op: str, missing_ok: bool, unexpected_ok: bool
) -> Any:
    """``model`` with the arrays at the paths of ``entries`` replaced, checked as ``op``."""
    current = state_dict(model)
    problems = []
    missing = [k for k in current if k not in entries]
    unexpected = [k for k in entries if k not in current]
    if missing and not missing_ok:
        problems.append(f"missing keys ({len(missing)}): {', '.join(map(repr, missing))}")
    if unexpected and not unexpected_ok:
        problems.append(f"unexpected keys ({len(unexpected)}): {', '.join(map(repr, unexpected))}")
    new = {}
    for key, old in current.items():
        if key not in entries:
            continue
        value = entries[key]
        value = value if isinstance(value, Array) else asarray(value, copy=True)
        if tuple(value.shape) != tuple(old.shape):
            problems.append(
                f"shape mismatch for {key!r}: expected {tuple(old.shape)}, got {tuple(value.shape)}"
            )
        elif value.dtype != old.dtype:
            problems.append(f"dtype mismatch for {key!r}: expected {old.dtype}, got {value.dtype}")
        else:
            new[key] = value if value.device == old.device else value.to(old.device)
    if problems:
        hint = "\n(pass strict=False to ignore missing and unexpected keys)" if missing else ""
        raise StateDictError(
            f"{op}: the state dict does not fit {type(model).__name__}:\n  "
            + "\n  ".join(problems)
            + hint
        )
    return tree.map_with_path(lambda p, x: new.get(tree.keystr(p), x), model)
