"""CheckpointManager: numbering, pruning, restore, and survival of SIGKILL mid-save."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

import neurarust as nr
from neurarust.io import CheckpointError, CheckpointManager


def test_save_prune_list_and_restore(tmp_path: Any) -> None:
    manager = CheckpointManager(tmp_path / "run", max_to_keep=2)
    assert manager.all_steps() == [] and manager.latest_step() is None
    for step in (1, 5, 3):
        manager.save(step, {"w": nr.full((2,), float(step)), "step": step}, metadata={"s": step})
    assert manager.all_steps() == [3, 5]  # the oldest by step number went
    assert manager.latest_step() == 5
    assert manager.restore()["step"] == 5
    like = {"w": nr.zeros(2), "step": 0}
    assert manager.restore(3, like=like)["w"].tolist() == [3.0, 3.0]
    assert manager.metadata(3) == {"s": 3} and manager.metadata() == {"s": 5}
    manager.save(5, {"w": nr.zeros(2), "step": 50})  # same step: replaced
    assert manager.restore(5)["step"] == 50


def test_keep_all_and_temporary_files_are_ignored_then_removed(tmp_path: Any) -> None:
    manager = CheckpointManager(tmp_path, max_to_keep=None)
    stale = tmp_path / ".ckpt-9.safetensors.0123456789abcdef.tmp"
    stale.write_bytes(b"half written")
    (tmp_path / "notes.txt").write_text("not a checkpoint")
    assert manager.latest_step() is None
    for step in range(5):
        manager.save(step, {"x": nr.asarray(step)})
    assert manager.all_steps() == [0, 1, 2, 3, 4]
    assert not stale.exists() and (tmp_path / "notes.txt").exists()


def test_manager_errors(tmp_path: Any) -> None:
    for bad in (0, -1, 1.5, True, "3"):
        with pytest.raises(CheckpointError, match="max_to_keep"):
            CheckpointManager(tmp_path, max_to_keep=bad)
    manager = CheckpointManager(tmp_path)
    with pytest.raises(CheckpointError, match="no checkpoint in"):
        manager.restore()
    for bad in (-1, 1.0, True, None):
        with pytest.raises(CheckpointError, match="'step' expected an int >= 0"):
            manager.save(bad, {})
    manager.save(1, {})
    with pytest.raises(CheckpointError, match=r"one of the saved steps \[1\], got 2"):
        manager.restore(2)


_CHILD = """
import sys
import neurarust as nr

manager = nr.io.CheckpointManager(sys.argv[1], max_to_keep=3)
step = int(sys.argv[2])
while True:
    manager.save(step, {"w": nr.full((128, 256), float(step)), "step": step})
    print(step, flush=True)
    step += 1
"""


def test_sigkill_mid_save_always_leaves_a_loadable_latest_checkpoint(tmp_path: Any) -> None:
    rng = random.Random(0)
    manager = CheckpointManager(tmp_path, max_to_keep=3)
    like = {"w": nr.zeros((128, 256)), "step": 0}
    next_step, torn = 0, 0
    for _ in range(20):
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(tmp_path), str(next_step)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            first = int(child.stdout.readline())  # one checkpoint of this run is complete
            time.sleep(rng.uniform(0, 0.03))
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            child.stdout.close()
        torn += any(name.endswith(".tmp") for name in os.listdir(tmp_path))
        latest = manager.latest_step()
        assert latest is not None and latest >= first
        for step in manager.all_steps():
            state = manager.restore(step, like=like)
            assert state["step"] == step and float(state["w"][0, 0]) == step
        next_step = latest + 1
    print(f"{torn} of 20 kills landed mid-save")
