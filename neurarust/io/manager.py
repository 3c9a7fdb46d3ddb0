"""``CheckpointManager``: numbered checkpoints in one folder, the newest few kept."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from typing import Any

from .atomic import TEMP_SUFFIX
from .checkpoint import load, load_metadata, save
from .errors import CheckpointError

_NAME = re.compile(r"ckpt-(\d+)\.safetensors")
_TEMP = re.compile(r"\.ckpt-\d+\.safetensors\.[0-9a-f]+" + re.escape(TEMP_SUFFIX))


def _check_step(op: str, step: Any) -> int:
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise CheckpointError(f"{op}: argument 'step' expected an int >= 0, got {step!r}")
    return step


class CheckpointManager:
    """Save numbered checkpoints (``ckpt-<step>.safetensors``) in ``directory``, keeping the
    newest ``max_to_keep`` (all of them when ``None``).

    Each checkpoint is written atomically by :func:`neurarust.io.save`, so a process killed
    mid-save leaves only a hidden temporary file, which is never listed as a checkpoint (and
    is removed by the next :meth:`save`); :meth:`latest_step` is always loadable.

    Examples
    --------
    >>> manager = nr.io.CheckpointManager("runs/exp1", max_to_keep=3)
    >>> state = {"model": model, "opt": opt_state, "data": loader.state_dict()}
    >>> manager.save(step, state)
    >>> state = manager.restore(like=state)
    """

    def __init__(self, directory: str | os.PathLike[str], max_to_keep: int | None = 3) -> None:
        if max_to_keep is not None and (
            isinstance(max_to_keep, bool) or not isinstance(max_to_keep, int) or max_to_keep < 1
        ):
            raise CheckpointError(
                f"CheckpointManager: argument 'max_to_keep' expected an int >= 1 or None, "
                f"got {max_to_keep!r}"
            )
        self.directory = os.fspath(directory)
        self.max_to_keep = max_to_keep
        os.makedirs(self.directory, exist_ok=True)

    def path(self, step: int) -> str:
        """The file of checkpoint ``step``."""
        return os.path.join(self.directory, f"ckpt-{_check_step('path', step)}.safetensors")

    def all_steps(self) -> list[int]:
        """The steps of the complete checkpoints in the folder, oldest first."""
        steps = []
        for name in os.listdir(self.directory):
            m = _NAME.fullmatch(name)
            if m:
                steps.append(int(m.group(1)))
        return sorted(steps)

    def latest_step(self) -> int | None:
        """The newest complete checkpoint's step, or ``None`` when there is none."""
        steps = self.all_steps()
        return steps[-1] if steps else None

    def save(self, step: int, tree: Any, metadata: Mapping[str, Any] | None = None) -> str:
        """Write checkpoint ``step`` (replacing one of the same step), prune the oldest beyond
        ``max_to_keep`` and remove temporary files left by killed saves. Returns the path."""
        path = self.path(_check_step("CheckpointManager.save", step))
        save(path, tree, metadata)
        for name in os.listdir(self.directory):
            if _TEMP.fullmatch(name):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self.directory, name))
        if self.max_to_keep is not None:
            for old in self.all_steps()[: -self.max_to_keep]:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path(old))
        return path

    def _resolve(self, op: str, step: int | None) -> str:
        if step is None:
            step = self.latest_step()
            if step is None:
                raise CheckpointError(f"{op}: no checkpoint in '{self.directory}'")
        path = self.path(_check_step(op, step))
        if not os.path.exists(path):
            raise CheckpointError(
                f"{op}: argument 'step' expected one of the saved steps {self.all_steps()}, "
                f"got {step}"
            )
        return path

    def restore(self, step: int | None = None, like: Any = None) -> Any:
        """Load checkpoint ``step`` (the latest when ``None``); see :func:`neurarust.io.load`
        for ``like``."""
        return load(self._resolve("CheckpointManager.restore", step), like=like)

    def metadata(self, step: int | None = None) -> dict[str, Any]:
        """The metadata saved with checkpoint ``step`` (the latest when ``None``)."""
        return load_metadata(self._resolve("CheckpointManager.metadata", step))
