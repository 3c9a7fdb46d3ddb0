"""Placeholder for the linalg family; filled in by its owner."""

__all__: list[str] = []
