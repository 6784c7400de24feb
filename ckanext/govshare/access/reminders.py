"""The access steps of ``ckan govshare remind``: requests and grants the platform acts on alone.

Each step is a pair the scheduler (``reminders/scheduler.py``) runs: a function that lists,
in order, the items to look at on ``today``, and one that works on one item in the caller's
transaction and answers the number of notices it queued, or ``None`` when there was nothing
to do (the item changed since it was listed). Every notice has an idempotence key naming the
event, so running again sends nothing twice.

- the provider's data officers are reminded ``ckanext.govshare.remind.before_due`` working
  days before a request's due date (2016 Measures art. 12: 10 working days to answer);
- a request unanswered by its due date stays ``submitted`` but is marked overdue (once per
  due date), audited, and the provider, the requesting department and the sharing authority
  are told (workflows.md: "shown and escalated, not silently approved");
- a grant's holders are warned ``ckanext.govshare.remind.grant_warning`` working days before
  its period ends, and the grant expires after its last day (workflows.md, "Users are warned
  before a grant expires");
- a returned request not resubmitted within ``ckanext.govshare.deadline.resubmit`` working
  days, and a request still open when the period of use it asks for has ended, expire;
- under the delivery rule (2025 Regulations art. 22), the provider's data officers are
  reminded ``remind.before_due`` working days before a grant's ``delivery_due``, and an
  undelivered grant past it is flagged overdue once (the authority told).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model

from .. import notices, profiles
from ..audit import store
from ..core import clock, config
from ..workdays import WorkCalendar
from . import codes, decisions, workflow
from .grants import expire_grant as end_grant
from .grants import live_condition
from .model import event_table, grant_table, request_table

SUBMITTED = workflow.SUBMITTED
RETURNED = workflow.RETURNED
# 2025 art. 20: waiting for the requesting department's head, or returned by them.
AWAITING_SIGNOFF = workflow.AWAITING_SIGNOFF
SIGNOFF_RETURNED = workflow.SIGNOFF_RETURNED
#: Open requests that expire when the period of use they ask for has ended.
EXPIRING = (SUBMITTED, RETURNED, AWAITING_SIGNOFF, SIGNOFF_RETURNED)
#: Requests waiting for the requester to send them again (the provider's return, the head's).
WAITING_FOR_REQUESTER = (RETURNED, SIGNOFF_RETURNED)
GRANT_ACTIVE = codes.GRANT_ACTIVE


def _ids(query: Any) -> list[str]:
    return [row[0] for row in model.Session.execute(query)]


# --- parameters of notices ----------------------------------------------------------------


def _titles(*org_ids: str) -> dict[str, str]:
    rows = model.Session.query(model.Group.id, model.Group.title, model.Group.name).filter(
        model.Group.id.in_([o for o in org_ids if o])
    )
    return {r.id: r.title or r.name for r in rows}


def _entry_title(package_id: str) -> str:
    pkg = model.Package.get(package_id)
    return (pkg.title or pkg.name) if pkg else package_id


def request_params(request: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """Parameters of the request notices of these steps (``notices/texts.py``)."""
    titles = _titles(request["provider_org_id"], request["requesting_org_id"])
    due = request.get("due_date")
    return {
        "request_id": request["id"],
        "package_id": request["package_id"],
        "entry_title": _entry_title(request["package_id"]),
        "requesting_org": titles.get(request["requesting_org_id"], ""),
        "provider_org": titles.get(request["provider_org_id"], ""),
        "status": request.get("status"),
        "due_date": due.isoformat() if due else None,
        "link": f"/govshare/requests/{request['id']}",
        **extra,
    }


def grant_params(grant: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """Parameters of the grant notices of these steps (``notices/texts.py``)."""
    titles = _titles(grant["provider_org_id"], grant["organization_id"])
    return {
        "grant_id": grant["id"],
        "request_id": grant.get("request_id"),
        "package_id": grant["package_id"],
        "entry_title": _entry_title(grant["package_id"]),
        "requesting_org": titles.get(grant["organization_id"], ""),
        "provider_org": titles.get(grant["provider_org_id"], ""),
        "status": grant.get("status"),
        "period_start": grant["period_start"].isoformat(),
        "period_end": grant["period_end"].isoformat(),
        "link": f"/govshare/grants/{grant['id']}",
        **extra,
    }


# --- grants whose period is over expire ----------------------------------------------------


def grants_ended(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Active grants whose last day is before ``today``."""
    grants = grant_table
    return _ids(
        sa.select(grants.c.id)
        .where(grants.c.status == GRANT_ACTIVE)
        .where(grants.c.period_end < today)
        .order_by(grants.c.period_end, grants.c.id)
    )


