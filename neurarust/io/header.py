"""Reading safetensors files defensively: the header is parsed and checked against the file
size before any tensor bytes are read or handed to ``safetensors``.

A safetensors file is an 8-byte little-endian header length ``N``, ``N`` bytes of UTF-8 JSON,
then the data area. The JSON maps each tensor name to ``{"dtype", "shape", "data_offsets":
[begin, end]}`` (offsets into the data area) and may hold ``"__metadata__"`` (str -> str).
The checks here make a hostile file fail with a :class:`CheckpointError` before anything
larger than the file itself is allocated.
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import safetensors

from ..core import dtypes
from .errors import CheckpointError

MAX_HEADER_BYTES = 100_000_000  # safetensors' own limit
METADATA_KEY = "__metadata__"

# The safetensors dtype names that have a neurarust dtype.
DTYPES: dict[str, np.dtype] = {
    "BOOL": dtypes.bool_,
    "U8": dtypes.uint8,
    "I8": dtypes.int8,
    "U16": dtypes.uint16,
    "I16": dtypes.int16,
    "F16": dtypes.float16,
    "BF16": dtypes.bfloat16,
    "U32": dtypes.uint32,
    "I32": dtypes.int32,
    "F32": dtypes.float32,
    "U64": dtypes.uint64,
    "I64": dtypes.int64,
    "F64": dtypes.float64,
    "C64": dtypes.complex64,
}


@dataclass(frozen=True)
class Entry:
    """One tensor declared by the header."""

    name: str
    dtype: np.dtype
    shape: tuple[int, ...]
    begin: int
    end: int


@dataclass(frozen=True)
class Header:
    """A validated header: tensors in header order, the metadata, and the data area size."""

    entries: dict[str, Entry]
    metadata: dict[str, str]
    data_size: int


class HeaderProblemError(Exception):
    """A problem found while checking a header; callers turn it into a CheckpointError."""


def fail(path: Any, op: str, problem: str) -> CheckpointError:
    """The CheckpointError for ``problem`` in file ``path``, raised by ``op``."""
    return CheckpointError(f"{op}: checkpoint '{os.fspath(path)}' {problem}")


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise HeaderProblemError(f"repeats the key {k!r}")
        out[k] = v
    return out


def _reject_constant(name: str) -> Any:
    raise HeaderProblemError(f"holds the non-JSON constant {name}")


def parse_json(text: str | bytes, allow_constants: bool = False) -> Any:
    """Strict JSON: no duplicate keys, and no NaN/Infinity unless ``allow_constants``.

    Raises ``HeaderProblemError`` (with the reason) for anything that is not such a document.
    """
    hooks: dict[str, Any] = {"object_pairs_hook": _unique_object}
    if not allow_constants:
        hooks["parse_constant"] = _reject_constant
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text, **hooks)
    except HeaderProblemError:
        raise
    except (ValueError, RecursionError) as e:  # bad UTF-8, JSONDecodeError, huge ints
        raise HeaderProblemError(f"is not valid JSON ({type(e).__name__}: {e})") from None


def _is_int(x: Any) -> bool:
    return type(x) is int


def _entry(name: str, spec: Any, data_size: int) -> Entry:
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data_offsets"}:
        raise HeaderProblemError(
            f"declares tensor {name!r} as {str(spec)[:80]}, expected an object with exactly "
            "'dtype', 'shape' and 'data_offsets'"
        )
    code, shape, offsets = spec["dtype"], spec["shape"], spec["data_offsets"]
    if not isinstance(code, str) or code not in DTYPES:
        raise HeaderProblemError(
            f"gives tensor {name!r} the dtype {str(code)[:40]!r}, expected one of "
            f"{', '.join(DTYPES)}"
        )
    if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
        raise HeaderProblemError(
            f"gives tensor {name!r} the shape {str(shape)[:80]}, expected a list of "
            "non-negative ints"
        )
    if not (
        isinstance(offsets, list)
        and len(offsets) == 2
        and all(_is_int(o) for o in offsets)
        and 0 <= offsets[0] <= offsets[1] <= data_size
    ):
        raise HeaderProblemError(
            f"gives tensor {name!r} the data_offsets {str(offsets)[:80]}, expected "
            f"[begin, end] with 0 <= begin <= end <= {data_size} (the data area size)"
        )
    dtype = DTYPES[code]
    nbytes = math.prod(shape) * dtype.itemsize
    if offsets[1] - offsets[0] != nbytes:
        raise HeaderProblemError(
            f"gives tensor {name!r} ({code}, shape {tuple(shape)}, {nbytes} bytes) a span of "
            f"{offsets[1] - offsets[0]} bytes"
        )
    return Entry(name, dtype, tuple(shape), offsets[0], offsets[1])


def _check_layout(entries: dict[str, Entry], data_size: int) -> None:
    """The tensors must tile the data area exactly: no gap, no overlap, nothing after."""
    position = 0
    for e in sorted(entries.values(), key=lambda e: (e.begin, e.end)):
        if e.begin != position:
            what = "overlaps the tensor before it" if e.begin < position else "leaves a gap"
            raise HeaderProblemError(f"places tensor {e.name!r} at byte {e.begin}, which {what}")
        position = e.end
    if position != data_size:
        raise HeaderProblemError(
            f"declares {position} bytes of tensor data but the data area holds {data_size}"
        )


def _validate(header: Any, data_size: int) -> Header:
    if not isinstance(header, dict):
        raise HeaderProblemError(f"has a {type(header).__name__} as header, expected a JSON object")
    metadata = header.get(METADATA_KEY, {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise HeaderProblemError(f"has a {METADATA_KEY!r} that is not an object of strings")
    entries = {
        name: _entry(name, spec, data_size) for name, spec in header.items() if name != METADATA_KEY
    }
    _check_layout(entries, data_size)
    return Header(entries, metadata, data_size)


def _read_header(f: Any, size: int) -> Header:
    if size < 8:
        raise HeaderProblemError(f"is {size} bytes long, shorter than the 8-byte header length")
    n = int.from_bytes(f.read(8), "little")
    if n > size - 8:
        raise HeaderProblemError(
            f"is truncated or corrupt: its header length says {n} bytes but only {size - 8} "
            "bytes follow"
        )
    if n > MAX_HEADER_BYTES:
        raise HeaderProblemError(
            f"declares a {n}-byte header, above the {MAX_HEADER_BYTES}-byte limit"
        )
    raw = f.read(n)
    if len(raw) != n:
        raise HeaderProblemError("changed size while being read")
    return _validate(parse_json(raw), size - 8 - n)


def read_header(path: Any, op: str) -> Header:
    """The validated header of the safetensors file at ``path`` (tensor bytes are not read)."""
    with open(path, "rb") as f:
        try:
            return _read_header(f, os.fstat(f.fileno()).st_size)
        except HeaderProblemError as e:
            raise fail(path, op, str(e)) from None


def read_tensors(path: Any, op: str) -> tuple[Header, dict[str, np.ndarray], dict[str, Any]]:
    """``(header, arrays, raw)``: every tensor of the file as a NumPy array by name, and the raw
    little-endian bytes of each (for checksums).

    The header is validated first; then exactly the file's bytes are read and handed to
    ``safetensors.deserialize``.
    """
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        try:
            header = _read_header(f, size)
        except HeaderProblemError as e:
            raise fail(path, op, str(e)) from None
        f.seek(0)
        blob = f.read(size + 1)
    if len(blob) != size:
        raise fail(path, op, "changed size while being read")
    try:
        parsed = safetensors.deserialize(blob)
    except Exception as e:  # SafetensorError and whatever the parser raises on bad bytes
        raise fail(path, op, f"is rejected by safetensors ({e})") from None
    del blob
    arrays, raw = {}, {}
    for name, info in parsed:
        entry = header.entries.get(name)
        if entry is None:
            raise fail(path, op, f"holds tensor {name!r} that its header does not declare")
        raw[name] = info["data"]
        arrays[name] = from_little_endian(info["data"], entry.dtype, entry.shape)
    if len(arrays) != len(header.entries):
        raise fail(path, op, "holds fewer tensors than its header declares")
    return header, arrays, raw


def from_little_endian(data: Any, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    """A native-order array over little-endian ``data`` (no copy on little-endian hosts)."""
    out = np.frombuffer(data, dtype=dtype).reshape(shape)
    return out if sys.byteorder == "little" else out.byteswap()


def little_endian_bytes(a: np.ndarray) -> memoryview:
    """The bytes of C-contiguous ``a`` in little-endian order, as stored in the file."""
    if sys.byteorder != "little":
        a = a.byteswap()
    return memoryview(a.reshape(-1).view(np.uint8))
