"""The messages the development sink stored, read back for the sysadmins' page (issue 19,
item 10): newest first, each with its time, sender, recipients, subject and text body.

The sink writes under ``var/mail/``, beside the site's uploads (``ckan.storage_path`` is
``var/storage-<database>``): :func:`mail_dir` is that directory. A message is named by its
file's name without ``.eml``; any other name is no message (no path leaves the directory).
"""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

MESSAGE_ID = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{12}$")


def mail_dir() -> Path:
    """Where the sink of ``make run`` stores messages: ``mail/`` beside the uploads."""
    storage = tk.config.get("ckan.storage_path") or "var/storage"
    return Path(storage).resolve().parent / "mail"


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    found = [p for p in directory.glob("*.eml") if MESSAGE_ID.match(p.stem)]
    return sorted(found, key=lambda p: p.name, reverse=True)


def _time(message: EmailMessage, path: Path) -> dt.datetime:
    try:
        when = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        when = None
    if when is None:
        when = dt.datetime.strptime(path.stem[:22], "%Y%m%dT%H%M%S%fZ")
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc)


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # an unknown charset: the raw text
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _read(path: Path, *, body: bool) -> dict[str, Any]:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    found: dict[str, Any] = {
        "id": path.stem,
        "time": _time(message, path).isoformat(),
        "from": str(message["From"] or ""),
        "to": str(message["To"] or message["X-Envelope-To"] or ""),
        "subject": str(message["Subject"] or ""),
        "size": path.stat().st_size,
    }
    if body:
        found["body"] = _body(message)
        found["headers"] = [[k, str(v)] for k, v in message.items()]
    return found


def messages(directory: Path, *, limit: int, offset: int) -> dict[str, Any]:
    """A page of the stored messages, newest first: ``{"count", "results"}``."""
    files = _files(directory)
    return {
        "count": len(files),
        "results": [_read(p, body=False) for p in files[offset : offset + limit]],
    }


def message(directory: Path, message_id: str) -> dict[str, Any] | None:
    """One message with its body and headers (``None``: no such message)."""
    if not MESSAGE_ID.match(message_id or ""):
        return None
    path = directory / f"{message_id}.eml"
    return _read(path, body=True) if path.is_file() else None
