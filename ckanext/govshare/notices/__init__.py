"""Notices to users: on their dashboard and by email (issue 5, item 3).

Other code calls these, in its own transaction:

- ``notify(kind, *, recipients, key, params) -> int``: queue a notice per user (idempotent on
  ``(user, key)``); emailed after the transaction commits;
- ``officers_of(org_id)``, ``members_of(org_id)``, ``authority_members()``,
  ``conference_members()``: user ids to pass as ``recipients``;
- ``unsent(older_than=, within=)`` and ``deliver(ids)``: the emails to retry, and sending them.

This package only sends notices (creates, stores, emails, lists and marks them read). What
the platform reminds people of on its own, and when, is ``ckan govshare remind``
(``reminders/``), which calls each domain's reminder step; nothing here imports it.
"""

from __future__ import annotations

from .core import (
    authority_members,
    conference_members,
    deliver,
    members_of,
    notify,
    officers_of,
    unsent,
)
from .texts import KINDS

__all__ = [
    "KINDS",
    "authority_members",
    "conference_members",
    "deliver",
    "members_of",
    "notify",
    "officers_of",
    "unsent",
]
