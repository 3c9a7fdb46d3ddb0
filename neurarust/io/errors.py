"""The error raised for checkpoint files that cannot be trusted or do not fit."""

from __future__ import annotations

from ..core.errors import NeurarustError


class CheckpointError(NeurarustError, ValueError):
    """A checkpoint that is truncated, corrupt or hostile, that cannot be saved, or whose
    contents do not fit the template given as ``like``. The message names the file."""
