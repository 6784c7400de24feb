"""Actions: The sharing authority's catalogue review (2025 art. 13, 16, 17)."""

from __future__ import annotations

__all__: list[str] = []
