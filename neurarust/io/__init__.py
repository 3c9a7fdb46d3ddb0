"""Safe checkpoints: pytrees of arrays in the safetensors format.

- :func:`save` / :func:`load` (also ``nr.save`` / ``nr.load``): any pytree — models,
  optimizer states, dicts with step counters — written atomically with a SHA-256 per tensor;
  loading validates the file before reading it and never executes code (no pickle).
- :func:`load_metadata`: the metadata stored with :func:`save`.
- :class:`CheckpointManager`: numbered checkpoints in a folder, the newest few kept.
- :class:`CheckpointError`: truncated, corrupt or hostile files, or a template mismatch.

>>> nr.save("model.safetensors", model)
>>> model = nr.load("model.safetensors", like=model)
"""

from .checkpoint import load, load_metadata, save
from .errors import CheckpointError
from .manager import CheckpointManager

__all__ = ["save", "load", "load_metadata", "CheckpointManager", "CheckpointError"]
