"""Array creation: zeros, ones, full, empty, the ``*_like`` forms, ranges, ``eye`` and
``from_dlpack``.

Created arrays are constants to every transform, so these need no primitives.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .. import backend, dtypes
from ..array import Array, wrap
from ..errors import ConcretizationError, DeviceError, DTypeError, ShapeError
from .arguments import PY_SCALARS, device_of, to_array, to_device

__all__ = [
    "zeros",
    "ones",
    "empty",
    "full",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
    "arange",
    "linspace",
    "eye",
    "from_dlpack",
]


def array_module(op: str, device: Any) -> Any:
    """The array namespace (numpy or cupy) that allocates on ``device``."""
    try:
        dev = backend.device(device)
    except DeviceError:
        raise DeviceError(
            f"{op}: argument 'device' expected 'cpu', 'cuda', 'cuda:N' or a Device, got {device!r}"
        ) from None
    if dev.platform == "cpu":
        return np
    import cupy

    cupy.cuda.Device(dev.id).use()
    return cupy


def _size(op: str, name: str, value: Any) -> int:
    """``value`` as a non-negative int, or a ShapeError naming ``op`` and ``name``."""
    if isinstance(value, bool):
        raise ShapeError(f"{op}: argument '{name}' expected a non-negative int, got {value!r}")
    try:
        n = operator.index(value)
    except TypeError:
        raise ShapeError(
            f"{op}: argument '{name}' expected a non-negative int, got "
            f"{type(value).__name__} {value!r}"
        ) from None
    if n < 0:
        raise ShapeError(f"{op}: argument '{name}' expected a non-negative int, got {n}")
    return n


def shape_tuple(op: str, shape: Any) -> tuple[int, ...]:
    """``shape`` (an int or a sequence of ints) as a tuple of non-negative ints.

    Raises ShapeError naming ``op`` for negative or non-integer sizes.
    """
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise ShapeError(
            f"{op}: argument 'shape' expected an int or a sequence of ints, "
            f"got {type(shape).__name__} {shape!r}"
        )
    return tuple(_size(op, "shape", d) for d in shape)


def _dtype(op: str, dtype: Any, default: np.dtype = dtypes.default_float) -> np.dtype:
    return default if dtype is None else dtypes.canonicalize(dtype, op)


def zeros(shape: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An array of zeros (default dtype float32).

    >>> nr.zeros((2, 3), dtype=nr.int32).shape
    (2, 3)
    """
    xp = array_module("zeros", device)
    return wrap(xp.zeros(shape_tuple("zeros", shape), dtype=_dtype("zeros", dtype)))


