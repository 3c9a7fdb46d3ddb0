"""Placeholder for the indexing family; filled in by its owner."""

__all__: list[str] = []
