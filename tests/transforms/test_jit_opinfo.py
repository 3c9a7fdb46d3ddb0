"""``jit`` against eager execution over every OpInfo: the same kernels run, so the results
must be bitwise equal; ``make_graph`` of each records only primitives with consistent avals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opinfo_args import is_array, is_array_list, is_mask_index, leaves

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


def _to_nr(x: Any) -> Any:
    if is_array(x):
        return nr.asarray(x)
    return type(x)(nr.asarray(e) for e in x)


@pytest.mark.parametrize("info", OPINFOS, ids=lambda i: i.name)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_jit_equals_eager(info: OpInfo, seed: int, data: st.DataObject) -> None:
    dtype = data.draw(st.sampled_from(info.dtypes))
    rng = np.random.default_rng(seed)
    for sample in info.samples(rng, dtype):
        positions = [
            i
            for i, a in enumerate(sample.args)
            if (is_array(a) or is_array_list(a)) and not is_mask_index(info, a)
        ]
        if not positions:
            continue
        arrays = [_to_nr(sample.args[i]) for i in positions]

        def call(*xs: Any, sample: Any = sample, positions: list[int] = positions) -> Any:
            args = [nr.asarray(a) if is_array(a) else a for a in sample.args]
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
        for g, a, w in zip(leaves(got), leaves(again), leaves(want), strict=True):
            w = np.asarray(w)
            assert np.asarray(g).dtype == w.dtype, info.name
            if info.name in DIFFERENT_KERNELS or w.dtype.kind == "c":
                # Complex products round differently in NumPy's contiguous (SIMD) and strided
                # loops, and eager broadcasting strides where a traced broadcast is contiguous.
                np.testing.assert_allclose(np.asarray(g), w, rtol=1e-6, atol=1e-6)
            else:
                np.testing.assert_array_equal(np.asarray(g), w, err_msg=info.name)
            np.testing.assert_array_equal(np.asarray(a), np.asarray(g), err_msg=info.name)