def ones(shape: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An array of ones (default dtype float32)."""
    xp = array_module("ones", device)
    return wrap(xp.ones(shape_tuple("ones", shape), dtype=_dtype("ones", dtype)))


def empty(shape: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An array of the given shape.

    Its values are zeros on purpose: immutable arrays cannot be filled later, so uninitialised
    memory would only leak garbage.
    """
    xp = array_module("empty", device)
    return wrap(xp.zeros(shape_tuple("empty", shape), dtype=_dtype("empty", dtype)))


def _fill_scalar(op: str, fill_value: Any) -> tuple[Any, np.dtype]:
    """``fill_value`` as a Python or NumPy scalar, and the dtype it implies."""
    if isinstance(fill_value, Array):
        if fill_value.ndim != 0:
            raise ShapeError(
                f"{op}: argument 'fill_value' expected a scalar or a 0-d array, "
                f"got an array of shape {fill_value.shape}"
            )
        instead = "use nr.broadcast_to(fill_value, shape) or nr.zeros(shape) + fill_value"
        return _item(op, "fill_value", fill_value, instead), fill_value.dtype
    if type(fill_value) in PY_SCALARS:
        return fill_value, dtypes.scalar_dtype(fill_value)
    if isinstance(fill_value, np.generic) and np.dtype(fill_value.dtype) in dtypes.ALL_DTYPES:
        return fill_value, np.dtype(fill_value.dtype)
    raise DTypeError(
        f"{op}: argument 'fill_value' expected a bool, int, float or complex scalar, "
        f"got {type(fill_value).__name__} {fill_value!r}"
    )


def full(shape: Any, fill_value: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An array filled with ``fill_value``.

    Without ``dtype``, the dtype follows the value: bool -> bool, int -> int64,
    float -> float32, complex -> complex64 (a 0-d array or NumPy scalar keeps its dtype).

    >>> nr.full((2,), 7).dtype
    dtype('int64')
    """
    value, inferred = _fill_scalar("full", fill_value)
    dt = _dtype("full", dtype, inferred)
    if isinstance(value, complex) and dt.kind != "c":
        raise DTypeError(
            f"full: argument 'fill_value' expected a value representable in {dt}, "
            f"got complex {value!r}"
        )
    xp = array_module("full", device)
    size = shape_tuple("full", shape)
    try:
        return wrap(xp.full(size, value, dtype=dt))
    except OverflowError:
        raise DTypeError(
            f"full: argument 'fill_value' expected a value within the range of {dt}, got {value!r}"
        ) from None


def _like(op: str, x: Any, dtype: Any, device: Any) -> tuple[tuple[int, ...], np.dtype, Any]:
    x = to_array(op, "x", x)
    return tuple(x.shape), _dtype(op, dtype, x.dtype), device_of(x) if device is None else device


def zeros_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Array:
    """Zeros with the shape, dtype and device of ``x`` (unless given)."""
    shape, dt, dev = _like("zeros_like", x, dtype, device)
    return zeros(shape, dtype=dt, device=dev)


def ones_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Array:
    """Ones with the shape, dtype and device of ``x`` (unless given)."""
    shape, dt, dev = _like("ones_like", x, dtype, device)
    return ones(shape, dtype=dt, device=dev)


def empty_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Array:
    """An array with the shape, dtype and device of ``x`` (zeros, see :func:`empty`)."""
    shape, dt, dev = _like("empty_like", x, dtype, device)
    return empty(shape, dtype=dt, device=dev)


def full_like(x: Any, /, fill_value: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """``fill_value`` with the shape, dtype and device of ``x`` (unless given)."""
    shape, dt, dev = _like("full_like", x, dtype, device)
    return full(shape, fill_value, dtype=dt, device=dev)


def _item(op: str, name: str, value: Any, instead: str) -> Any:
    """``value.item()``, or a ConcretizationError saying what to do ``instead`` when ``value``
    differs per example under vmap."""
    try:
        return value.item()
    except ConcretizationError:
        raise ConcretizationError(
            f"{op}: argument '{name}' differs from one example to the next under vmap, but "
            f"created arrays are constants; {instead}"
        ) from None


def _real_number(op: str, name: str, value: Any) -> int | float:
    """A Python int or float from a real scalar (or a 0-d real array)."""
    if isinstance(value, (Array, np.generic)) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = _item(
            op,
            name,
            value,
            "the length of a range is fixed by its bounds, so they must be one value for every "
            "example (for a per-example offset, add it to nr.arange(n))",
        )
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DTypeError(
            f"{op}: argument '{name}' expected a real number, got {type(value).__name__} {value!r}"
        )
    return value


def arange(
    start: Any, /, stop: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None
) -> Array:
    """Evenly spaced values in ``[start, stop)`` (``[0, start)`` when ``stop`` is omitted).

    Integer arguments give int64, any float argument gives float32 (unless ``dtype`` says
    otherwise). The length is ``ceil((stop - start) / step)``, or zero when that is negative.

    >>> nr.arange(5).tolist()
    [0, 1, 2, 3, 4]
    >>> nr.arange(0.0, 1.0, 0.25).tolist()
    [0.0, 0.25, 0.5, 0.75]
    """
    start = _real_number("arange", "start", start)
    if stop is None:
        start, stop = 0, start
    stop = _real_number("arange", "stop", stop)
    step = _real_number("arange", "step", step)
    if step == 0:
        raise ShapeError(f"arange: argument 'step' expected a non-zero number, got {step!r}")
    all_int = all(isinstance(v, int) for v in (start, stop, step))
    dt = _dtype("arange", dtype, dtypes.default_int if all_int else dtypes.default_float)
    if dt is dtypes.bool_:
        raise DTypeError("arange: argument 'dtype' expected a numeric dtype, got bool")
    xp = array_module("arange", device)
    if all_int and dt.kind in "iu":
        return wrap(xp.arange(start, stop, step, dtype=dt))
    n = max(math.ceil((stop - start) / step), 0)
    wide = np.complex128 if dt.kind == "c" else np.float64
    values = start + xp.arange(n, dtype=wide) * step
    return wrap(values.astype(dt))


def linspace(
    start: Any,
    stop: Any,
    /,
    num: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    endpoint: bool = True,
) -> Array:
    """``num`` evenly spaced values from ``start`` to ``stop`` (included unless
    ``endpoint=False``).

    The default dtype is float32 (complex64 for complex bounds); values are computed in double
    precision and rounded once. Integer dtypes round toward minus infinity, as NumPy does.

    >>> nr.linspace(0, 1, 5).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    bounds = []
    for name, value in (("start", start), ("stop", stop)):
        if isinstance(value, (Array, np.generic)) and value.ndim == 0:
            value = _item(
                "linspace",
                name,
                value,
                "use start + (stop - start) * nr.linspace(0, 1, num) for per-example bounds",
            )
        if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
            raise DTypeError(
                f"linspace: argument '{name}' expected a number, "
                f"got {type(value).__name__} {value!r}"
            )
        bounds.append(value)
    count = _size("linspace", "num", num)
    is_complex = any(isinstance(b, complex) for b in bounds)
    default = dtypes.default_complex if is_complex else dtypes.default_float
    dt = _dtype("linspace", dtype, default)
    if dt is dtypes.bool_ or (is_complex and dt.kind != "c"):
        raise DTypeError(
            f"linspace: argument 'dtype' expected a {'complex' if is_complex else 'numeric'} "
            f"dtype for bounds {bounds[0]!r} and {bounds[1]!r}, got {dt}"
        )
    xp = array_module("linspace", device)
    wide = np.complex128 if dt.kind == "c" else np.float64
    values = xp.linspace(bounds[0], bounds[1], count, endpoint=endpoint, dtype=wide)
    if dt.kind in "iu":
        values = xp.floor(values)
    return wrap(values.astype(dt))


def eye(
    n_rows: Any,
    n_cols: Any = None,
    /,
    *,
    k: int = 0,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """A 2-D array with ones on diagonal ``k`` (0 the main one, > 0 above, < 0 below).

    >>> nr.eye(2, 3, k=1).tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    rows = _size("eye", "n_rows", n_rows)
    cols = rows if n_cols is None else _size("eye", "n_cols", n_cols)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise DTypeError(f"eye: argument 'k' expected an int, got {type(k).__name__} {k!r}")
    xp = array_module("eye", device)
    return wrap(xp.eye(rows, cols, k=int(k), dtype=_dtype("eye", dtype)))


def _dlpack_buffer(x: Any) -> Any:
    """A backend buffer sharing memory with the DLPack producer ``x``."""
    kind, device_id = x.__dlpack_device__()
    if kind in (1, 3):  # kDLCPU, kDLCUDAHost
        return np.from_dlpack(x)
    cupy = backend._load_cupy()
    if kind == 2 and cupy:  # kDLCUDA
        with cupy.cuda.Device(device_id):
            return cupy.from_dlpack(x)
    raise DeviceError(
        f"from_dlpack: argument 'x' expected data on the CPU or a CUDA device neurarust can use, "
        f"got DLPack device type {kind} (id {device_id})"
    )


def from_dlpack(x: Any, /, *, device: Any = None, copy: bool | None = None) -> Array:
    """An Array sharing memory with a DLPack producer (a NumPy array, a torch tensor, ...).

    With ``copy=None`` or ``False`` no data is copied: the NumPy view neurarust keeps is
    read-only, so nothing writes through the Array, but the producer itself may still change
    the shared memory; pass ``copy=True`` for an independent Array.

    >>> import numpy as np
    >>> nr.from_dlpack(np.arange(3.0)).tolist()
    [0.0, 1.0, 2.0]
    """
    if isinstance(x, Array):
        out = x
    else:
        if not hasattr(x, "__dlpack__") or not hasattr(x, "__dlpack_device__"):
            raise TypeError(
                f"from_dlpack: argument 'x' expected an object with __dlpack__ and "
                f"__dlpack_device__, got {type(x).__name__}"
            )
        try:
            buf = _dlpack_buffer(x)
        except (BufferError, TypeError) as e:
            raise DTypeError(
                f"from_dlpack: argument 'x' expected data of a dtype NumPy can import "
                f"through DLPack, got {getattr(x, 'dtype', type(x).__name__)} ({e})"
            ) from None
        if copy:
            buf = buf.copy()
        elif isinstance(buf, np.ndarray) and buf.flags.writeable:
            buf = buf.view()
            buf.flags.writeable = False
        if buf.dtype not in dtypes.ALL_DTYPES:
            raise DTypeError(
                f"from_dlpack: argument 'x' expected data of a neurarust dtype, got {buf.dtype}"
            )
        out = wrap(buf)
    if device is not None:
        try:
            target = backend.device(device)
        except DeviceError:
            raise DeviceError(
                f"from_dlpack: argument 'device' expected 'cpu', 'cuda', 'cuda:N' or a Device, "
                f"got {device!r}"
            ) from None
        out = to_device(out, target)
    return out
