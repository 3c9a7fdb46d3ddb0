"""The array API standard 2024.12: every name of the main namespace and of the array object
exists, the constants have their values, and the inspection API answers as specified.

The names are written out by hand from the standard (the linalg and fft extensions are
excluded; in-place operators are left out on purpose: ``x += y`` rebinds through ``__add__``).
"""

import math

import numpy as np
import pytest

import neurarust as nr
from neurarust.core.errors import DeviceError, DTypeError
from neurarust.core.info import ArrayNamespaceInfo, __array_namespace_info__

CREATION = [
    "arange", "asarray", "empty", "empty_like", "eye", "from_dlpack", "full", "full_like",
    "linspace", "meshgrid", "ones", "ones_like", "tril", "triu", "zeros", "zeros_like",
]  # fmt: skip
DATA_TYPE_FUNCTIONS = ["astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type"]
ELEMENTWISE = [
    "abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh", "bitwise_and",
    "bitwise_left_shift", "bitwise_invert", "bitwise_or", "bitwise_right_shift", "bitwise_xor",
    "ceil", "clip", "conj", "copysign", "cos", "cosh", "divide", "equal", "exp", "expm1",
    "floor", "floor_divide", "greater", "greater_equal", "hypot", "imag", "isfinite", "isinf",
    "isnan", "less", "less_equal", "log", "log1p", "log2", "log10", "logaddexp", "logical_and",
    "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "multiply", "negative",
    "nextafter", "not_equal", "positive", "pow", "real", "reciprocal", "remainder", "round",
    "sign", "signbit", "sin", "sinh", "square", "sqrt", "subtract", "tan", "tanh", "trunc",
]  # fmt: skip
INDEXING = ["take", "take_along_axis"]
INSPECTION = ["__array_namespace_info__"]
LINEAR_ALGEBRA = ["matmul", "matrix_transpose", "tensordot", "vecdot"]
MANIPULATION = [
    "broadcast_arrays", "broadcast_to", "concat", "expand_dims", "flip", "moveaxis",
    "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack", "tile", "unstack",
]  # fmt: skip
SEARCHING = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where"]
SETS = ["unique_all", "unique_counts", "unique_inverse", "unique_values"]
SORTING = ["argsort", "sort"]
STATISTICAL = [
    "cumulative_prod", "cumulative_sum", "max", "mean", "min", "prod", "std", "sum", "var",
]  # fmt: skip
UTILITY = ["all", "any", "diff"]

FUNCTIONS = (
    CREATION
    + DATA_TYPE_FUNCTIONS
    + ELEMENTWISE
    + INDEXING
    + INSPECTION
    + LINEAR_ALGEBRA
    + MANIPULATION
    + SEARCHING
    + SETS
    + SORTING
    + STATISTICAL
    + UTILITY
)
DTYPES = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex64", "complex128",
]  # fmt: skip
CONSTANTS = ["e", "inf", "nan", "newaxis", "pi"]

ARRAY_ATTRIBUTES = ["T", "mT", "device", "dtype", "ndim", "shape", "size"]
ARRAY_METHODS = [
    "__abs__", "__add__", "__and__", "__array_namespace__", "__bool__", "__complex__",
    "__dlpack__", "__dlpack_device__", "__eq__", "__float__", "__floordiv__", "__ge__",
    "__getitem__", "__gt__", "__index__", "__int__", "__invert__", "__le__", "__lshift__",
    "__lt__", "__matmul__", "__mod__", "__mul__", "__ne__", "__neg__", "__or__", "__pos__",
    "__pow__", "__rshift__", "__setitem__", "__sub__", "__truediv__", "__xor__", "to_device",
    "__radd__", "__rand__", "__rfloordiv__", "__rlshift__", "__rmatmul__", "__rmod__",
    "__rmul__", "__ror__", "__rpow__", "__rrshift__", "__rsub__", "__rtruediv__", "__rxor__",
]  # fmt: skip


def test_name_lists_have_no_duplicates():
    names = FUNCTIONS + DTYPES + CONSTANTS
    assert len(names) == len(set(names)) == 152
    assert len(ARRAY_METHODS) == len(set(ARRAY_METHODS)) == 47


