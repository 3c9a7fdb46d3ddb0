"""The array API inspection namespace: ``nr.__array_namespace_info__()``.

>>> info = nr.__array_namespace_info__()
>>> info.default_dtypes()["real floating"]
dtype('float32')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import backend, dtypes
from .errors import DeviceError, DTypeError

# The array API data types, by name: float16 and bfloat16 are neurarust extras.
_STANDARD_DTYPES = {
    d.name: d for d in dtypes.ALL_DTYPES if d is not dtypes.bfloat16 and d is not dtypes.float16
}

_KINDS = {
    "bool": (dtypes.bool_,),
    "signed integer": dtypes.SIGNED_INTS,
    "unsigned integer": dtypes.UNSIGNED_INTS,
    "integral": dtypes.INTEGER_DTYPES,
    "real floating": dtypes.FLOAT_DTYPES,
    "complex floating": dtypes.COMPLEX_DTYPES,
    "numeric": dtypes.NUMERIC_DTYPES,
}


def _check_device(op: str, device: Any) -> backend.Device:
    try:
        return backend.device(device)
    except DeviceError:
        raise DeviceError(
            f"{op}: argument 'device' expected one of {backend.devices()} or None, got {device!r}"
        ) from None


def _kind_members(kind: Any) -> tuple[np.dtype, ...]:
    """The dtypes of one kind: a kind name or a dtype."""
    if isinstance(kind, str):
        if kind not in _KINDS:
            raise DTypeError(
                f"dtypes: argument 'kind' expected one of {sorted(_KINDS)}, a dtype or a tuple "
                f"of them, got {kind!r}"
            )
        return _KINDS[kind]
    try:
        return (dtypes.canonicalize(kind, "dtypes"),)
    except DTypeError:
        raise DTypeError(
            f"dtypes: argument 'kind' expected a kind name, a dtype or a tuple of them, "
            f"got {kind!r}"
        ) from None


class ArrayNamespaceInfo:
    """What this array library supports: capabilities, devices and dtypes (array API
    inspection API, 2024.12)."""

    def capabilities(self) -> dict[str, Any]:
        """Optional features: boolean indexing and data-dependent shapes are supported;
        arrays have at most 64 dimensions (NumPy 2's limit)."""
        return {
            "boolean indexing": True,
            "data-dependent shapes": True,
            "max dimensions": 64 if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else 32,
        }

    def default_device(self) -> backend.Device:
        """The device arrays are created on when ``device=`` is not given: the CPU."""
        return backend.CPU

    def devices(self) -> list[backend.Device]:
        """Every device arrays can be placed on, the CPU first."""
        return backend.devices()

    def default_dtypes(self, *, device: Any = None) -> dict[str, np.dtype]:
        """The default dtype of each kind of value (the same on every device)."""
        _check_device("default_dtypes", device)
        return {
            "real floating": dtypes.default_float,
            "complex floating": dtypes.default_complex,
            "integral": dtypes.default_int,
            "indexing": dtypes.default_index,
        }

    def dtypes(self, *, device: Any = None, kind: Any = None) -> dict[str, np.dtype]:
        """The array API dtypes supported, by name, optionally only those of ``kind``.

        ``kind`` is a kind name (``"bool"``, ``"signed integer"``, ``"unsigned integer"``,
        ``"integral"``, ``"real floating"``, ``"complex floating"``, ``"numeric"``), a dtype,
        or a tuple of them (their union).
        """
        _check_device("dtypes", device)
        if kind is None:
            return dict(_STANDARD_DTYPES)
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wanted = {d for k in kinds for d in _kind_members(k)}
        return {name: d for name, d in _STANDARD_DTYPES.items() if d in wanted}

    def __repr__(self) -> str:
        return "neurarust.__array_namespace_info__()"


__array_namespace_info__ = ArrayNamespaceInfo
