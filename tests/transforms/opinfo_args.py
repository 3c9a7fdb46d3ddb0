"""Reading OpInfo samples for the transform suites (vmap and jit over every OpInfo)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurarust.core.opinfo import OpInfo


def is_array(x: Any) -> bool:
    """Whether a sample argument is one NumPy array."""
    return isinstance(x, np.ndarray)


def is_array_list(x: Any) -> bool:
    """Whether a sample argument is a non-empty list or tuple of NumPy arrays."""
    return isinstance(x, (list, tuple)) and bool(x) and all(is_array(e) for e in x)


def is_mask_index(info: OpInfo, x: Any) -> bool:
    """A boolean index of an indexing op: its number of true values sets the result's shape,
    so the suites keep it concrete and the same for every example (traced or batched, it
    raises ConcretizationError, which the indexing tests check)."""
    if not info.name.startswith(("at_", "getitem", "index_put")):
        return False
    parts = x if isinstance(x, (list, tuple)) else [x]
    return any(isinstance(p, np.ndarray) and p.dtype == np.bool_ for p in parts)


def leaves(x: Any) -> list[Any]:
    """The leaves of a result that may be a nested tuple or list."""
    if isinstance(x, (tuple, list)):
        return [leaf for item in x for leaf in leaves(item)]
    return [x]
