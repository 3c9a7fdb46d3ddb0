"""MNIST (IDX) and CIFAR-10 (binary) readers, on small files written here in those formats."""

from __future__ import annotations

import gzip
import os
from typing import Any

import numpy as np
import pytest

from neurarust.data import DataError, DataFileError
from neurarust.data.datasets import read_cifar10, read_idx, read_mnist


def _idx(array: np.ndarray, code: int) -> bytes:
    head = bytes([0, 0, code, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return head + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write_mnist(folder: Any, split: str, n: int, gz: bool = False) -> tuple:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    prefix = "train" if split == "train" else "t10k"
    for name, data in (
        (f"{prefix}-images-idx3-ubyte", _idx(images, 0x08)),
        (f"{prefix}-labels-idx1-ubyte", _idx(labels, 0x08)),
    ):
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)
    return images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_read_mnist(tmp_path: Any, gz: bool) -> None:
    images, labels = _write_mnist(tmp_path, "test", 7, gz)
    got = read_mnist(tmp_path, "test")
    assert got.images.shape == (7, 1, 28, 28) and str(got.images.dtype) == "uint8"
    assert np.array_equal(got.images.numpy()[:, 0], images)
    assert got.labels.dtype == np.int64 and got.labels.tolist() == labels.tolist()


def test_read_idx_other_types(tmp_path: Any) -> None:
    values = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
    (tmp_path / "f.idx").write_bytes(_idx(values, 0x0D))
    out = read_idx(tmp_path / "f.idx")
    assert out.dtype == np.float32 and out.dtype.isnative and np.array_equal(out, values)
    shorts = np.array([-300, 7], dtype=np.int16)
    (tmp_path / "s.idx").write_bytes(_idx(shorts, 0x0B))
    assert read_idx(tmp_path / "s.idx").tolist() == [-300, 7]


def test_mnist_errors(tmp_path: Any) -> None:
    with pytest.raises(DataFileError, match="'train-images-idx3-ubyte' not found in"):
        read_mnist(tmp_path, "train")
    with pytest.raises(DataError, match=r"'split' expected one of \['train', 'test'\]"):
        read_mnist(tmp_path, "validation")
    _write_mnist(tmp_path, "train", 5)
    labels = tmp_path / "train-labels-idx1-ubyte"
    labels.write_bytes(_idx(np.zeros(4, np.uint8), 0x08))
    with pytest.raises(DataFileError, match=r"shapes \(5, 28, 28\) and \(4,\)"):
        read_mnist(tmp_path, "train")


@pytest.mark.parametrize(
    ("blob", "match"),
    [
        (b"\x00\x00", "truncated: expected 4 bytes of IDX header"),
        (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "bad magic number"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "bad magic number"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x02", "expected 8 bytes of dimensions"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x03\x05", "declares shape \\(3,\\)"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x01\x05\x06", "declares shape \\(1,\\)"),
        (b"\x00\x00\x08\x02\xff\xff\xff\xff\xff\xff\xff\xff", "holds 0"),
    ],
)
def test_corrupt_idx_files(tmp_path: Any, blob: bytes, match: str) -> None:
    path = tmp_path / "bad.idx"
    path.write_bytes(blob)
    with pytest.raises(DataFileError, match=match):
        read_idx(path)
    gz = tmp_path / "bad.idx.gz"
    gz.write_bytes(gzip.compress(blob))
    with pytest.raises(DataFileError, match=str(gz).replace(".", r"\.")):
        read_idx(gz)


def test_corrupt_gzip(tmp_path: Any) -> None:
    path = tmp_path / "x.idx.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage-not-deflate")
    with pytest.raises(DataFileError, match="cannot be read"):
        read_idx(path)
    with pytest.raises(DataFileError, match="not found"):
        read_idx(tmp_path / "missing.idx")


def _write_cifar(folder: Any, names: list[str], n: int) -> tuple:
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (len(names) * n, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, len(names) * n, dtype=np.uint8)
    os.makedirs(folder, exist_ok=True)
    for i, name in enumerate(names):
        part = slice(i * n, (i + 1) * n)
        rows = np.concatenate([labels[part, None], images[part].reshape(n, -1)], axis=1)
        (folder / name).write_bytes(rows.tobytes())
    return images, labels


def test_read_cifar10_train_and_test(tmp_path: Any) -> None:
    names = [f"data_batch_{i}.bin" for i in range(1, 6)]
    images, labels = _write_cifar(tmp_path / "cifar-10-batches-bin", names, 3)
    got = read_cifar10(tmp_path, "train")
    assert got.images.shape == (15, 3, 32, 32) and np.array_equal(got.images.numpy(), images)
    assert got.labels.tolist() == labels.tolist()
    test_images, _ = _write_cifar(tmp_path / "flat", ["test_batch.bin"], 4)
    assert np.array_equal(read_cifar10(tmp_path / "flat", "test").images.numpy(), test_images)


def test_cifar10_errors(tmp_path: Any) -> None:
    with pytest.raises(DataFileError, match=r"'test_batch\.bin' not found in"):
        read_cifar10(tmp_path, "test")
    (tmp_path / "test_batch.bin").write_bytes(b"\0" * 3072)
    with pytest.raises(DataFileError, match="3072 bytes is not a positive multiple of the 3073"):
        read_cifar10(tmp_path, "test")
    (tmp_path / "test_batch.bin").write_bytes(b"\0" * 3073 + b"\x0c" + b"\0" * 3072)
    with pytest.raises(DataFileError, match="record 1 has label 12"):
        read_cifar10(tmp_path, "test")
    _write_cifar(tmp_path, ["data_batch_1.bin"], 1)
    with pytest.raises(DataFileError, match=r"data_batch_2\.bin' not found"):
        read_cifar10(tmp_path, "train")
    with pytest.raises(DataError, match="'split' expected"):
        read_cifar10(tmp_path, "all")
