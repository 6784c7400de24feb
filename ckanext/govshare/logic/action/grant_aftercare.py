"""Actions: After delivery (2025 art. 25, 27): suspension, resumption, termination, use changes,
disposal.
"""

from __future__ import annotations

__all__: list[str] = []
