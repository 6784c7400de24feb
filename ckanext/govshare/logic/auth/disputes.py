"""Auth functions: The dispute path (2016 art. 12, 2025 art. 28): referrals to the upper authority.
"""

from __future__ import annotations

__all__: list[str] = []
