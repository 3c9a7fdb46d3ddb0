"""Batching rules, checked for every OpInfo: ``vmap`` over a batch of examples (batch axes and
unbatched arguments drawn by hypothesis) equals a Python loop over the examples."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opinfo_args import is_array, is_array_list, is_mask_index, leaves

import neurarust as nr
from neurarust.core import dtypes
from neurarust.core.opinfo import OPINFOS, OpInfo, Sample
from neurarust.core.primitive import REGISTRY

BATCH = 3

# Functions whose output shape depends on the values: vmap cannot give every example one
# shape, so they raise a clear error (tested beside each family) instead of looping.
VALUE_DEPENDENT_SHAPE = {
    "nonzero",
    "unique_values",
    "unique_counts",
    "unique_inverse",
    "unique_all",
    "masked_select",
    "bincount",
}


def _example(value: np.ndarray, k: int) -> np.ndarray:
    """Example ``k`` of a batch built from one sample value.

    Scaling by a factor in (0, 1] keeps the domain properties samples are drawn with (sign,
    order, positive definiteness, [-1, 1] ranges); integer and bool values (indices, masks)
    are the same for every example.
    """
    if dtypes.is_inexact(value.dtype):
        with np.errstate(all="ignore"):  # samples may hold inf or nan on purpose
            return (value * (1.0 - 0.15 * k)).astype(value.dtype)
    return value


def _stack(values: list[np.ndarray], axis: int) -> np.ndarray:
    return np.stack(values, axis=axis)


def _batched_arg(value: Any, axis: int | None) -> Any:
    if axis is None:
        return nr.asarray(value) if is_array(value) else type(value)(nr.asarray(e) for e in value)
    if is_array(value):
        return nr.asarray(_stack([_example(value, k) for k in range(BATCH)], axis))
    return type(value)(
        nr.asarray(_stack([_example(e, k) for k in range(BATCH)], axis)) for e in value
    )


def _example_arg(value: Any, axis: int | None, k: int) -> Any:
    if axis is None:
        return nr.asarray(value) if is_array(value) else type(value)(nr.asarray(e) for e in value)
    if is_array(value):
        return nr.asarray(_example(value, k))
    return type(value)(nr.asarray(_example(e, k)) for e in value)


def _ndim(value: Any) -> int:
    return value.ndim if is_array(value) else min(e.ndim for e in value)


def check_vmap_sample(info: OpInfo, sample: Sample, axes: list[int | None]) -> None:
    """Compare ``vmap`` with a loop for one sample and one choice of batch axes."""
    positions = [i for i, a in enumerate(sample.args) if is_array(a) or is_array_list(a)]

    def call(*arrays: Any) -> Any:
        args = list(sample.args)
        for i, a in zip(positions, arrays, strict=True):
            args[i] = a
        return info.fn(*args, **sample.kwargs)

    batched = [_batched_arg(sample.args[i], a) for i, a in zip(positions, axes, strict=True)]
    got = nr.vmap(call, in_axes=tuple(axes))(*batched)
    per_example = [
        call(*[_example_arg(sample.args[i], a, k) for i, a in zip(positions, axes, strict=True)])
        for k in range(BATCH)
    ]
    got_leaves = leaves(got)
    want_leaves = [leaves(p) for p in per_example]
    assert len(got_leaves) == len(want_leaves[0]), info.name
    for j, g in enumerate(got_leaves):
        want = np.stack([np.asarray(w[j]) for w in want_leaves])
        g = np.asarray(g)
        assert g.shape == want.shape, (info.name, sample, axes)
        assert g.dtype == want.dtype, (info.name, g.dtype, want.dtype)
        rtol, atol = (1e-10, 1e-12) if g.dtype == np.float64 else (max(info.rtol, 1e-5), 1e-5)
        np.testing.assert_allclose(g, want, rtol=rtol, atol=atol, equal_nan=True)


def _batchable(info: OpInfo) -> bool:
    return info.name not in VALUE_DEPENDENT_SHAPE and not VALUE_DEPENDENT_SHAPE.intersection(
        info.primitives
    )


@pytest.mark.parametrize("info", [i for i in OPINFOS if _batchable(i)], ids=lambda i: i.name)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_vmap_matches_loop(info: OpInfo, seed: int, data: st.DataObject) -> None:
    dtype = data.draw(st.sampled_from(info.dtypes))
    rng = np.random.default_rng(seed)
    for sample in info.samples(rng, dtype):
        arrays = [a for a in sample.args if is_array(a) or is_array_list(a)]
        if not arrays:
            continue
        axes = [
            None
            if is_mask_index(info, a)
            else data.draw(st.one_of(st.none(), st.integers(0, _ndim(a))), label=f"axis {i}")
            for i, a in enumerate(arrays)
        ]
        if all(a is None for a in axes):
            free = [i for i, a in enumerate(arrays) if not is_mask_index(info, a)]
            if not free:
                continue
            axes[free[0]] = 0
        check_vmap_sample(info, sample, axes)


def test_every_primitive_has_a_batching_rule() -> None:
    missing = sorted(name for name, p in REGISTRY.items() if p.batch is None)
    assert not missing, f"primitives without a batching rule: {missing}"
