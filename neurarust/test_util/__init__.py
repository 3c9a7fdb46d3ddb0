"""Testing helpers for users and for neurarust's own suite: ``check_grads`` and hypothesis
``strategies`` (imported on first use, so hypothesis is only needed when they are)."""

from typing import Any

from .check_grads import check_grads

__all__ = ["check_grads", "strategies"]


def __getattr__(name: str) -> Any:
    if name == "strategies":
        import importlib

        return importlib.import_module(f"{__name__}.strategies")
    raise AttributeError(f"module 'neurarust.test_util' has no attribute {name!r}")
