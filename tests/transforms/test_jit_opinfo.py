"""``jit`` against eager execution over every OpInfo: the same kernels run, so the results
must be bitwise equal; ``make_graph`` of each records only primitives with consistent avals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import ConcretizationError
from neurarust.core.opinfo import OPINFOS, OpInfo

# Functions whose output shape depends on the values of their inputs: they cannot be traced
# with abstract values and must say so.
VALUE_DEPENDENT = {
    "nonzero",
    "unique_values",
    "unique_counts",
    "unique_inverse",
    "unique_all",
    "masked_select",
    "bincount",
}
# Functions whose eager path calls a different NumPy kernel from the primitives it traces to
# (np.tensordot eagerly, einsum traced; .at[].divide and .power eagerly in place, traced as
# a scatter of the result): equal up to rounding, not bitwise.
DIFFERENT_KERNELS = {"tensordot", "at_divide", "at_power"}


def _is_mask_index(info: OpInfo, x: Any) -> bool:
    """A boolean index of an indexing op: its number of true values sets the result's shape,
    so it is passed as a constant (traced, it raises ConcretizationError, tested elsewhere)."""
    if not info.name.startswith(("at_", "getitem", "index_put")):
        return False
    parts = x if isinstance(x, (list, tuple)) else [x]
    return any(isinstance(p, np.ndarray) and p.dtype == np.bool_ for p in parts)


def _is_array(x: Any) -> bool:
    return isinstance(x, np.ndarray)


def _is_array_list(x: Any) -> bool:
    return isinstance(x, (list, tuple)) and bool(x) and all(_is_array(e) for e in x)


def _to_nr(x: Any) -> Any:
    if _is_array(x):
        return nr.asarray(x)
    return type(x)(nr.asarray(e) for e in x)


def _leaves(x: Any) -> list[Any]:
    if isinstance(x, (tuple, list)):
        return [leaf for item in x for leaf in _leaves(item)]
    return [x]


@pytest.mark.parametrize("info", OPINFOS, ids=lambda i: i.name)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_jit_equals_eager(info: OpInfo, seed: int, data: st.DataObject) -> None:
    dtype = data.draw(st.sampled_from(info.dtypes))
    rng = np.random.default_rng(seed)
    for sample in info.samples(rng, dtype):
        positions = [
            i
            for i, a in enumerate(sample.args)
            if (_is_array(a) or _is_array_list(a)) and not _is_mask_index(info, a)
        ]
        if not positions:
            continue
        arrays = [_to_nr(sample.args[i]) for i in positions]

        def call(*xs: Any, sample: Any = sample, positions: list[int] = positions) -> Any:
            args = [nr.asarray(a) if _is_array(a) else a for a in sample.args]
            for i, x in zip(positions, xs, strict=True):
                args[i] = x
            return info.fn(*args, **sample.kwargs)

        want = call(*arrays)
        jitted = nr.jit(call)
        if info.name in VALUE_DEPENDENT:
            with pytest.raises(ConcretizationError):
                jitted(*arrays)
            continue
        got = jitted(*arrays)
        again = jitted(*arrays)
        assert jitted.cache_info().hits == 1
        for g, a, w in zip(_leaves(got), _leaves(again), _leaves(want), strict=True):
            w = np.asarray(w)
            assert np.asarray(g).dtype == w.dtype, info.name
            if info.name in DIFFERENT_KERNELS or w.dtype.kind == "c":
                # Complex products round differently in NumPy's contiguous (SIMD) and strided
                # loops, and eager broadcasting strides where a traced broadcast is contiguous.
                np.testing.assert_allclose(np.asarray(g), w, rtol=1e-6, atol=1e-6)
            else:
                np.testing.assert_array_equal(np.asarray(g), w, err_msg=info.name)
            np.testing.assert_array_equal(np.asarray(a), np.asarray(g), err_msg=info.name)
