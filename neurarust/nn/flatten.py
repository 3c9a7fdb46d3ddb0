"""``Flatten`` and ``Unflatten`` layers (PyTorch's defaults: ``Flatten`` keeps the batch)."""

from __future__ import annotations

from typing import Any

import neurarust as nr

from ..core.array import Array
from .module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Merge dimensions ``start_dim..end_dim`` into one.

    Examples
    --------
    >>> nr.nn.Flatten()(nr.ones((2, 3, 4))).shape
    (2, 12)
    """

    start_dim: int = 1
    end_dim: int = -1

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return nr.flatten(input, self.start_dim, self.end_dim)


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size``.

    Examples
    --------
    >>> nr.nn.Unflatten(1, (3, 4))(nr.ones((2, 12))).shape
    (2, 3, 4)
    """

    dim: int
    unflattened_size: tuple[int, ...]

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def __call__(self, input: Array) -> Array:  # noqa: A002
        return nr.unflatten(input, self.dim, self.unflattened_size)
