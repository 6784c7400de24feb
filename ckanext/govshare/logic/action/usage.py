"""Actions: Usage records (2025 art. 29) and service filings (art. 27)."""

from __future__ import annotations

__all__: list[str] = []