@pytest.mark.parametrize("name", FUNCTIONS)
def test_namespace_function_exists(name):
    assert callable(getattr(nr, name, None)), f"neurarust.{name} is missing"


@pytest.mark.parametrize("name", DTYPES)
def test_namespace_dtype_exists(name):
    assert getattr(nr, name) == np.dtype(name)


@pytest.mark.parametrize("name", CONSTANTS)
def test_namespace_constant_exists(name):
    assert hasattr(nr, name), f"neurarust.{name} is missing"


def test_constant_values():
    assert nr.e == math.e and isinstance(nr.e, float)
    assert nr.pi == math.pi and isinstance(nr.pi, float)
    assert nr.inf == math.inf and isinstance(nr.inf, float)
    assert math.isnan(nr.nan) and isinstance(nr.nan, float)
    assert nr.newaxis is None


def test_version_and_namespace():
    assert nr.__array_api_version__ == "2024.12"
    x = nr.zeros(2)
    assert x.__array_namespace__() is nr
    assert x.__array_namespace__(api_version="2024.12") is nr
    with pytest.raises(ValueError, match="api_version"):
        x.__array_namespace__(api_version="2019.01")


@pytest.mark.parametrize("name", ARRAY_ATTRIBUTES)
def test_array_attribute_exists(name):
    assert hasattr(nr.Array, name), f"Array.{name} is missing"
    assert isinstance(getattr(nr.Array, name), property)


@pytest.mark.parametrize("name", ARRAY_METHODS)
def test_array_method_exists(name):
    assert callable(getattr(nr.Array, name, None)), f"Array.{name} is missing"


# ----------------------------------------------------------------- inspection API


def test_namespace_info_is_exported():
    assert nr.__array_namespace_info__ is __array_namespace_info__


def test_capabilities():
    caps = __array_namespace_info__().capabilities()
    assert caps == {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}


def test_default_device_and_devices():
    info = __array_namespace_info__()
    assert isinstance(info, ArrayNamespaceInfo)
    assert info.default_device() == "cpu"
    devices = info.devices()
    assert devices[0] == "cpu"
    assert all(nr.zeros(1, device=d).device == d for d in devices[:1])
    assert nr.zeros(1).device == info.default_device()


def test_default_dtypes_match_creation_defaults():
    defaults = __array_namespace_info__().default_dtypes()
    assert defaults == {
        "real floating": nr.float32,
        "complex floating": nr.complex64,
        "integral": nr.int64,
        "indexing": nr.int64,
    }
    assert nr.asarray(1.0).dtype == defaults["real floating"]
    assert nr.asarray(1j).dtype == defaults["complex floating"]
    assert nr.asarray(1).dtype == defaults["integral"]
    assert __array_namespace_info__().default_dtypes(device="cpu") == defaults


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        (None, DTYPES),
        ("bool", ["bool"]),
        ("signed integer", ["int8", "int16", "int32", "int64"]),
        ("unsigned integer", ["uint8", "uint16", "uint32", "uint64"]),
        ("integral", ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]),
        ("real floating", ["float32", "float64"]),
        ("complex floating", ["complex64", "complex128"]),
        ("numeric", DTYPES[1:]),
        (("bool", "complex floating"), ["bool", "complex64", "complex128"]),
        (nr.float64, ["float64"]),
        (("real floating", nr.int8), ["int8", "float32", "float64"]),
    ],
)
def test_dtypes_by_kind(kind, names):
    found = __array_namespace_info__().dtypes(kind=kind)
    assert sorted(found) == sorted(names)
    assert all(found[n] == np.dtype(n) for n in names)


def test_inspection_errors():
    info = __array_namespace_info__()
    with pytest.raises(DTypeError, match=r"dtypes: argument 'kind' expected one of"):
        info.dtypes(kind="floating")
    with pytest.raises(DTypeError, match=r"dtypes: argument 'kind'.*'float99'"):
        info.dtypes(kind=("bool", "float99"))
    with pytest.raises(DTypeError, match=r"dtypes: argument 'kind'.*object"):
        info.dtypes(kind=object)
    with pytest.raises(DeviceError, match="dtypes: argument 'device'"):
        info.dtypes(device="tpu")
    with pytest.raises(DeviceError, match="default_dtypes: argument 'device'"):
        info.default_dtypes(device="metal")
