"""The hash chain, in plain Python: how an event is serialised, hashed and verified.

Kept free of the database so that the rules a verifier applies can be read (and re-implemented
outside the platform) in one place: an event's hash is the sha256 of its canonical serialisation,
which includes the previous event's hash. Changing, removing or reordering any event therefore
breaks every later link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The ``prev_hash`` of the very first event.
GENESIS = "0" * 64

#: The fields covered by an event's hash, besides ``prev_hash`` (which is always covered).
FIELDS = (
    "seq",
    "time",
    "actor_id",
    "actor_name",
    "actor_department",
    "action",
    "object_type",
    "object_id",
    "object_department",
    "outcome",
    "detail",
    "client_address",
    "request_id",
)

OUTCOMES = ("success", "refused")


def format_time(value: dt.datetime | str) -> str:
    """UTC, ISO 8601, microseconds, ``Z``: the only spelling of a time that is hashed.

    PostgreSQL keeps microseconds, so a time read back hashes as it did when written.
    """
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical(event: Mapping[str, Any], prev_hash: str) -> bytes:
    """The bytes that are hashed: the event's fields and the previous hash as canonical JSON."""
    body = {name: event.get(name) for name in FIELDS}
    body["time"] = format_time(event["time"])
    body["detail"] = event.get("detail") or {}
    body["prev_hash"] = prev_hash
    return dumps(body).encode("utf-8")


def link_hash(event: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(event, prev_hash)).hexdigest()


@dataclass
class Verification:
    """The outcome of walking a chain: how far it held and, if not to the end, where it broke."""

    count: int
    head: str
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify(
    events: Iterable[Mapping[str, Any]], start_hash: str = GENESIS, start_seq: int | None = None
) -> Verification:
    """Walk ``events`` in order and report the first broken link.

    Each event must name the previous hash (``prev_hash``) that the one before it produced, carry
    the hash recomputed from its content (``hash``) and follow its predecessor's ``seq`` by one.
    ``start_hash``/``start_seq`` continue a chain whose beginning was archived.
    """
    head, count, expected_seq = start_hash, 0, start_seq
    for event in events:
        seq = event["seq"]
        if expected_seq is not None and seq != expected_seq:
            return Verification(count, head, seq, f"sequence gap: expected {expected_seq}")
        if event["prev_hash"] != head:
            return Verification(count, head, seq, "previous hash does not match")
        if link_hash(event, head) != event["hash"]:
            return Verification(count, head, seq, "content does not match its hash")
        head, count, expected_seq = event["hash"], count + 1, seq + 1
    return Verification(count, head)
