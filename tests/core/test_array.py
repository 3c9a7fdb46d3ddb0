"""The Array itself: attributes, immutability, conversions, interop, repr, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.test_util import strategies as nst


def test_attributes():
    x = nr.asarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    assert x.shape == (2, 3, 4) and x.ndim == 3 and x.size == 24
    assert x.dtype == nr.float32 and x.dtype == np.float32
    assert x.device == nr.core.backend.CPU and str(x.device) == "cpu"
    assert len(x) == 2


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (1.5, nr.float32),
        (3, nr.int64),
        (True, nr.bool),
        (1j, nr.complex64),
        ([1.0, 2.0], nr.float32),
        ([[1, 2]], nr.int64),
    ],
)
def test_asarray_default_dtypes(value, dtype):
    assert nr.asarray(value).dtype == dtype


def test_asarray_keeps_numpy_dtype_and_copies_writable_input():
    src = np.ones(3, dtype=np.float64)
    x = nr.asarray(src)
    assert x.dtype == nr.float64
    src[0] = 5.0
    assert x.numpy()[0] == 1.0
    shared = nr.asarray(src, copy=False)
    assert np.shares_memory(shared.numpy(), src)


def test_asarray_rejects_unknown_dtypes_and_ragged_lists():
    with pytest.raises(nr.DTypeError, match="asarray"):
        nr.asarray(np.array(["a", "b"]))
    with pytest.raises(nr.DTypeError, match="dtype"):
        nr.asarray([1.0], dtype="float8")
    with pytest.raises(nr.ShapeError, match="rectangular"):
        nr.asarray([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="asarray"):
        nr.asarray(object())


def test_numpy_view_is_read_only():
    x = nr.asarray([1.0, 2.0])
    view = x.numpy()
    with pytest.raises(ValueError):
        view[0] = 10.0
    arr = np.asarray(x)
    with pytest.raises(ValueError):
        arr[0] = 10.0
    assert x.numpy()[0] == 1.0


def test_setitem_and_attribute_assignment_are_refused():
    x = nr.asarray([1.0, 2.0])
    with pytest.raises(TypeError, match=r"x\.at\[idx\]\.set"):
        x[0] = 3.0
    with pytest.raises(AttributeError):
        x.shape = (1, 2)


@pytest.mark.parametrize(
    ("method", "hint"),
    [
        ("add_", "x = x + y"),
        ("fill_", "nr.fill"),
        ("zero_", "zeros_like"),
        ("clamp_", "nr.clamp"),
        ("mul_", "x = x * y"),
        ("index_add_", "nr.index_add"),
    ],
)
def test_inplace_methods_show_the_functional_spelling(method, hint):
    x = nr.asarray([1.0])
    with pytest.raises(AttributeError, match="immutable") as info:
        getattr(x, method)
    assert hint in str(info.value)


def test_augmented_assignment_rebinds():
    x = nr.asarray([1.0, 2.0])
    y = x
    x += 1.0
    assert y.numpy().tolist() == [1.0, 2.0] and x.numpy().tolist() == [2.0, 3.0]


def test_not_hashable_and_elementwise_eq():
    x = nr.asarray([1.0, 2.0])
    with pytest.raises(TypeError):
        hash(x)
    assert (x == nr.asarray([1.0, 3.0])).tolist() == [True, False]


def test_scalar_conversions():
    x = nr.asarray([2.5])
    assert float(x) == 2.5 and int(x) == 2 and bool(x) and complex(x) == 2.5
    assert x.item() == 2.5 and nr.asarray([[3]]).item() == 3
    assert [1, 2, 3][nr.asarray(1)] == 2
    for conv in (float, int, bool):
        with pytest.raises(TypeError, match=r"shape \(2,\)"):
            conv(nr.asarray([1.0, 2.0]))
    with pytest.raises(TypeError, match="integer"):
        [1, 2][nr.asarray(1.0)]


def test_repr_and_str():
    assert repr(nr.asarray([[1.0, 2.0]])) == "Array([[1., 2.]], dtype=float32)"
    assert repr(nr.asarray(3)) == "Array(3, dtype=int64)"
    big = repr(nr.zeros(5000))
    assert "..." in big and big.endswith("dtype=float32)")
    assert str(nr.asarray([1.0, 2.0])) == "[1. 2.]"
    assert f"{nr.asarray(2.0):.2f}" == "2.00"


def test_tolist_and_iteration():
    x = nr.asarray([[1, 2], [3, 4]])
    assert x.tolist() == [[1, 2], [3, 4]]
    assert [row.tolist() for row in x] == [[1, 2], [3, 4]]
    with pytest.raises(TypeError, match="0-d"):
        len(nr.asarray(1.0))


def test_dlpack_round_trip_with_numpy():
    x = nr.asarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    y = np.from_dlpack(x)
    np.testing.assert_array_equal(y, x.numpy())
    assert x.__dlpack_device__() == (1, 0)


def test_array_namespace():
    x = nr.ones(2)
    assert x.__array_namespace__() is nr
    assert x.__array_namespace__(api_version="2024.12") is nr
    assert nr.__array_api_version__ == "2024.12"
    with pytest.raises(ValueError, match="api_version"):
        x.__array_namespace__(api_version="1999.01")


def test_unknown_device_is_a_clear_error():
    with pytest.raises(nr.DeviceError, match="device"):
        nr.ones(2).to("tpu")
    with pytest.raises(nr.DeviceError):
        nr.zeros(2, device="cuda:7")


def test_numpy_operands_on_the_left_defer_to_neurarust():
    out = np.ones(2, dtype=np.float32) + nr.asarray([1.0, 2.0])
    assert isinstance(out, nr.Array) and out.tolist() == [2.0, 3.0]


@given(nst.arrays(dtype=nst.dtypes(("float", "int", "bool")), shape=nst.shapes()))
def test_ops_never_change_their_inputs(x):
    before = np.array(x.numpy(), copy=True)
    for op in (
        lambda a: a + 1,
        lambda a: a * 2,
        lambda a: -a if a.dtype != nr.bool else a,
        lambda a: nr.reshape(a, (-1,)),
        lambda a: nr.sum(a),
    ):
        op(x)
    np.testing.assert_array_equal(x.numpy(), before)


@given(
    st.sampled_from(
        [
            nr.float16,
            nr.bfloat16,
            nr.float32,
            nr.float64,
            nr.int8,
            nr.uint8,
            nr.int32,
            nr.int64,
            nr.complex64,
            nr.bool,
        ]
    )
)
def test_astype_round_trip_small_integers(dtype):
    x = nr.asarray([0, 1, 1, 0], dtype="int64")
    back = x.astype(dtype).astype("int64")
    assert back.tolist() == [0, 1, 1, 0]


def test_astype_truncates_toward_zero_and_bool_is_zero_one():
    x = nr.asarray([-1.7, -0.2, 0.0, 2.9])
    assert x.astype("int32").tolist() == [-1, 0, 0, 2]
    assert x.astype(nr.bool).tolist() == [True, True, False, True]
    assert nr.asarray([True, False]).astype("float32").tolist() == [1.0, 0.0]


def test_reduction_and_sorting_methods_match_numpy():
    a = np.array([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]])
    x = nr.asarray(a)
    np.testing.assert_allclose(x.prod(axis=1).numpy(), a.prod(axis=1))
    np.testing.assert_allclose(x.var(axis=0, correction=1).numpy(), a.var(axis=0, ddof=1))
    np.testing.assert_allclose(x.std().numpy(), a.std())
    np.testing.assert_allclose(x.cumsum(axis=1).numpy(), a.cumsum(axis=1))
    np.testing.assert_allclose(x.sort(axis=1).numpy(), np.sort(a, axis=1))
    np.testing.assert_array_equal(x.argsort(axis=0).numpy(), np.argsort(a, axis=0))
    np.testing.assert_allclose(x.sort(descending=True).numpy(), -np.sort(-a))
