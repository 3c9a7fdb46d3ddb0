"""Running statistics without mutation: ``apply_with_state`` and ``update_state``.

A layer with running statistics (BatchNorm, InstanceNorm with ``track_running_stats``) in
training mode computes its new buffers during the forward pass and hands them to the
collection opened by :func:`apply_with_state`, keyed by the layer object. When the forward
pass ends, the collection is turned into a partial state dict by path
(``{"bn1.running_mean": ..., ...}``), which :func:`update_state` loads into the model. The
model is never mutated, there is no second forward pass, and under ``grad`` the state comes
out as ``aux`` (its values are ``stop_gradient``-ed, so nothing leaks). See docs/architecture.md.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from typing import Any

from ..core.array import Array
from .errors import StateCollectionError
from .introspection import named_modules
from .module import Module
from .state_dict import load

_collection: contextvars.ContextVar[dict[int, tuple[Module, dict[str, Array]]] | None] = (
    contextvars.ContextVar("neurarust_nn_state", default=None)
)


def apply_with_state(model: Module, *args: Any, **kwargs: Any) -> tuple[Any, dict[str, Array]]:
    """Call ``model(*args, **kwargs)`` and also return the buffers its layers updated.

    Returns ``(output, state)`` where ``state`` maps dotted paths to the new buffers
    (``"bn.running_mean"``, ``"bn.running_var"``, ``"bn.num_batches_tracked"``); it is empty
    in eval mode. Load it with :func:`update_state`. A layer called several times in one pass
    updates its statistics once per call, in order, as in PyTorch.

    Examples
    --------
    >>> def loss_fn(model, x, y):
    ...     logits, state = nr.nn.apply_with_state(model, x)
    ...     return nr.nn.functional.cross_entropy(logits, y), state
    >>> step = nr.value_and_grad(
    ...     loss_fn, has_aux=True, allow_int=True, wrt=nr.nn.parameter_filter(model))
    >>> (loss, state), grads = step(model, x, y)     # grads: None for the buffers
    >>> model = nr.nn.update_state(model, state)   # after the optimizer step
    """
    collected: dict[int, tuple[Module, dict[str, Array]]] = {}
    token = _collection.set(collected)
    try:
        out = model(*args, **kwargs)
    finally:
        _collection.reset(token)
    state: dict[str, Array] = {}
    if collected:
        for path, module in named_modules(model):
            entry = collected.get(id(module))
            if entry is not None and entry[0] is module:
                state.update({f"{path}.{k}" if path else k: v for k, v in entry[1].items()})
    return out, state


def update_state(model: Module, state: Mapping[str, Any]) -> Any:
    """A copy of ``model`` with the buffers in ``state`` (from :func:`apply_with_state`).

    Raises
    ------
    StateDictError
        For a path the model does not have, or a shape or dtype mismatch.
    """
    return load(model, state, "update_state", missing_ok=True, unexpected_ok=False)


def current_buffers(layer: Module, *names: str) -> tuple[Array, ...]:
    """The latest values of ``layer``'s buffers ``names`` in this forward pass.

    Raises a clear error when no :func:`apply_with_state` collection is open: a layer in
    training mode cannot otherwise return its updated statistics.
    """
    collected = _collection.get()
    if collected is None:
        raise StateCollectionError(
            "in training mode with track_running_stats=True this layer updates its "
            "running statistics, and a functional model must return them; call the model "
            "through apply_with_state:\n"
            "    out, state = nr.nn.apply_with_state(model, x)\n"
            "    model = nr.nn.update_state(model, state)\n"
            "or use model.eval() (stored statistics) or track_running_stats=False (batch "
            "statistics only)."
        )
    entry = collected.get(id(layer))
    values = entry[1] if entry is not None and entry[0] is layer else layer.__dict__
    return tuple(values[n] for n in names)


def record_buffers(layer: Module, **buffers: Array) -> None:
    """Record ``layer``'s updated buffers in the collection that :func:`current_buffers`
    found open."""
    _collection.get()[id(layer)] = (layer, buffers)  # type: ignore[index]
