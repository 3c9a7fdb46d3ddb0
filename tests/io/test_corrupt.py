"""Truncated, corrupted and hostile files: always a CheckpointError naming the file, never a
crash, a hang or a large allocation."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tracemalloc
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.io import CheckpointError


def _good_bytes(tmp_path: Any) -> bytes:
    path = tmp_path / "good.safetensors"
    tree = {"w": nr.arange(6).astype(nr.float32).reshape(2, 3), "b": [nr.ones(2)], "n": 3}
    nr.save(path, tree, metadata={"epoch": 2})
    return path.read_bytes()


def _craft(header: Any, data: bytes = b"", length: int | None = None) -> bytes:
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    n = len(text) if length is None else length
    return n.to_bytes(8, "little") + text + data


def _expect_error(tmp_path: Any, blob: bytes, match: str | None = None) -> CheckpointError:
    path = tmp_path / "bad.safetensors"
    path.write_bytes(blob)
    with pytest.raises(CheckpointError, match=match) as info:
        nr.load(path)
    assert str(path) in str(info.value)
    return info.value


def test_truncated_at_every_byte_offset(tmp_path: Any) -> None:
    blob = _good_bytes(tmp_path)
    for size in range(len(blob)):
        path = tmp_path / f"cut{size}.safetensors"  # fresh files: rewriting one is slow on ext4
        path.write_bytes(blob[:size])
        with pytest.raises(CheckpointError) as info:
            nr.load(path)
        assert str(path) in str(info.value)
        if size < len(blob) - 32:  # the header alone is already incomplete
            with pytest.raises(CheckpointError):
                nr.io.load_metadata(path)


def test_every_flipped_byte_is_caught(tmp_path: Any) -> None:
    path = tmp_path / "flip.safetensors"
    blob = _good_bytes(tmp_path)
    path.write_bytes(blob)
    missed = []
    fd = os.open(path, os.O_RDWR)
    try:
        for i in range(len(blob)):
            for mask in (0x01, 0xFF):
                os.pwrite(fd, bytes([blob[i] ^ mask]), i)
                try:
                    nr.load(path)
                    missed.append((i, mask))
                except CheckpointError:
                    pass
            os.pwrite(fd, blob[i : i + 1], i)
    finally:
        os.close(fd)
    assert missed == []
    assert nr.load(path)["w"].shape == (2, 3)


def test_sha_mismatch_names_the_tensor(tmp_path: Any) -> None:
    blob = bytearray(_good_bytes(tmp_path))
    blob[-1] ^= 0x40
    err = _expect_error(tmp_path, bytes(blob), "SHA-256")
    assert "tensor 'w'" in str(err)


def test_header_claiming_more_data_than_the_file_holds(tmp_path: Any) -> None:
    header = {"x": {"dtype": "F32", "shape": [1000], "data_offsets": [0, 4000]}}
    _expect_error(tmp_path, _craft(header, b"\0" * 16), "data_offsets")
    _expect_error(tmp_path, _craft(header, b"\0" * 16, length=10**6), "header length says")
    _expect_error(tmp_path, _craft(header, b"", length=2**64 - 1), "header length says")


def test_huge_declared_tensor_allocates_nothing_large(tmp_path: Any) -> None:
    header = {"x": {"dtype": "F64", "shape": [2**40, 2**40], "data_offsets": [0, 8]}}
    path = tmp_path / "huge.safetensors"
    path.write_bytes(_craft(header, b"\0" * 8))
    tracemalloc.start()
    try:
        with pytest.raises(CheckpointError, match="span of 8 bytes"):
            nr.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


@pytest.mark.parametrize(
    ("header", "data", "match"),
    [
        (b"[1, 2]", b"", "header, expected a JSON object"),
        (b"{not json", b"", "not valid JSON"),
        (b"\xff\xfe{}", b"", "not valid JSON"),
        (b'{"a": 1, "a": 2}', b"", "repeats the key 'a'"),
        (b'{"x": NaN}', b"", "non-JSON constant NaN"),
        (b"[" * 100_000 + b"]" * 100_000, b"", "not valid JSON"),
        (b'{"x": {"dtype": "F32", "shape": [' + b"9" * 5000 + b"]}}", b"", "not valid JSON"),
        ({"x": {"dtype": "F128", "shape": [1], "data_offsets": [0, 16]}}, b"", "dtype 'F128'"),
        ({"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4, "shape"),
        ({"x": {"dtype": "F32", "shape": [1.0], "data_offsets": [0, 4]}}, b"\0" * 4, "shape"),
        ({"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}, b"\0" * 4, "offsets"),
        ({"x": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}, b"\0" * 4, "offsets"),
        ({"x": {"dtype": "F32", "shape": [1]}}, b"\0" * 4, "exactly"),
        ({"x": [1, 2]}, b"", "exactly"),
        ({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 8, "data area"),
        (
            {
                "x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                "y": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]},
            },
            b"\0" * 8,
            "overlaps",
        ),
        (
            {
                "x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                "y": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]},
            },
            b"\0" * 12,
            "gap",
        ),
        ({"__metadata__": {"a": 1}}, b"", "not an object of strings"),
    ],
)
def test_hostile_headers(tmp_path: Any, header: Any, data: bytes, match: str) -> None:
    _expect_error(tmp_path, _craft(header, data), match)


def _record(leaves: list, tensors: dict | None = None, text: str | None = None) -> dict:
    if text is None:
        text = json.dumps({"version": 1, "leaves": leaves, "metadata": None})
    digest = hashlib.sha256(text.encode()).hexdigest()
    return {"__metadata__": {"neurarust": text, "neurarust.sha256": digest}, **(tensors or {})}


_X = {"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}
_SHA = "df3f619804a92fdb4057192dc43dd748ea778adc52bc498ce80524c014b81119"  # of 4 zero bytes


def _leaf(**changes: Any) -> dict:
    leaf = {"path": ["x"], "kind": "array", "dtype": "float32", "shape": [1], "sha256": _SHA}
    return {k: v for k, v in {**leaf, **changes}.items() if v is not None}


def test_a_valid_handmade_record_loads(tmp_path: Any) -> None:
    path = tmp_path / "ok.safetensors"
    path.write_bytes(_craft(_record([_leaf()], _X), b"\0" * 4))
    assert nr.load(path)["x"].tolist() == [0.0]


@pytest.mark.parametrize(
    ("leaves", "tensors", "match"),
    [
        ([_leaf(kind="pickle")], _X, "not a valid array or value entry"),
        ([_leaf(extra=1)], _X, "not a valid array or value entry"),
        ([_leaf(sha256=None)], _X, "not a valid array or value entry"),
        ([_leaf(path=[["x"]])], _X, "list of str and int"),
        ([_leaf(path=["y"])], _X, "names no tensor"),
        ([], _X, "omits"),
        ([_leaf(), {"path": ["x"], "kind": "value", "value": 1}], _X, "appears twice"),
        ([{"path": ["v"], "kind": "value", "value": [1]}], None, "value leaf"),
        ([_leaf(sha256="0" * 64)], _X, "SHA-256"),
        ([_leaf(dtype="int32")], _X, "recorded as int32"),
        ([_leaf(shape=[1, 1])], _X, "recorded as float32"),
        ([_leaf(dtype="complex128")], _X, "recorded as complex128"),
    ],
)
def test_corrupt_tree_records(tmp_path: Any, leaves: list, tensors: Any, match: str) -> None:
    data = b"\0" * 4 if tensors else b""
    _expect_error(tmp_path, _craft(_record(leaves, tensors), data), match)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{bad json", "corrupt tree record"),
        ('{"version": 9, "leaves": [], "metadata": null}', "version-1"),
        ('{"version": 1, "leaves": [], "metadata": null, "x": 1}', "version-1"),
        ("[]", "version-1"),
    ],
)
def test_non_json_or_malformed_records(tmp_path: Any, text: str, match: str) -> None:
    _expect_error(tmp_path, _craft(_record([], text=text)), match)


def test_record_checksum_and_its_key(tmp_path: Any) -> None:
    header = _record([])
    header["__metadata__"]["neurarust.sha256"] = "0" * 64
    _expect_error(tmp_path, _craft(header), "tree record does not match")
    del header["__metadata__"]["neurarust.sha256"]
    _expect_error(tmp_path, _craft(header), "tree record does not match")
    path = tmp_path / "g.safetensors"
    nr.save(path, {"a": nr.zeros(1)}, metadata={"epoch": 1})
    blob = path.read_bytes().replace(b'"epoch', b'"epoxh')
    _expect_error(tmp_path, blob, "tree record does not match")


def test_tiny_files(tmp_path: Any) -> None:
    _expect_error(tmp_path, b"", "shorter than the 8-byte header length")
    _expect_error(tmp_path, b"\x02\0\0\0\0\0\0\0{}\0", "data area holds 1")
    path = tmp_path / "sparse.safetensors"
    path.write_bytes((2 * 10**8).to_bytes(8, "little"))
    os.truncate(path, 2 * 10**8 + 16)  # a sparse file: a 200 MB header is refused unread
    with pytest.raises(CheckpointError, match="limit"):
        nr.load(path)


@given(st.binary(max_size=200))
def test_random_bytes_never_crash(tmp_path_factory: Any, blob: bytes) -> None:
    path = tmp_path_factory.mktemp("r") / "r.safetensors"
    path.write_bytes(blob)
    with contextlib.suppress(CheckpointError):
        nr.load(path)


@given(st.integers(0, 10_000), st.binary(min_size=1, max_size=12), st.integers(0, 12))
def test_spliced_bytes_are_caught(tmp_path_factory: Any, at: int, new: bytes, cut: int) -> None:
    tmp = tmp_path_factory.mktemp("s")
    blob = _good_bytes(tmp)
    at %= len(blob)
    bad = blob[:at] + new + blob[at + cut :]
    if bad == blob:
        return
    path = tmp / "s.safetensors"
    path.write_bytes(bad)
    with pytest.raises(CheckpointError):
        nr.load(path)


def test_foreign_f8_dtype_is_refused(tmp_path: Any) -> None:
    header = {"x": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]}}
    _expect_error(tmp_path, _craft(header, b"\0\0"), "F8_E4M3")
    assert np.dtype("float32") == nr.float32


def test_a_value_leaf_cannot_hide_a_tensor(tmp_path: Any) -> None:
    leaves = [{"path": ["x"], "kind": "value", "value": 1}]
    _expect_error(tmp_path, _craft(_record(leaves, _X), b"\0" * 4), "omits")
