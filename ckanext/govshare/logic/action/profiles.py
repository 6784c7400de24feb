"""Actions: The rule profile in force: govshare_rule_profile_show."""

from __future__ import annotations

__all__: list[str] = []
