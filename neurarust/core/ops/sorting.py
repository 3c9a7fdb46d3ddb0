"""Placeholder for the sorting family; filled in by its owner."""

__all__: list[str] = []
