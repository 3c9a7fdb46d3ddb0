"""Errors raised by ``nr.nn``; each also derives from the built-in exception users catch.

Errors raised inside a layer's ``__call__`` are prefixed with the layer's type and path
(``Linear at 'encoder.fc1': ...``) as they travel up through the enclosing modules.
"""

from __future__ import annotations

from ..core.errors import NeurarustError


class StateDictError(NeurarustError, ValueError):
    """A state dict that does not fit a model: missing, unexpected or mismatched entries."""


class MissingKeyError(NeurarustError, TypeError):
    """A random layer (Dropout, ...) called in training mode without ``key=``."""


class StateCollectionError(NeurarustError, RuntimeError):
    """A layer that updates running statistics called outside ``nr.nn.apply_with_state``."""
