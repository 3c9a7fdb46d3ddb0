"""default_collate: stacking pytrees of arrays, numbers and strings; errors for ragged items."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import DTypeError, ShapeError
from neurarust.data import DataError, default_collate


class Pair(NamedTuple):
    image: object
    label: object


def test_pytrees_of_arrays_numbers_and_strings() -> None:
    items = [
        {"x": nr.full((2, 3), float(i)), "y": i, "w": 0.5 * i, "ok": i % 2 == 0, "s": f"t{i}"}
        for i in range(4)
    ]
    batch = default_collate(items)
    assert batch["x"].shape == (4, 2, 3) and batch["x"][3, 1, 2].item() == 3.0
    assert batch["y"].dtype == nr.int64 and batch["y"].tolist() == [0, 1, 2, 3]
    assert batch["w"].dtype == nr.float32 and batch["ok"].dtype == nr.bool
    assert batch["s"] == ["t0", "t1", "t2", "t3"]


def test_numpy_leaves_keep_their_dtype_and_namedtuples_survive() -> None:
    items = [Pair(np.full((2,), i, np.float64), np.int32(i)) for i in range(3)]
    batch = default_collate(items)
    assert isinstance(batch, Pair) and isinstance(batch.image, nr.Array)
    assert batch.image.dtype == nr.float64 and batch.label.dtype == nr.int32
    bf = default_collate([nr.ones(2, dtype=nr.bfloat16)] * 2)
    assert bf.dtype == nr.bfloat16 and bf.shape == (2, 2)


@given(st.lists(st.lists(st.floats(-10, 10, width=32), min_size=3, max_size=3), min_size=1))
def test_matches_numpy_stack(rows: list) -> None:
    items = [nr.asarray(np.array(r, np.float32)) for r in rows]
    np.testing.assert_array_equal(default_collate(items).numpy(), np.array(rows, np.float32))


def test_ragged_items_name_index_and_shapes() -> None:
    items = [{"x": nr.zeros((2, 4))}, {"x": nr.zeros((2, 4))}, {"x": nr.zeros((2, 5))}]
    with pytest.raises(ShapeError, match=r"item 2 with shape \(2, 5\) and item 0 with shape"):
        default_collate(items)
    with pytest.raises(ShapeError, match="at 'x'"):
        default_collate(items)


def test_other_errors() -> None:
    with pytest.raises(DTypeError, match="item 1 with dtype float64"):
        default_collate([nr.zeros(2), nr.zeros(2, dtype=nr.float64)])
    with pytest.raises(DataError, match="item 1 with structure"):
        default_collate([(nr.zeros(1), 1), (nr.zeros(1),)])
    with pytest.raises(DataError, match="item 1 holding str and item 0 holding int"):
        default_collate([{"a": 1}, {"a": "x"}])
    with pytest.raises(DataError, match=r"got object at 'a'.*collate_fn="):
        default_collate([{"a": object()}])
    with pytest.raises(DTypeError, match="neurarust dtype"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(DataError, match="at least one item"):
        default_collate([])
