"""The usage steps of ``ckan govshare remind`` (2025 Regulations art. 27, 29).

Run by ``reminders/scheduler.py``: each step lists the items to look at on ``today`` and works
on one in the caller's transaction, answering the notices it queued (``None``: nothing to do).

- usage records past their ``retain_until`` are archived (kept, never deleted; audited as
  ``govshare_usage_record_archive``) — also ``ckan govshare usage archive``;
- an ended grant whose data is not disposed of by its ``disposal_due`` is flagged overdue to
  the holder, the provider's data officers and the authority (key
  ``disposal_overdue:<grant>:<due date>``, once);
- the holder is reminded ``ckanext.govshare.remind.before_due`` working days before
  ``disposal_due`` (key ``disposal_due_soon:<grant>:<due date>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ckan import model

from .. import notices
from ..access import grants
from ..core import config
from ..core.serialise import plain
from ..workdays import WorkCalendar
from . import service

__all__ = [
    "archive",
    "disposal_overdue",
    "disposal_soon",
    "flag_disposal_overdue",
    "records_to_archive",
    "remind_disposal",
]


def records_to_archive(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Usage records past their retention date, not archived yet."""
    return service.archive_due(today)


def archive(record_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Archive one record (no notice); ``None`` when it was not due."""
    return None if service.archive_record(record_id, today) is None else 0


def _params(grant: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    pkg = model.Package.get(grant["package_id"])
    orgs = {
        o.id: o.title or o.name
        for o in model.Session.query(model.Group).filter(
            model.Group.id.in_([grant["organization_id"], grant["provider_org_id"]])
        )
    }
    return {
        "grant_id": grant["id"],
        "package_id": grant["package_id"],
        "entry_title": pkg.title if pkg else grant["package_id"],
        "requesting_org": orgs.get(grant["organization_id"]),
        "provider_org": orgs.get(grant["provider_org_id"]),
        "status": grant["status"],
        "disposal_due": plain(grant["disposal_due"]),
        "link": f"/govshare/grants/{grant['id']}",
        **extra,
    }


def _undisposed(grant_id: str) -> dict[str, Any] | None:
    grant = grants.load_grant(grant_id)
    if grant is None or grant.get("disposed_at") is not None or not grant.get("disposal_due"):
        return None
    return grant


def disposal_overdue(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Ended grants past their disposal date with no disposal recorded."""
    return service.disposals_past_due(today)


def flag_disposal_overdue(grant_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Tell the holder, the provider's officers and the authority (once per due date)."""
    grant = _undisposed(grant_id)
    if grant is None or grant["disposal_due"] >= today:
        return None
    new = notices.notify(
        "disposal_overdue",
        recipients=[
            *notices.members_of(grant["organization_id"]),
            *notices.officers_of(grant["provider_org_id"]),
            *notices.authority_members(),
        ],
        key=f"disposal_overdue:{grant_id}:{grant['disposal_due'].isoformat()}",
        params=_params(grant),
    )
    return new or None


def disposal_soon(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Ended grants whose disposal is due within the reminder's working days."""
    last = calendar.add_workdays(today, config.remind_before_due())
    return service.disposal_due_soon(today, last)


def remind_disposal(grant_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Remind the holder's members (once per due date)."""
    grant = _undisposed(grant_id)
    if grant is None:
        return None
    left = calendar.workdays_between(today, grant["disposal_due"])
    if not 0 <= left <= config.remind_before_due():
        return None
    new = notices.notify(
        "disposal_due_soon",
        recipients=notices.members_of(grant["organization_id"]),
        key=f"disposal_due_soon:{grant_id}:{grant['disposal_due'].isoformat()}",
        params=_params(grant, workdays_left=left),
    )
    return new or None