def expire_grant(grant_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Expire the grant (audited) and tell its holders."""
    updated = end_grant(grant_id, today=today)
    if updated is None:
        return None
    return notices.notify(
        "grant_expired",
        recipients=notices.members_of(updated["organization_id"]),
        key=f"grant_expired:{grant_id}",
        params=grant_params(updated),
    )


# --- requests that can no longer be answered expire ---------------------------------------


def _ended(today: dt.date) -> Any:
    """The period of use asked for has ended: the request has nothing left to ask for."""
    return sa.and_(request_table.c.status.in_(EXPIRING), request_table.c.period_end < today)


def _ended_reason() -> str:
    return "申请的使用期限已届满 / the period of use asked for has ended"


def _stale_reason(resubmit: int) -> str:
    return (
        f"未在{resubmit}个工作日内补充材料并重新提交 / "
        f"not resubmitted within {resubmit} working days"
    )


def requests_to_expire(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Open requests whose period of use has ended, then returned requests not resubmitted
    within ``ckanext.govshare.deadline.resubmit`` working days of their last return."""
    requests, events = request_table, event_table
    resubmit = config.deadline_resubmit()
    ended = _ids(sa.select(requests.c.id).where(_ended(today)).order_by(requests.c.id))
    # Returned: the clock of resubmission starts with the last return.
    returned_at = (
        sa.select(sa.func.max(events.c.time))
        .where(events.c.request_id == requests.c.id)
        .where(events.c.to_state.in_(WAITING_FOR_REQUESTER))
        .scalar_subquery()
    )
    rows = model.Session.execute(
        sa.select(requests.c.id, sa.func.coalesce(returned_at, requests.c.updated_at))
        .where(requests.c.status.in_(WAITING_FOR_REQUESTER))
        .order_by(requests.c.id)
    ).all()
    stale = [
        request_id
        for request_id, at in rows
        if request_id not in ended and today > calendar.add_workdays(clock.local_date(at), resubmit)
    ]
    return [*ended, *stale]


def expire_request(request_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Expire the request (audited, in its history) and tell both departments why (only the
    requesting department when it was never sent: 2025 art. 20)."""
    ended = model.Session.execute(
        sa.select(request_table.c.id).where(request_table.c.id == request_id, _ended(today))
    ).first()
    before = model.Session.execute(
        sa.select(request_table.c.status).where(request_table.c.id == request_id)
    ).scalar()
    internal = before in (AWAITING_SIGNOFF, SIGNOFF_RETURNED)
    reason = _ended_reason() if ended else _stale_reason(config.deadline_resubmit())
    updated = decisions.expire_request(request_id, reason=reason)
    if updated is None:
        return None
    return notices.notify(
        "request_expired",
        recipients=[
            *notices.members_of(updated["requesting_org_id"]),
            *([] if internal else notices.officers_of(updated["provider_org_id"])),
        ],
        key=f"expired:{request_id}",
        params=request_params(updated, reason=reason),
    )


# --- requests past their due date are flagged overdue -------------------------------------


def requests_past_due(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Submitted requests past their due date, not flagged for this due date yet."""
    requests = request_table
    # Flag once per due date: a request resubmitted after being overdue has a new one.
    not_flagged = sa.or_(
        requests.c.overdue_since.is_(None), requests.c.overdue_since <= requests.c.due_date
    )
    return _ids(
        sa.select(requests.c.id)
        .where(requests.c.status == SUBMITTED)
        .where(requests.c.due_date < today)
        .where(not_flagged)
        .order_by(requests.c.due_date, requests.c.id)
    )


def flag_overdue(request_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Mark the request overdue since the day after its due date (audited) and tell the
    provider, the requesting department and the sharing authority."""
    requests = request_table
    row = model.Session.execute(
        sa.select(requests).where(requests.c.id == request_id).with_for_update()
    ).first()
    if row is None or row.status != SUBMITTED or row.due_date is None:
        return None
    request = dict(row._mapping)
    due = request["due_date"]
    if due >= today or (request["overdue_since"] and request["overdue_since"] > due):
        return None
    # The first day it was overdue, whenever this run notices it.
    since = due + dt.timedelta(days=1)
    model.Session.execute(
        requests.update().where(requests.c.id == request_id).values(overdue_since=since)
    )
    store.record(
        "govshare_request_overdue",
        actor_name="system",
        object_type="access_request",
        object_id=request_id,
        object_department=request["provider_org_id"],
        detail={
            "due_date": due.isoformat(),
            "overdue_since": since.isoformat(),
            "requesting_org_id": request["requesting_org_id"],
            "noticed_on": today.isoformat(),
        },
    )
    return notices.notify(
        "request_overdue",
        recipients=[
            *notices.officers_of(request["provider_org_id"]),
            *notices.members_of(request["requesting_org_id"]),
            *notices.authority_members(),
        ],
        key=f"overdue:{request_id}:{due.isoformat()}",
        params=request_params(
            {**request, "overdue_since": since},
            overdue_since=since.isoformat(),
            workdays_left=calendar.workdays_between(today, due),
        ),
    )


# --- requests due soon: the provider's officers are reminded ------------------------------


def requests_due_soon(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Submitted requests due within ``ckanext.govshare.remind.before_due`` working days."""
    requests = request_table
    last = calendar.add_workdays(today, config.remind_before_due())
    return _ids(
        sa.select(requests.c.id)
        .where(requests.c.status == SUBMITTED)
        .where(requests.c.due_date.between(today, last))
        .order_by(requests.c.due_date, requests.c.id)
    )


def remind_due(request_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Remind the provider's data officers (once per due date)."""
    requests = request_table
    before = config.remind_before_due()
    row = model.Session.execute(sa.select(requests).where(requests.c.id == request_id)).first()
    if row is None or row.status != SUBMITTED or row.due_date is None:
        return None
    request = dict(row._mapping)
    left = calendar.workdays_between(today, request["due_date"])
    if not 0 <= left <= before:
        return None
    new = notices.notify(
        "request_due_soon",
        recipients=notices.officers_of(request["provider_org_id"]),
        key=f"due_soon:{request_id}:{request['due_date'].isoformat()}",
        params=request_params(request, workdays_left=left),
    )
    return new or None


# --- grants ending soon: the holders are warned -------------------------------------------


def grants_ending(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Live grants ending within ``ckanext.govshare.remind.grant_warning`` working days."""
    grants = grant_table
    last = calendar.add_workdays(today, config.remind_grant_warning())
    return _ids(
        sa.select(grants.c.id)
        .where(live_condition(today))
        .where(grants.c.period_end.between(today, last))
        .order_by(grants.c.period_end, grants.c.id)
    )


def warn_grant_ending(grant_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Warn the holding department's members (once per end date)."""
    grants = grant_table
    warning = config.remind_grant_warning()
    row = model.Session.execute(sa.select(grants).where(grants.c.id == grant_id)).first()
    if row is None or row.status != GRANT_ACTIVE:
        return None
    grant = dict(row._mapping)
    left = calendar.workdays_between(today, grant["period_end"])
    if left > warning:
        return None
    new = notices.notify(
        "grant_expiring",
        recipients=notices.members_of(grant["organization_id"]),
        key=f"grant_expiring:{grant_id}:{grant['period_end'].isoformat()}",
        params=grant_params(grant, workdays_left=max(left, 0)),
    )
    return new or None


# --- approved data to deliver (2025 Regulations art. 22) -----------------------------------


def _undelivered() -> Any:
    """Active grants with a delivery date whose data is not delivered yet."""
    grants = grant_table
    return sa.and_(
        grants.c.status == GRANT_ACTIVE,
        grants.c.delivery_due.isnot(None),
        grants.c.delivered_at.is_(None),
    )


def deliveries_due_soon(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Undelivered grants due within ``ckanext.govshare.remind.before_due`` working days
    (none under a profile without a delivery deadline)."""
    if not profiles.on("delivery_deadline"):
        return []
    grants = grant_table
    last = calendar.add_workdays(today, config.remind_before_due())
    return _ids(
        sa.select(grants.c.id)
        .where(_undelivered(), grants.c.delivery_due.between(today, last))
        .order_by(grants.c.delivery_due, grants.c.id)
    )


def _undelivered_grant(grant_id: str) -> dict[str, Any] | None:
    grants = grant_table
    row = model.Session.execute(
        sa.select(grants).where(grants.c.id == grant_id, _undelivered())
    ).first()
    return dict(row._mapping) if row else None


def remind_delivery(grant_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Remind the provider's data officers to deliver (once per delivery date)."""
    grant = _undelivered_grant(grant_id)
    if grant is None:
        return None
    due = grant["delivery_due"]
    left = calendar.workdays_between(today, due)
    if not 0 <= left <= config.remind_before_due():
        return None
    new = notices.notify(
        "delivery_due_soon",
        recipients=notices.officers_of(grant["provider_org_id"]),
        key=f"delivery_due_soon:{grant_id}:{due.isoformat()}",
        params=grant_params(grant, delivery_due=due.isoformat(), workdays_left=left),
    )
    return new or None


def deliveries_past_due(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Undelivered grants past their delivery date (none without the delivery rule)."""
    if not profiles.on("delivery_deadline"):
        return []
    grants = grant_table
    return _ids(
        sa.select(grants.c.id)
        .where(_undelivered(), grants.c.delivery_due < today)
        .order_by(grants.c.delivery_due, grants.c.id)
    )


def flag_delivery_overdue(grant_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Flag the grant's delivery overdue, once: the provider's data officers and the sharing
    authority are told (art. 38: the authority supervises timeliness), and the first time it
    is audited (``govshare_grant_delivery_overdue``)."""
    grant = _undelivered_grant(grant_id)
    if grant is None or grant["delivery_due"] >= today:
        return None
    due = grant["delivery_due"]
    new = notices.notify(
        "delivery_overdue",
        recipients=[
            *notices.officers_of(grant["provider_org_id"]),
            *notices.authority_members(),
        ],
        key=f"delivery_overdue:{grant_id}:{due.isoformat()}",
        params=grant_params(grant, delivery_due=due.isoformat()),
    )
    if not new:
        return None
    store.record(
        "govshare_grant_delivery_overdue",
        actor_name="system",
        object_type="grant",
        object_id=grant_id,
        object_department=grant["provider_org_id"],
        detail={
            "delivery_due": due.isoformat(),
            "holder": grant["organization_id"],
            "noticed_on": today.isoformat(),
        },
    )
    return new
