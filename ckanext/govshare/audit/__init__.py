"""The tamper-evident audit trail (issue 4): one append-only, hash-chained table of events.

``record(...)`` is the one way in; ``chain`` holds the hashing rules; ``hooks`` records catalogue,
membership, login and API-token events; ``archive`` verifies, anchors and archives the chain.
See docs/audit.md.
"""

from __future__ import annotations

from .chain import GENESIS, verify
from .store import record
from .who import recording_refusals

__all__ = ["GENESIS", "record", "recording_refusals", "verify"]
