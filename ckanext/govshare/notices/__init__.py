"""Notices to users: on their dashboard and by email (issue 5, item 3).

Other code calls these, in its own transaction:

- ``notify(kind, *, recipients, key, params) -> int``: queue a notice per user (idempotent on
  ``(user, key)``); emailed after the transaction commits;
- ``officers_of(org_id)``, ``members_of(org_id)``, ``authority_members()``,
  ``conference_members()``: user ids to pass as ``recipients``.

``ckan govshare remind`` (``remind.py``) sends the reminders and retries failed emails.
"""

from __future__ import annotations

from .core import (
    authority_members,
    conference_members,
    members_of,
    notify,
    officers_of,
)
from .texts import KINDS

__all__ = [
    "KINDS",
    "authority_members",
    "conference_members",
    "members_of",
    "notify",
    "officers_of",
]
