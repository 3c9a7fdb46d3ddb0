"""Hypothesis strategies for property tests of neurarust code and transforms.

Examples
--------
>>> from hypothesis import given
>>> from neurarust.test_util import strategies as nst, check_grads
>>> @given(nst.arrays(shape=nst.shapes(max_ndim=2), elements=(-2.0, 2.0)))
... def test_tanh_grad(x):
...     check_grads(nr.tanh, (x,), order=2)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from ..core import dtypes as _dtypes
from ..core.array import Array
from ..core.ops import asarray

FLOAT_DTYPES = (_dtypes.float32, _dtypes.float64)


def dtypes(kinds: Sequence[str] = ("float",)) -> st.SearchStrategy[np.dtype]:
    """neurarust dtypes of the given kinds: "bool", "int", "uint", "float", "complex"."""
    groups = {
        "bool": (_dtypes.bool_,),
        "int": _dtypes.SIGNED_INTS,
        "uint": _dtypes.UNSIGNED_INTS,
        "float": (_dtypes.float16, _dtypes.bfloat16, _dtypes.float32, _dtypes.float64),
        "complex": _dtypes.COMPLEX_DTYPES,
    }
    choices = [d for k in kinds for d in groups[k]]
    return st.sampled_from(choices)


def shapes(
    min_ndim: int = 0, max_ndim: int = 3, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes with ``min_ndim..max_ndim`` dimensions of ``min_side..max_side``."""
    return st.lists(st.integers(min_side, max_side), min_size=min_ndim, max_size=max_ndim).map(
        tuple
    )


def broadcastable_shapes(
    n: int = 2, max_ndim: int = 3, max_side: int = 4
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Groups of ``n`` shapes that broadcast together (dims dropped from the left or set to 1)."""

    @st.composite
    def group(draw: Any) -> tuple[tuple[int, ...], ...]:
        full = draw(shapes(0, max_ndim, 1, max_side))
        out = []
        for _ in range(n):
            drop = draw(st.integers(0, len(full)))
            ones = draw(
                st.lists(st.booleans(), min_size=len(full) - drop, max_size=len(full) - drop)
            )
            out.append(tuple(1 if o else d for d, o in zip(full[drop:], ones, strict=True)))
        return tuple(out)

    return group()


def arrays(
    dtype: np.dtype | st.SearchStrategy[np.dtype] = _dtypes.float64,
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    elements: tuple[float, float] = (-3.0, 3.0),
) -> st.SearchStrategy[Array]:
    """neurarust arrays with values drawn from ``elements`` (a closed range)."""
    dtype_st = dtype if isinstance(dtype, st.SearchStrategy) else st.just(np.dtype(dtype))
    shape_st = (
        shape
        if isinstance(shape, st.SearchStrategy)
        else st.just(shape if shape is not None else ())
    )
    low, high = elements

    @st.composite
    def draw_array(draw: Any) -> Array:
        d = draw(dtype_st)
        s = draw(shape_st)
        size = int(np.prod(s, dtype=np.int64))
        if d == _dtypes.bool_:
            values = draw(st.lists(st.booleans(), min_size=size, max_size=size))
        elif d.kind in "iu":
            lo = max(int(np.ceil(low)), 0 if d.kind == "u" else int(np.iinfo(d).min))
            hi = min(int(np.floor(high)), int(np.iinfo(d).max))
            values = draw(st.lists(st.integers(lo, hi), min_size=size, max_size=size))
        else:
            values = draw(
                st.lists(
                    st.floats(low, high, allow_nan=False, allow_infinity=False, width=64),
                    min_size=size,
                    max_size=size,
                )
            )
        return asarray(
            np.asarray(values, dtype=np.float64 if d.kind in "fcV" else d).reshape(s), dtype=d
        )

    return draw_array()


def pytrees(
    leaves: st.SearchStrategy[Any] | None = None, max_leaves: int = 4
) -> st.SearchStrategy[Any]:
    """Nested dicts/lists/tuples whose leaves come from ``leaves`` (float64 arrays by default)."""
    base = leaves if leaves is not None else arrays(shape=shapes(max_ndim=2))
    return st.recursive(
        base,
        lambda children: st.one_of(
            st.lists(children, min_size=1, max_size=3),
            st.tuples(children, children),
            st.dictionaries(
                st.sampled_from(["a", "b", "weight", "bias"]), children, min_size=1, max_size=3
            ),
        ),
        max_leaves=max_leaves,
    )


def keys() -> st.SearchStrategy[Any]:
    """Random keys (``nr.random.key(seed)``) for seeds drawn by hypothesis."""
    from ..random import key

    return st.integers(0, 2**31 - 1).map(key)
