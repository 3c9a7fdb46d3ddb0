"""Errors raised by ``nr.data``; each also derives from the built-in exception users catch."""

from __future__ import annotations

from ..core.errors import NeurarustError


class DataError(NeurarustError, ValueError):
    """A bad argument to a dataset, sampler or loader (a batch size of 0, lengths that do not
    add up, arrays of different lengths, ...)."""


class DataFileError(NeurarustError, OSError):
    """A dataset file that is missing, truncated or not in the expected format."""
