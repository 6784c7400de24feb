"""Auth functions: Extensions of an answer (2025 art. 21) and delivery of approved data (art. 22).
"""

from __future__ import annotations

__all__: list[str] = []
