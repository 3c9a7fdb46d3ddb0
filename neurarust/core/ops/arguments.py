"""Argument normalisation shared by the public functions: arrays, promotion, broadcasting,
axes. Each helper raises a neurarust error naming the op and the argument."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import backend, dtypes
from ..array import Array, wrap
from ..errors import AxisError, DeviceError, DTypeError, ShapeError

PY_SCALARS = (bool, int, float, complex)


def _native(v: np.ndarray) -> np.ndarray:
    """``v`` in native byte order with a neurarust dtype, or a DTypeError."""
    dt = v.dtype
    if dt.byteorder not in "=|":
        v = v.astype(dt.newbyteorder("="))
        dt = v.dtype
    if dt not in dtypes.ALL_DTYPES:
        raise DTypeError(
            f"asarray: argument 'obj' expected data of a neurarust dtype "
            f"({', '.join(d.name for d in dtypes.ALL_DTYPES)}), got dtype {dt}"
        )
    return v


def _has_strong_float(obj: Any) -> bool:
    """Whether a nested list holds an array leaf (whose float width must be kept)."""
    if isinstance(obj, (list, tuple)):
        return any(_has_strong_float(o) for o in obj)
    return hasattr(obj, "dtype")


def asarray(
    obj: Any, /, *, dtype: Any = None, device: Any = None, copy: bool | None = None
) -> Array:
    """An Array from an Array, a NumPy/CuPy array, a Python scalar or nested sequences.

    Python floats become ``float32`` and ints ``int64`` unless ``dtype`` says otherwise; NumPy
    arrays keep their dtype. Writable NumPy input is copied (arrays are immutable) unless
    ``copy=False``, which shares the buffer on the caller's promise not to write to it.
    """
    want = None if dtype is None else dtypes.canonicalize(dtype, "asarray")
    if isinstance(obj, Array):
        out = obj
        if want is not None and out.dtype is not want:
            out = astype(out, want)
        return out if device is None else to_device(out, device)
    if type(obj) in PY_SCALARS:
        v = np.asarray(obj, dtype=want or dtypes.scalar_dtype(obj))
    elif isinstance(obj, (np.ndarray, np.generic)):
        v = _native(np.asarray(obj))
        if want is not None and v.dtype is not want:
            v = v.astype(want)
        elif copy is not False and isinstance(v, np.ndarray) and v.flags.writeable:
            v = v.copy()
    elif backend.namespace(obj) is not np:
        v = obj.astype(want) if want is not None and obj.dtype != want else obj
        if copy:
            v = v.copy()
    elif isinstance(obj, (list, tuple)):
        try:
            v = np.asarray(obj, dtype=want)
        except (ValueError, TypeError) as e:
            raise ShapeError(
                f"asarray: argument 'obj' expected a rectangular nested sequence of numbers, "
                f"got {type(obj).__name__} ({e})"
            ) from None
        if want is None and v.dtype.kind in "fc" and not _has_strong_float(obj):
            v = v.astype(dtypes.default_float if v.dtype.kind == "f" else dtypes.default_complex)
        v = _native(v)
    elif hasattr(obj, "__dlpack__") or hasattr(obj, "__array__"):
        v = _native(np.array(obj))
        if want is not None and v.dtype is not want:
            v = v.astype(want)
    else:
        raise TypeError(
            f"asarray: argument 'obj' expected an array, a Python scalar or a nested sequence, "
            f"got {type(obj).__name__}"
        )
    out = wrap(v)
    return out if device is None else to_device(out, device)


def to_array(op: str, name: str, x: Any) -> Array:
    """``x`` as an Array for argument ``name`` of ``op`` (Arrays pass through untouched)."""
    if isinstance(x, Array):
        return x
    try:
        return asarray(x)
    except TypeError:
        raise TypeError(
            f"{op}: argument '{name}' expected an array or a Python scalar, got {type(x).__name__}"
        ) from None


def device_of(x: Array) -> backend.Device:
    """The device of ``x``, known without a concrete value: a tracer's value lives where
    the value one transform level down does (``x.device`` needs a concrete buffer)."""
    return x._device()


def to_device(x: Array, device: Any) -> Array:
    """``x`` on ``device`` (a copy unless it is already there)."""
    target = backend.device(device)
    here = device_of(x)
    if here == target:
        return x
    if x.__class__ is not Array:
        raise DeviceError(
            f"to_device: moving a value traced by a transform across devices is not supported, "
            f"got a value on {here} for {target}"
        )
    return wrap(backend.put(x._v, target))


def check_same_device(op: str, arrays: Sequence[Array]) -> None:
    """Raise DeviceError when ``arrays`` live on different devices."""
    first = device_of(arrays[0])
    for a in arrays[1:]:
        here = device_of(a)
        if here != first:
            raise DeviceError(
                f"{op}: all arrays must be on one device, got {first} and {here}; "
                "move one with x.to(device)"
            )


def promote_args(op: str, *args: Any) -> list[Array]:
    """Arrays of one dtype from ``args``: arrays promote by the table, Python scalars are weak.

    Raises TypeError for arguments that are neither arrays nor numbers.
    """
    strong: np.dtype | None = None
    for a in args:
        if isinstance(a, Array):
            strong = a.dtype if strong is None else dtypes.promote_types(strong, a.dtype)
        elif isinstance(a, (np.ndarray, np.generic)):
            d = _native(np.asarray(a)).dtype
            strong = d if strong is None else dtypes.promote_types(strong, d)
        elif type(a) not in PY_SCALARS and not isinstance(a, (list, tuple)):
            raise TypeError(f"{op}: expected arrays or Python scalars, got {type(a).__name__}")
    target = strong
    for a in args:
        if type(a) in PY_SCALARS:
            target = (
                dtypes.scalar_dtype(a) if target is None else dtypes.weak_scalar_result(target, a)
            )
        elif isinstance(a, (list, tuple)):
            d = asarray(a).dtype
            target = d if target is None else dtypes.promote_types(target, d)
    home = next((a for a in args if isinstance(a, Array)), None)
    device = None if home is None else home._device()  # scalars join the arrays' device
    out = []
    for a in args:
        if isinstance(a, Array):
            out.append(a if a.dtype is target else astype(a, target))
        else:
            out.append(asarray(a, dtype=target, device=device))
    if len(out) > 1:
        devs = [a for a in out if isinstance(a, Array) and a.ndim > 0] or out
        check_same_device(op, devs)
    return out


def broadcast_shapes(op: str, *shapes: Sequence[int]) -> tuple[int, ...]:
    """The broadcast of ``shapes`` (NumPy rules), or a ShapeError naming all of them."""
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for s in shapes:
        offset = ndim - len(s)
        for i, d in enumerate(s):
            r = result[offset + i]
            if r == 1:
                result[offset + i] = d
            elif d != 1 and d != r:
                raise ShapeError(
                    f"{op}: shapes {' and '.join(str(tuple(x)) for x in shapes)} cannot be "
                    f"broadcast together (dimension {offset + i - ndim} has sizes {r} and {d})"
                )
    return tuple(result)


def broadcast_args(op: str, *arrays: Array) -> list[Array]:
    """``arrays`` broadcast to their common shape (each untouched where already that shape)."""
    from .shape import broadcast_to

    shapes = [tuple(a.shape) for a in arrays]
    first = shapes[0]
    if all(s == first for s in shapes):
        return list(arrays)
    shape = broadcast_shapes(op, *shapes)
    return [
        a if s == shape else broadcast_to(a, shape) for a, s in zip(arrays, shapes, strict=True)
    ]


def normalize_axis(op: str, axis: Any, ndim: int, name: str = "axis") -> int:
    """``axis`` as a non-negative int below ``ndim``, or an AxisError."""
    if isinstance(axis, Array):
        axis = int(axis)
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: argument '{name}' expected an int, got {type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise AxisError(
            f"{op}: argument '{name}' expected a value in [{-ndim}, {ndim}) for an array with "
            f"{ndim} dimensions, got {axis}"
        )
    return int(axis) % ndim


def normalize_axes(op: str, axis: Any, ndim: int, name: str = "axis") -> tuple[int, ...]:
    """``axis`` (None, int or sequence) as a sorted tuple of distinct non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        return (normalize_axis(op, axis, ndim, name),)
    axes = tuple(normalize_axis(op, a, ndim, name) for a in axis)
    if len(set(axes)) != len(axes):
        raise AxisError(f"{op}: argument '{name}' expected distinct axes, got {tuple(axis)}")
    return tuple(sorted(axes))


def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Array:
    """``x`` converted to ``dtype``: float to int truncates toward zero, bool to number is 0/1,
    number to bool is ``x != 0``."""
    from .convert import convert_element_type

    x = to_array("astype", "x", x)
    target = dtypes.canonicalize(dtype, "astype")
    out = x if x.dtype is target else convert_element_type(x, target)
    return out if device is None else to_device(out, device)
