"""Readers for the file formats of MNIST (IDX) and CIFAR-10 (binary version), from a local
folder. Nothing is downloaded."""

from __future__ import annotations

import gzip
import math
import os
import zlib
from typing import Any, BinaryIO, NamedTuple

import numpy as np

from ..core.array import Array, wrap
from .errors import DataError, DataFileError

# IDX type codes: the element type of the (big-endian) data.
_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_CIFAR_FILES = {
    "train": tuple(f"data_batch_{i}.bin" for i in range(1, 6)),
    "test": ("test_batch.bin",),
}
_CIFAR_RECORD = 1 + 3 * 32 * 32


class ImageSet(NamedTuple):
    """Images ``(N, C, H, W)`` and their integer labels ``(N,)``."""

    images: Array
    labels: Array


def _split_arg(op: str, split: Any, choices: dict[str, Any]) -> str:
    if split not in choices:
        raise DataError(f"{op}: argument 'split' expected one of {list(choices)}, got {split!r}")
    return split


def _open(path: str) -> BinaryIO:
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def _read_exactly(op: str, path: str, f: BinaryIO, n: int, what: str) -> bytearray:
    """``n`` bytes, read in chunks so a header declaring a huge size allocates only what the
    (compressed) stream really holds."""
    data = bytearray()
    while len(data) < n:
        chunk = f.read(min(n - len(data), 1 << 24))
        if not chunk:
            break
        data += chunk
    if len(data) != n:
        raise DataFileError(
            f"{op}: file '{path}' is truncated: expected {n} bytes of {what}, got {len(data)}"
        )
    return data


def read_idx(path: str | os.PathLike[str], op: str = "read_idx") -> np.ndarray:
    """The array stored in an IDX file (``.gz`` compressed or not), in native byte order.

    The declared size is checked against the file size before the data is read (plain
    files), and the file must end where the data does.
    """
    path = os.fspath(path)
    try:
        f = _open(path)
    except FileNotFoundError:
        raise DataFileError(f"{op}: file '{path}' not found") from None
    with f:
        try:
            head = _read_exactly(op, path, f, 4, "IDX header")
            if head[:2] != b"\0\0" or head[2] not in _IDX_TYPES or head[3] == 0:
                raise DataFileError(
                    f"{op}: file '{path}' is not an IDX file: bad magic number {head.hex()} "
                    "(expected 0000 then a type code and the number of dimensions)"
                )
            dtype, ndim = _IDX_TYPES[head[2]], head[3]
            dims = _read_exactly(op, path, f, 4 * ndim, "dimensions")
            shape = tuple(int.from_bytes(dims[4 * i : 4 * i + 4], "big") for i in range(ndim))
            nbytes = math.prod(shape) * dtype.itemsize
            if not path.endswith(".gz") and os.fstat(f.fileno()).st_size != 4 + 4 * ndim + nbytes:
                raise DataFileError(
                    f"{op}: file '{path}' is truncated or corrupt: its header declares shape "
                    f"{shape} ({nbytes} bytes of data) but the file holds "
                    f"{os.fstat(f.fileno()).st_size - 4 - 4 * ndim}"
                )
            data = _read_exactly(op, path, f, nbytes, f"data for shape {shape}")
            if f.read(1):
                raise DataFileError(f"{op}: file '{path}' has bytes after its declared data")
        except (OSError, EOFError, zlib.error) as e:
            if isinstance(e, DataFileError):
                raise
            raise DataFileError(f"{op}: file '{path}' cannot be read: {e}") from None
    return np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def _find(op: str, folder: str, name: str) -> str:
    candidates = [name, name + ".gz", name.replace("-idx", ".idx")]
    for c in candidates:
        path = os.path.join(folder, c)
        if os.path.isfile(path):
            return path
    raise DataFileError(
        f"{op}: file '{name}' not found in '{folder}' (looked for {', '.join(candidates)})"
    )


def read_mnist(folder: str | os.PathLike[str], split: str = "train") -> ImageSet:
    """MNIST (or Fashion-MNIST, same format) from the IDX files in ``folder``.

    Reads ``train-images-idx3-ubyte`` / ``train-labels-idx1-ubyte`` (``split="train"``) or
    the ``t10k-`` files (``split="test"``), each possibly ``.gz`` compressed. Returns images
    ``uint8`` of shape ``(N, 1, 28, 28)`` (divide by 255 for ``[0, 1]``) and labels ``int64``.

    Raises
    ------
    DataFileError
        A missing, truncated or corrupt file, or image and label counts that differ.

    Examples
    --------
    >>> images, labels = nr.data.datasets.read_mnist("~/data/mnist", "test")
    """
    op = "read_mnist"
    folder = os.path.expanduser(os.fspath(folder))
    image_name, label_name = _MNIST_FILES[_split_arg(op, split, _MNIST_FILES)]
    image_path, label_path = _find(op, folder, image_name), _find(op, folder, label_name)
    images, labels = read_idx(image_path, op), read_idx(label_path, op)
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise DataFileError(
            f"{op}: files '{image_path}' and '{label_path}' expected images (N, H, W) and "
            f"labels (N,), got shapes {images.shape} and {labels.shape}"
        )
    return ImageSet(wrap(images[:, None]), wrap(labels.astype(np.int64)))


def _cifar_folder(op: str, folder: str, names: tuple[str, ...]) -> str:
    for candidate in (folder, os.path.join(folder, "cifar-10-batches-bin")):
        if os.path.isfile(os.path.join(candidate, names[0])):
            return candidate
    raise DataFileError(
        f"{op}: file '{names[0]}' not found in '{folder}' or its 'cifar-10-batches-bin' "
        f"subfolder (expected {', '.join(names)})"
    )


def read_cifar10(folder: str | os.PathLike[str], split: str = "train") -> ImageSet:
    """CIFAR-10 from its binary version (``data_batch_1.bin`` ... ``data_batch_5.bin`` and
    ``test_batch.bin``) in ``folder`` or ``folder/cifar-10-batches-bin``.

    Each record is one label byte then 3,072 pixel bytes (the red, green and blue planes of a
    32x32 image). Returns images ``uint8`` of shape ``(N, 3, 32, 32)`` and labels ``int64``.

    Raises
    ------
    DataFileError
        A missing file, a size that is not a whole number of records, or a label above 9.

    Examples
    --------
    >>> images, labels = nr.data.datasets.read_cifar10("~/data/cifar10", "train")
    """
    op = "read_cifar10"
    names = _CIFAR_FILES[_split_arg(op, split, _CIFAR_FILES)]
    base = _cifar_folder(op, os.path.expanduser(os.fspath(folder)), names)
    records = []
    for name in names:
        path = os.path.join(base, name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise DataFileError(f"{op}: file '{path}' not found") from None
        if not data or len(data) % _CIFAR_RECORD:
            raise DataFileError(
                f"{op}: file '{path}' is truncated or corrupt: {len(data)} bytes is not a "
                f"positive multiple of the {_CIFAR_RECORD}-byte record"
            )
        rows = np.frombuffer(data, dtype=np.uint8).reshape(-1, _CIFAR_RECORD)
        if rows[:, 0].max() > 9:
            bad = int(np.argmax(rows[:, 0] > 9))
            raise DataFileError(
                f"{op}: file '{path}' is corrupt: record {bad} has label {rows[bad, 0]}, "
                "expected 0 to 9"
            )
        records.append(rows)
    rows = np.concatenate(records)
    images = np.ascontiguousarray(rows[:, 1:]).reshape(-1, 3, 32, 32)
    return ImageSet(wrap(images), wrap(rows[:, 0].astype(np.int64)))
