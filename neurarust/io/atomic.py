"""Atomic file replacement: a reader (or a crash) sees the old file or the new one, never a
torn one."""

from __future__ import annotations

import contextlib
import os
import secrets

TEMP_SUFFIX = ".tmp"


def temp_name(path: str) -> str:
    """A fresh hidden temporary name beside ``path`` (``.<name>.<random>.tmp``)."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.{secrets.token_hex(8)}{TEMP_SUFFIX}")


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically.

    The bytes go to a temporary file in the same folder, which is flushed and fsynced, then
    renamed over ``path`` with :func:`os.replace`; the folder is fsynced last so the rename
    itself survives a power loss. The temporary file is removed if anything fails.
    """
    target = os.path.abspath(os.fspath(path))
    tmp = temp_name(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(os.path.dirname(target))


def _fsync_folder(folder: str) -> None:
    """Persist a folder's entries (a no-op where folders cannot be opened, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
