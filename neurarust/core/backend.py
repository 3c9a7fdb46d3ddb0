"""Devices and the backend seam.

An array's buffer is a ``numpy.ndarray`` (CPU) or a ``cupy.ndarray`` (CUDA). Op code never
imports NumPy or CuPy directly for computation: it asks :func:`namespace` for the array
namespace of its inputs' buffers, so a CuPy buffer runs on CuPy through the same code.
"""

from __future__ import annotations

import ctypes
import os
import sys
import warnings
from typing import Any

import numpy as np

from .errors import DeviceError


def install_warning_filter() -> None:
    """Hide NumPy's floating-point RuntimeWarnings (division by zero, overflow, invalid value)
    raised inside neurarust's kernels: results follow NumPy (inf, nan, wrap-around) silently,
    as PyTorch's do. The filter matches only warnings attributed to neurarust modules, so the
    user's own NumPy code warns as before and ``np.seterr(all="raise")`` still raises. It costs
    nothing per call. Runs at import; call it again after ``warnings.resetwarnings()``.
    """
    warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"neurarust(\.|$)")


install_warning_filter()


def tune_allocator() -> bool:
    """Keep freed memory in the process instead of returning it to the kernel (glibc only).

    glibc serves large allocations with fresh ``mmap`` pages and trims freed heap memory back
    to the system, so a training step that allocates the same big temporaries every time pays
    a page fault per 4 KiB page, every step (about 7 ms of a 25 ms CNN step here). Raising the
    mmap and trim thresholds (32 MiB and 256 MiB) lets those buffers be reused. Runs at import
    unless the environment sets ``NEURARUST_TUNE_ALLOCATOR=0``; returns whether it applied.
    """
    if os.environ.get("NEURARUST_TUNE_ALLOCATOR", "1") == "0" or not sys.platform.startswith(
        "linux"
    ):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_mmap_threshold, 32 << 20)) and bool(mallopt(m_trim_threshold, 256 << 20))


tune_allocator()

_cupy: Any = None


def _load_cupy() -> Any:
    global _cupy
    if _cupy is None:
        try:
            import cupy
        except ImportError:
            _cupy = False
        else:
            _cupy = cupy
    return _cupy


class Device:
    """A place where array buffers live: ``Device("cpu")`` or ``Device("cuda", 0)``."""

    __slots__ = ("platform", "id")

    def __init__(self, platform: str, id: int = 0) -> None:  # noqa: A002 - PyTorch's name
        self.platform = platform
        self.id = id

    def __repr__(self) -> str:
        return "cpu" if self.platform == "cpu" else f"cuda:{self.id}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except DeviceError:
                return False
        return (
            isinstance(other, Device)
            and self.platform == other.platform
            and (self.platform == "cpu" or self.id == other.id)
        )

    def __hash__(self) -> int:
        return hash((self.platform, self.id if self.platform != "cpu" else 0))


CPU = Device("cpu")


def device(spec: Any = "cpu") -> Device:
    """Parse ``"cpu"``, ``"cuda"``, ``"cuda:1"`` or a :class:`Device` into a Device."""
    if isinstance(spec, Device):
        return spec
    if spec is None or spec == "cpu":
        return CPU
    if isinstance(spec, str) and (spec == "cuda" or spec.startswith("cuda:")):
        index = spec[5:] or "0"
        if not index.isdigit():
            raise DeviceError(f"device: argument 'spec' expected 'cuda:N', got {spec!r}")
        cupy = _load_cupy()
        if not cupy or cupy.cuda.runtime.getDeviceCount() <= int(index):
            raise DeviceError(
                f"device: argument 'spec' expected an available device, got {spec!r} "
                "(no such CUDA device; install the 'gpu' extra on a machine with a GPU)"
            )
        return Device("cuda", int(index))
    raise DeviceError(f"device: argument 'spec' expected 'cpu', 'cuda' or 'cuda:N', got {spec!r}")


def devices() -> list[Device]:
    """Every device neurarust can place arrays on, the CPU first."""
    found = [CPU]
    cupy = _load_cupy()
    if cupy:
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except cupy.cuda.runtime.CUDARuntimeError:
            count = 0
        found += [Device("cuda", i) for i in range(count)]
    return found


def namespace(buffer: Any) -> Any:
    """The array namespace (``numpy`` or ``cupy``) that owns ``buffer``."""
    if isinstance(buffer, (np.ndarray, np.generic)):
        return np
    cupy = _load_cupy()
    if cupy and isinstance(buffer, cupy.ndarray):
        return cupy
    return np


def device_of(buffer: Any) -> Device:
    """The device that holds ``buffer``."""
    if isinstance(buffer, (np.ndarray, np.generic)):
        return CPU
    return Device("cuda", buffer.device.id)


def put(buffer: Any, target: Device) -> Any:
    """A copy of ``buffer`` on ``target`` (the same buffer when it already lives there)."""
    if device_of(buffer) == target:
        return buffer
    if target.platform == "cpu":
        return buffer.get()
    cupy = _load_cupy()
    with cupy.cuda.Device(target.id):
        return cupy.asarray(buffer)
