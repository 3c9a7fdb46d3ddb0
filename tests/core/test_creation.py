"""Creation functions: values and dtypes against NumPy, defaults, immutability, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import DeviceError, DTypeError, ShapeError

shapes = st.lists(st.integers(0, 4), max_size=3).map(tuple)


def values(x):
    return np.asarray(x.numpy())


# ------------------------------------------------------------ zeros, ones, full, empty


@given(shapes)
def test_zeros_ones_empty_match_numpy(shape):
    for fn, ref in ((nr.zeros, np.zeros), (nr.ones, np.ones), (nr.empty, np.zeros)):
        out = fn(shape)
        assert out.shape == shape and out.dtype == nr.float32
        np.testing.assert_array_equal(values(out), ref(shape))


@pytest.mark.parametrize(
    "dtype", [nr.bool, nr.int8, nr.uint16, nr.int64, nr.bfloat16, nr.complex128]
)
def test_creation_dtype_argument(dtype):
    assert nr.zeros((2,), dtype=dtype).dtype == dtype
    assert nr.ones(3, dtype=dtype).dtype == dtype
    assert nr.empty((), dtype=dtype).dtype == dtype
    assert nr.full((1, 2), 1, dtype=dtype).dtype == dtype


def test_dtype_spellings():
    assert nr.zeros(2, dtype="int32").dtype == nr.int32
    assert nr.zeros(2, dtype=float).dtype == nr.float32
    assert nr.zeros(2, dtype=int).dtype == nr.int64
    assert nr.zeros(2, dtype=np.float64).dtype == nr.float64


def test_empty_is_zeros():
    np.testing.assert_array_equal(values(nr.empty((3, 2), dtype=nr.int32)), np.zeros((3, 2)))


@pytest.mark.parametrize(
    ("fill", "dtype"),
    [
        (True, nr.bool),
        (3, nr.int64),
        (2.5, nr.float32),
        (1 + 2j, nr.complex64),
        (np.float64(1.5), nr.float64),
        (np.int16(4), nr.int16),
    ],
)
def test_full_infers_dtype_from_fill_value(fill, dtype):
    out = nr.full((2, 2), fill)
    assert out.dtype == dtype
    np.testing.assert_array_equal(values(out), np.full((2, 2), fill))


def test_full_with_array_fill_and_explicit_dtype():
    out = nr.full((3,), nr.asarray(7, dtype=nr.int8))
    assert out.dtype == nr.int8 and out.tolist() == [7, 7, 7]
    assert nr.full((2,), 3, dtype=nr.float64).tolist() == [3.0, 3.0]
    assert nr.full(2, True, dtype=nr.int32).tolist() == [1, 1]


@given(shapes, st.sampled_from([nr.float32, nr.int32, nr.bool]))
def test_like_functions_keep_shape_and_dtype(shape, dtype):
    x = nr.ones(shape, dtype=dtype)
    for fn, fill in ((nr.zeros_like, 0), (nr.ones_like, 1), (nr.empty_like, 0)):
        out = fn(x)
        assert out.shape == shape and out.dtype == dtype
        np.testing.assert_array_equal(values(out), np.full(shape, fill, dtype=dtype))
    out = nr.full_like(x, 1)
    assert out.shape == shape and out.dtype == dtype


def test_like_functions_dtype_override_and_numpy_input():
    x = np.arange(6.0).reshape(2, 3)
    assert nr.zeros_like(x).dtype == nr.float64
    assert nr.ones_like(x, dtype=nr.int8).dtype == nr.int8
    out = nr.full_like(nr.zeros(3, dtype=nr.int32), 2.7)
    assert out.dtype == nr.int32 and out.tolist() == [2, 2, 2]
    assert nr.full_like([1.0, 2.0], 5.0, dtype=nr.float64).tolist() == [5.0, 5.0]


def test_created_arrays_are_on_cpu():
    assert nr.zeros(2).device == "cpu"
    assert nr.arange(3, device="cpu").device == "cpu"
    assert nr.zeros_like(nr.ones(2), device=nr.zeros(1).device).device == "cpu"


# --------------------------------------------------------------------------- arange


@pytest.mark.parametrize(
    "args",
    [(5,), (2, 9), (2, 9, 3), (10, 0, -3), (5, 2), (0,), (-3, 3, 2), (0, 10**12, 10**11)],
)
def test_arange_ints_match_numpy(args):
    out = nr.arange(*args)
    assert out.dtype == nr.int64
    np.testing.assert_array_equal(values(out), np.arange(*args))


@pytest.mark.parametrize(
    "args", [(0.0, 1.0, 0.1), (1.5,), (0, 1, 0.25), (2.0, -1.0, -0.5), (0.5, 0.4), (-1, 1.0, 0.3)]
)
def test_arange_floats_are_float32(args):
    out = nr.arange(*args)
    assert out.dtype == nr.float32
    np.testing.assert_allclose(values(out), np.arange(*args, dtype=np.float64), rtol=1e-6)


@given(
    st.integers(-20, 20),
    st.integers(-20, 20),
    st.integers(-5, 5).filter(bool),
)
def test_arange_length_rule(start, stop, step):
    out = nr.arange(start, stop, step, dtype=nr.float64)
    expected = max(-(-(stop - start) // step), 0)
    assert out.shape == (expected,)
    np.testing.assert_array_equal(values(out), np.arange(start, stop, step, dtype=np.float64))


def test_arange_dtype_and_array_arguments():
    assert nr.arange(4, dtype=nr.float64).tolist() == [0.0, 1.0, 2.0, 3.0]
    assert nr.arange(4, dtype=nr.uint8).dtype == nr.uint8
    assert nr.arange(nr.asarray(3)).tolist() == [0, 1, 2]
    assert nr.arange(np.int32(1), 3).tolist() == [1, 2]
    assert nr.arange(0, 2, 1, dtype=nr.complex64).tolist() == [0j, 1 + 0j]


def test_arange_errors():
    with pytest.raises(ShapeError, match="arange: argument 'step'"):
        nr.arange(0, 5, 0)
    with pytest.raises(DTypeError, match="arange: argument 'stop'"):
        nr.arange(0, "5")
    with pytest.raises(DTypeError, match="arange: argument 'start'"):
        nr.arange(1j)
    with pytest.raises(DTypeError, match=r"arange: argument 'dtype'.*bool"):
        nr.arange(3, dtype=nr.bool)
    with pytest.raises(DTypeError, match="arange: argument 'dtype'"):
        nr.arange(3, dtype="float8")
    with pytest.raises(DeviceError, match="arange: argument 'device'"):
        nr.arange(3, device="tpu")


# ------------------------------------------------------------------------- linspace


@given(
    st.floats(-100, 100),
    st.floats(-100, 100),
    st.integers(0, 20),
    st.booleans(),
)
def test_linspace_matches_numpy(start, stop, num, endpoint):
    out = nr.linspace(start, stop, num, endpoint=endpoint, dtype=nr.float64)
    np.testing.assert_allclose(
        values(out), np.linspace(start, stop, num, endpoint=endpoint), rtol=1e-12, atol=1e-12
    )


def test_linspace_defaults_and_dtypes():
    out = nr.linspace(0, 1, 5)
    assert out.dtype == nr.float32 and out.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert nr.linspace(0, 1, 4, endpoint=False).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert nr.linspace(0, 10, 4, dtype=nr.int32).tolist() == [0, 3, 6, 10]
    assert nr.linspace(-1, 0, 3, dtype=nr.int64).tolist() == [-1, -1, 0]
    out = nr.linspace(0, 2 + 2j, 3)
    assert out.dtype == nr.complex64 and out.tolist() == [0j, 1 + 1j, 2 + 2j]
    assert nr.linspace(nr.asarray(1.0), 1.0, 1).tolist() == [1.0]
    assert nr.linspace(0, 1, 0).shape == (0,)


def test_linspace_errors():
    with pytest.raises(ShapeError, match="linspace: argument 'num'"):
        nr.linspace(0, 1, -1)
    with pytest.raises(ShapeError, match="linspace: argument 'num'"):
        nr.linspace(0, 1, 2.5)
    with pytest.raises(DTypeError, match="linspace: argument 'start'"):
        nr.linspace("a", 1, 3)
    with pytest.raises(DTypeError, match="linspace: argument 'dtype'"):
        nr.linspace(0, 1j, 3, dtype=nr.float32)
    with pytest.raises(DTypeError, match="linspace: argument 'dtype'"):
        nr.linspace(0, 1, 3, dtype=nr.bool)
    with pytest.raises(DeviceError, match="linspace: argument 'device'"):
        nr.linspace(0, 1, 3, device="gpu")


# ------------------------------------------------------------------------------ eye


@given(st.integers(0, 5), st.one_of(st.none(), st.integers(0, 5)), st.integers(-6, 6))
def test_eye_matches_numpy(n, m, k):
    out = nr.eye(n, m, k=k)
    assert out.dtype == nr.float32
    np.testing.assert_array_equal(values(out), np.eye(n, m, k=k))


def test_eye_dtype_and_errors():
    assert nr.eye(2, dtype=nr.int32).tolist() == [[1, 0], [0, 1]]
    with pytest.raises(ShapeError, match="eye: argument 'n_rows'"):
        nr.eye(-1)
    with pytest.raises(ShapeError, match="eye: argument 'n_cols'"):
        nr.eye(2, -2)
    with pytest.raises(DTypeError, match="eye: argument 'k'"):
        nr.eye(2, k=0.5)
    with pytest.raises(DTypeError, match="eye: argument 'dtype'"):
        nr.eye(2, dtype="matrix")
    with pytest.raises(DeviceError, match="eye: argument 'device'"):
        nr.eye(2, device="cuda:x")


# ------------------------------------------------------------------------ from_dlpack


def test_from_dlpack_numpy_is_zero_copy_and_read_only():
    src = np.arange(6.0).reshape(2, 3)
    out = nr.from_dlpack(src)
    assert out.shape == (2, 3) and out.dtype == nr.float64
    np.testing.assert_array_equal(values(out), src)
    assert np.shares_memory(out.numpy(), src)
    assert not out._v.flags.writeable
    assert src.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        out.numpy()[0, 0] = 1.0


def test_from_dlpack_copy_true_is_independent():
    src = np.arange(3, dtype=np.int32)
    out = nr.from_dlpack(src, copy=True)
    src[0] = 9
    assert out.tolist() == [0, 1, 2]


def test_from_dlpack_round_trip_and_device():
    x = nr.arange(4.0)
    assert nr.from_dlpack(x) is x
    back = np.from_dlpack(x)
    np.testing.assert_array_equal(back, [0.0, 1.0, 2.0, 3.0])
    assert nr.from_dlpack(np.ones(2), device="cpu").device == "cpu"


def test_from_dlpack_torch():
    torch = pytest.importorskip("torch")
    t = torch.arange(4, dtype=torch.float32)
    out = nr.from_dlpack(t)
    assert out.dtype == nr.float32 and out.tolist() == [0.0, 1.0, 2.0, 3.0]
    t.add_(1)
    assert out.tolist() == [1.0, 2.0, 3.0, 4.0]  # zero copy: the producer's writes show


def test_from_dlpack_errors():
    with pytest.raises(TypeError, match="from_dlpack: argument 'x'"):
        nr.from_dlpack([1, 2])
    with pytest.raises(DTypeError, match="from_dlpack: argument 'x'"):
        nr.from_dlpack(np.array(["a"]))
    with pytest.raises(DeviceError, match="from_dlpack: argument 'device'"):
        nr.from_dlpack(np.ones(2), device="tpu")


# ---------------------------------------------------------------------- shared errors


@pytest.mark.parametrize("fn", [nr.zeros, nr.ones, nr.empty, lambda s: nr.full(s, 1.0)])
def test_shape_errors(fn):
    with pytest.raises(ShapeError, match="argument 'shape' expected a non-negative int, got -1"):
        fn((2, -1))
    with pytest.raises(ShapeError, match="argument 'shape'"):
        fn((2.5,))
    with pytest.raises(ShapeError, match="argument 'shape'"):
        fn("ab")
    with pytest.raises(ShapeError, match="argument 'shape'"):
        fn((True,))


@pytest.mark.parametrize(
    ("name", "fn"),
    [
        ("zeros", nr.zeros),
        ("ones", nr.ones),
        ("empty", nr.empty),
        ("full", lambda s, **kw: nr.full(s, 0, **kw)),
        ("zeros_like", lambda s, **kw: nr.zeros_like(nr.zeros(s), **kw)),
        ("full_like", lambda s, **kw: nr.full_like(nr.zeros(s), 1, **kw)),
    ],
)
def test_dtype_and_device_errors_name_the_op(name, fn):
    with pytest.raises(DTypeError, match=rf"{name}: argument 'dtype'.*'float7'"):
        fn((2,), dtype="float7")
    with pytest.raises(DeviceError, match=r"argument 'device'.*'tpu:0'"):
        fn((2,), device="tpu:0")


def test_full_fill_value_errors():
    with pytest.raises(DTypeError, match=r"full: argument 'fill_value'.*range of uint8"):
        nr.full((2,), 300, dtype=nr.uint8)
    with pytest.raises(DTypeError, match=r"full: argument 'fill_value'.*complex"):
        nr.full((2,), 1j, dtype=nr.float32)
    with pytest.raises(DTypeError, match=r"full: argument 'fill_value'.*str"):
        nr.full((2,), "x")
    with pytest.raises(ShapeError, match=r"full: argument 'fill_value'.*shape \(2,\)"):
        nr.full((2,), nr.ones(2))


def test_like_rejects_non_arrays():
    with pytest.raises(TypeError, match="zeros_like: argument 'x'"):
        nr.zeros_like(object())
