"""``save`` and ``load``: pytrees of arrays in the safetensors format.

A file written by :func:`save` is a plain safetensors file: each array leaf is a tensor named by
its dotted tree path (``"layers.0.weight"``), so any safetensors reader can open it. The header
metadata key ``"neurarust"`` holds a JSON record of the tree: every leaf in tree order with its
path (keys and sequence indices), its kind (``array``, ``numpy`` or a Python ``value``), dtype,
shape and the SHA-256 of its bytes, plus the user's ``metadata``; ``"neurarust.sha256"`` is the
SHA-256 of that record. Loading checks the header against the file size, then every checksum, before
returning anything.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import safetensors.numpy

from .. import tree as nrtree
from ..core import dtypes
from ..core.array import Array, wrap
from .atomic import write_atomic
from .errors import CheckpointError
from .header import (
    HeaderProblemError,
    fail,
    little_endian_bytes,
    parse_json,
    read_header,
    read_tensors,
)

RECORD_KEY = "neurarust"
RECORD_SHA_KEY = "neurarust.sha256"
VERSION = 1
_VALUE_TYPES = (bool, int, float, str)
_ARRAY_KEYS = frozenset({"path", "kind", "dtype", "shape", "sha256"})
_LEAF_KEYS = {
    "array": _ARRAY_KEYS,
    "numpy": _ARRAY_KEYS,
    "value": frozenset({"path", "kind", "value"}),
}


@dataclass(frozen=True)
class _Leaf:
    path: tuple[str | int, ...]
    name: str
    kind: str
    value: Any  # np.ndarray for "array" and "numpy", else the Python value


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(k) for k in path)


def _component(path: Any, p: tuple[Any, ...], k: Any) -> str | int:
    if isinstance(k, str) or (isinstance(k, int) and not isinstance(k, bool)):
        return k
    raise fail(
        path,
        "save",
        f"cannot hold the leaf at {nrtree.keystr(p)!r}: its path has the key {k!r} of type "
        f"{type(k).__name__}; expected str dict keys, int keys or sequence indices",
    )


def _host_array(path: Any, name: str, leaf: Any) -> np.ndarray:
    a = np.asarray(leaf.numpy() if isinstance(leaf, Array) else leaf)
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    if a.dtype not in dtypes.ALL_DTYPES:
        raise fail(
            path,
            "save",
            f"cannot hold the leaf {name!r}: dtype {a.dtype} is not a neurarust dtype",
        )
    return a if a.flags.c_contiguous else np.ascontiguousarray(a)


def save(
    path: str | os.PathLike[str], tree: Any, metadata: Mapping[str, Any] | None = None
) -> None:
    """Write the pytree ``tree`` to ``path`` in the safetensors format, atomically.

    Leaves may be :class:`~neurarust.Array`, NumPy arrays, or Python ``bool``/``int``/
    ``float``/``str`` values; containers are anything :mod:`neurarust.tree` flattens (dicts,
    lists, tuples, NamedTuple optimizer states, :class:`~neurarust.nn.Module`). Each array is
    stored as a tensor named by its dotted path; the tree record and a SHA-256 per tensor go
    into the header metadata. ``metadata`` is any JSON-serialisable mapping with string keys
    (read it back with :func:`load_metadata`). A crash at any moment leaves either the old
    file or the new one.

    Raises
    ------
    CheckpointError
        A leaf of another type, a dtype safetensors cannot hold, two leaves with the same
        dotted path, or metadata that is not JSON-serialisable.

    Examples
    --------
    >>> nr.save("ckpt.safetensors", {"model": model, "step": 100}, metadata={"lr": 1e-3})
    >>> state = nr.load("ckpt.safetensors", like={"model": model, "step": 0})
    """
    leaves, tensors = [], {}
    names: set[str] = set()
    for p, leaf in nrtree.flatten_with_path(tree)[0]:
        components = [_component(path, p, k) for k in p]
        name = _dotted(components)
        if name in names:
            raise fail(path, "save", f"cannot hold two leaves with the same dotted path {name!r}")
        names.add(name)
        if isinstance(leaf, _VALUE_TYPES):
            leaves.append({"path": components, "kind": "value", "value": leaf})
            continue
        if not isinstance(leaf, (Array, np.ndarray, np.generic)):
            raise fail(
                path,
                "save",
                f"cannot hold the leaf {name!r} of type {type(leaf).__name__}; expected "
                "nr.Array, NumPy arrays or bool/int/float/str values",
            )
        a = _host_array(path, name, leaf)
        entry = {
            "path": components,
            "kind": "array" if isinstance(leaf, Array) else "numpy",
            "dtype": a.dtype.name,
            "shape": list(a.shape),
        }
        if a.dtype == dtypes.complex128:  # safetensors has no C128: stored as F64 (..., 2)
            a = a.view(dtypes.float64).reshape((*a.shape, 2))
        entry["sha256"] = hashlib.sha256(little_endian_bytes(a)).hexdigest()
        tensors[name] = a
        leaves.append(entry)
    if metadata is not None and not (
        isinstance(metadata, Mapping) and all(isinstance(k, str) for k in metadata)
    ):
        raise fail(path, "save", "expected 'metadata' to be a mapping with str keys or None")
    try:
        record = {"version": VERSION, "leaves": leaves, "metadata": metadata}
        text = json.dumps(record, separators=(",", ":"))
    except (TypeError, ValueError) as e:
        raise fail(path, "save", f"cannot store 'metadata' as JSON ({e})") from None
    header = {RECORD_KEY: text, RECORD_SHA_KEY: _sha(text)}
    write_atomic(path, safetensors.numpy.save(tensors, metadata=header))


# ------------------------------------------------------------------------------ loading


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _record(path: Any, header_metadata: dict[str, str], op: str) -> dict[str, Any] | None:
    """The tree record of a neurarust file, checked against its checksum; None for files of
    other writers."""
    text, digest = header_metadata.get(RECORD_KEY), header_metadata.get(RECORD_SHA_KEY)
    if text is None and digest is None:
        return None
    if text is None or digest is None or _sha(text) != digest:
        raise fail(path, op, "is corrupt: its tree record does not match its SHA-256 checksum")
    try:
        record = parse_json(text, allow_constants=True)
    except HeaderProblemError as e:
        raise fail(path, op, f"has a corrupt tree record: it {e}") from None
    if (
        not isinstance(record, dict)
        or set(record) != {"version", "leaves", "metadata"}
        or record["version"] != VERSION
        or not isinstance(record["leaves"], list)
        or not isinstance(record["metadata"], (dict, type(None)))
    ):
        raise fail(
            path,
            op,
            f"has a corrupt tree record: expected a version-{VERSION} object with 'leaves' and "
            "'metadata'",
        )
    return record


def _record_leaf(
    path: Any, item: Any, arrays: dict[str, np.ndarray], raw: dict[str, Any], used: set[str]
) -> _Leaf:
    def bad(problem: str) -> CheckpointError:
        return fail(path, "load", f"has a corrupt tree record: {problem}")

    kind = item.get("kind") if isinstance(item, dict) else None
    if kind not in _LEAF_KEYS or set(item) != _LEAF_KEYS[kind]:
        raise bad(f"a leaf entry {str(item)[:80]} is not a valid array or value entry")
    p = item["path"]
    if not isinstance(p, list) or not all(isinstance(k, str) or type(k) is int for k in p):
        raise bad(f"a leaf entry has the path {str(p)[:80]}, expected a list of str and int")
    name = _dotted(p)
    if name in used:
        raise bad(f"the path {name!r} appears twice")
    used.add(name)
    if kind == "value":
        if not isinstance(item["value"], _VALUE_TYPES):
            raise bad(f"the value leaf {name!r} holds {str(item['value'])[:40]}")
        return _Leaf(tuple(p), name, kind, item["value"])
    if name not in arrays:
        raise bad(f"the leaf {name!r} names no tensor of the file")
    if hashlib.sha256(raw[name]).hexdigest() != item["sha256"]:
        raise fail(
            path,
            "load",
            f"is corrupt: the bytes of tensor {name!r} do not match their SHA-256 checksum",
        )
    a = arrays[name]
    if item["dtype"] == "complex128" and a.dtype == dtypes.float64 and a.shape[-1:] == (2,):
        a = a.view(dtypes.complex128).reshape(a.shape[:-1])
    if a.dtype.name != item["dtype"] or list(a.shape) != item["shape"]:
        raise bad(
            f"the leaf {name!r} is recorded as {str(item['dtype'])[:20]} "
            f"{str(item['shape'])[:40]} but stored as {a.dtype} {a.shape}"
        )
    return _Leaf(tuple(p), name, kind, a)


def _split_name(name: str) -> tuple[str | int, ...]:
    return tuple(int(k) if k.isdigit() else k for k in name.split("."))


def _read(path: Any) -> tuple[list[_Leaf], dict[str, Any] | None]:
    """The leaves of the file in order, and the tree record (None for foreign files)."""
    header, arrays, raw = read_tensors(path, "load")
    record = _record(path, header.metadata, "load")
    if record is None:
        leaves = [_Leaf(_split_name(n), n, "array", a) for n, a in arrays.items()]
        return leaves, None
    used: set[str] = set()
    leaves = [_record_leaf(path, item, arrays, raw, used) for item in record["leaves"]]
    stored = {leaf.name for leaf in leaves if leaf.kind != "value"}
    stray = [n for n in arrays if n not in stored]
    if stray:
        raise fail(path, "load", f"holds tensors that its tree record omits: {stray[:5]}")
    return leaves, record


def _value(leaf: _Leaf) -> Any:
    return wrap(leaf.value) if leaf.kind == "array" else leaf.value


def _nest(path: Any, leaves: list[_Leaf]) -> Any:
    if len(leaves) == 1 and leaves[0].path == ():
        return _value(leaves[0])
    root: dict[Any, Any] = {}
    for leaf in leaves:
        node = root
        for k in leaf.path[:-1]:
            node = node.setdefault(k, {})
            if not isinstance(node, dict):
                break
        if not leaf.path or not isinstance(node, dict) or leaf.path[-1] in node:
            raise fail(
                path,
                "load",
                f"cannot be loaded as nested dicts: {leaf.name!r} clashes with another entry "
                "(load it with flat=True)",
            )
        node[leaf.path[-1]] = _value(leaf)
    return root


def _describe(x: Any) -> str:
    if isinstance(x, (Array, np.ndarray, np.generic)):
        return f"{np.dtype(x.dtype)} {tuple(x.shape)}"
    return type(x).__name__


def _names(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... ({len(names) - limit} more)"


def _fill(path: Any, leaves: list[_Leaf], like: Any) -> Any:
    pairs, treedef = nrtree.flatten_with_path(like)
    found = {leaf.name: leaf for leaf in leaves}
    wanted = [nrtree.keystr(p) for p, _ in pairs]
    problems = []
    wanted_set = set(wanted)
    missing = [n for n in wanted if n not in found]
    unexpected = [n for n in found if n not in wanted_set]
    if missing:
        problems.append(f"missing from the file ({len(missing)}): {_names(missing)}")
    if unexpected:
        problems.append(f"not in 'like' ({len(unexpected)}): {_names(unexpected)}")
    if len(wanted_set) != len(wanted):
        problems.append("'like' has two leaves with the same dotted path")
    out = []
    for name, ref in zip(wanted, (leaf for _, leaf in pairs), strict=True):
        leaf = found.get(name)
        if leaf is None:
            out.append(ref)
            continue
        is_array = isinstance(ref, (Array, np.ndarray, np.generic))
        if is_array != (leaf.kind != "value"):
            fits = False
        elif is_array:
            fits = ref.shape == leaf.value.shape and ref.dtype == leaf.value.dtype
        else:
            fits = type(ref) is type(leaf.value)
        if not fits:
            problems.append(f"{name!r}: expected {_describe(ref)}, got {_describe(leaf.value)}")
        elif isinstance(ref, Array):
            x = wrap(leaf.value)
            out.append(x if ref.device == x.device else x.to(ref.device))
        elif isinstance(ref, np.generic):
            out.append(leaf.value[()])
        else:
            out.append(leaf.value)
    if problems:
        raise fail(path, "load", "does not match 'like':\n  " + "\n  ".join(problems))
    return nrtree.unflatten(treedef, out)


def load(path: str | os.PathLike[str], like: Any = None, *, flat: bool = False) -> Any:
    """Read a safetensors file written by :func:`save` or by any other safetensors writer.

    - With ``like`` (a template pytree, e.g. a freshly built model and optimizer state): the
      file's dotted paths, shapes and dtypes must equal the template's; the result has the
      template's structure (modules come back as modules, NamedTuples as NamedTuples) and
      arrays on the template arrays' devices.
    - With ``flat=True``: ``{dotted_name: leaf}`` in file order, the layout
      :func:`neurarust.nn.load_state_dict` takes.
    - Otherwise: nested dicts. Sequence indices (list/tuple/NamedTuple positions) become
      ``int`` keys: a saved ``{"layers": [w0, w1]}`` loads as ``{"layers": {0: w0, 1: w1}}``,
      so ``ckpt["layers"][0]`` works either way. In files from other writers, names are split
      at dots and all-digit parts become ints. Empty containers are not stored.

    Array leaves come back as :class:`~neurarust.Array` (NumPy leaves as NumPy arrays, Python
    values as themselves). Loading never executes code: the header is validated against the
    file size before any tensor is read, and every checksum is verified.

    Raises
    ------
    CheckpointError
        Naming the file: truncated, corrupt or hostile content, a checksum mismatch, or a
        mismatch with ``like`` (listing every offending path).

    Examples
    --------
    >>> model = nr.load("model.safetensors", like=nr.nn.Linear(4, 2, key=0))
    >>> weights = nr.load("pytorch_model.safetensors", flat=True)  # {"0.weight": Array, ...}
    """
    if like is not None and flat:
        raise CheckpointError("load: arguments 'like' and 'flat' expected one of them, got both")
    leaves, _ = _read(path)
    if like is not None:
        return _fill(path, leaves, like)
    if flat:
        return {leaf.name: _value(leaf) for leaf in leaves}
    return _nest(path, leaves)


def load_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``metadata`` given to :func:`save` (``{}`` when none), or the raw string metadata
    of a file written by another safetensors writer. Only the header is read.

    Examples
    --------
    >>> nr.io.load_metadata("ckpt.safetensors")
    {'lr': 0.001}
    """
    header = read_header(path, "load_metadata")
    record = _record(path, header.metadata, "load_metadata")
    if record is None:
        return dict(header.metadata)
    return dict(record["metadata"] or {})
