"""What ``ckan govshare remind`` does: reminders, the overdue flag, expiry, email retries.

Safe from cron at any frequency: a PostgreSQL advisory lock lets one run work at a time (a
second, concurrent run stops at once), every change is made in its own transaction with its
audit event and its notices, and every notice has an idempotence key naming the event it is
about (``due_soon:<request>:<due date>``, ``overdue:<request>:<due date>``,
``grant_expiring:<grant>:<period end>``…), so running again sends nothing twice.

The rules:

- the provider's data officers are reminded ``ckanext.govshare.remind.before_due`` working
  days before a request's due date (2016 Measures art. 12: 10 working days to answer);
- a request unanswered by its due date stays ``submitted`` but is marked overdue (once per
  due date), and the provider, the requesting department and the sharing authority are told
  (workflows.md: "shown and escalated, not silently approved");
- a grant's holders are warned ``ckanext.govshare.remind.grant_warning`` working days before
  its period ends, and the grant expires after its last day (workflows.md, "Users are warned
  before a grant expires");
- a returned request not resubmitted within ``ckanext.govshare.deadline.resubmit`` working
  days, and a request still open when the period of use it asks for has ended, expire;
- feedback (art. 15) and catalogue-update obligations (art. 8) are reminded and flagged
  overdue the same way (``feedback/reminders.py``);
- emails that failed (or were never tried: a process stopped after its commit) are retried.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import workdays
from ..audit import store
from . import core

log = logging.getLogger(__name__)

# pg_advisory_lock key: "govshare remind" (any constant other code does not use).
LOCK_KEY = 0x676F7673_7265
# A fresh notice is the after-commit sender's; retry only those older than this.
RETRY_AFTER = dt.timedelta(minutes=10)

SUBMITTED = "submitted"
RETURNED = "returned"
GRANT_ACTIVE = "active"


def _int(key: str, default: int) -> int:
    value = tk.config.get(key)
    return default if value in (None, "") else int(value)


def _tables() -> tuple[sa.Table, sa.Table, sa.Table]:
    from ..access.model import event_table, grant_table, request_table

    return request_table, event_table, grant_table


class Summary(collections.Counter):
    """Counts per step and per notice kind, printed by the command."""

    def lines(self) -> list[str]:
        return [f"{key}: {self[key]}" for key in sorted(self)]


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


# --- the run ------------------------------------------------------------------------------


class Reminder:
    """One run: ``today`` is the local date the rules are applied on."""

    def __init__(self, today: dt.date, *, dry_run: bool = False) -> None:
        self.today = today
        self.dry_run = dry_run
        self.calendar = workdays.current()
        self.summary = Summary()

    # Each change in its own transaction: one failing item does not hold up the others.
    def _each(self, step: str, ids: list[str], work: Callable[[str], bool]) -> None:
        for item_id in ids:
            try:
                changed = work(item_id)
                if self.dry_run:
                    model.Session.rollback()
                else:
                    model.Session.commit()
                if changed:
                    self.summary[step] += 1
            except Exception:
                model.Session.rollback()
                log.exception("remind: %s %s failed", step, item_id)
                self.summary["errors"] += 1

    def _notify(
        self, kind: str, recipients: list[str], key: str, params: Mapping[str, Any]
    ) -> None:
        new = core.notify(kind, recipients=recipients, key=key, params=params)
        if new:
            self.summary[f"notices {kind}"] += new

    def _ids(self, query: Any) -> list[str]:
        ids = [row[0] for row in model.Session.execute(query)]
        model.Session.rollback()  # end the read: each item is then worked on in its own
        return ids

    # --- requests ---------------------------------------------------------------------
    def due_soon(self) -> None:
        requests, _, _ = _tables()
        before = _int("ckanext.govshare.remind.before_due", 2)
        last = self.calendar.add_workdays(self.today, before)
        ids = self._ids(
            sa.select(requests.c.id)
            .where(requests.c.status == SUBMITTED)
            .where(requests.c.due_date.between(self.today, last))
            .order_by(requests.c.due_date, requests.c.id)
        )

        def work(request_id: str) -> bool:
            row = model.Session.execute(
                sa.select(requests).where(requests.c.id == request_id)
            ).first()
            if row is None or row.status != SUBMITTED or row.due_date is None:
                return False
            request = dict(row._mapping)
            left = self.calendar.workdays_between(self.today, request["due_date"])
            if not 0 <= left <= before:
                return False
            key = f"due_soon:{request_id}:{request['due_date'].isoformat()}"
            params = request_params(request, workdays_left=left)
            new = core.notify(
                "request_due_soon",
                recipients=core.officers_of(request["provider_org_id"]),
                key=key,
                params=params,
            )
            if new:
                self.summary["notices request_due_soon"] += new
            return bool(new)

        self._each("requests due soon", ids, work)

    def overdue(self) -> None:
        requests, _, _ = _tables()
        # Flag once per due date: a request resubmitted after being overdue has a new one.
        not_flagged = sa.or_(
            requests.c.overdue_since.is_(None), requests.c.overdue_since <= requests.c.due_date
        )
        ids = self._ids(
            sa.select(requests.c.id)
            .where(requests.c.status == SUBMITTED)
            .where(requests.c.due_date < self.today)
            .where(not_flagged)
            .order_by(requests.c.due_date, requests.c.id)
        )

        def work(request_id: str) -> bool:
            row = model.Session.execute(
                sa.select(requests).where(requests.c.id == request_id).with_for_update()
            ).first()
            if row is None or row.status != SUBMITTED or row.due_date is None:
                return False
            request = dict(row._mapping)
            due = request["due_date"]
            if due >= self.today or (request["overdue_since"] and request["overdue_since"] > due):
                return False
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
                    "noticed_on": self.today.isoformat(),
                },
            )
            recipients = [
                *core.officers_of(request["provider_org_id"]),
                *core.members_of(request["requesting_org_id"]),
                *core.authority_members(),
            ]
            self._notify(
                "request_overdue",
                recipients,
                f"overdue:{request_id}:{due.isoformat()}",
                request_params(
                    {**request, "overdue_since": since},
                    overdue_since=since.isoformat(),
                    workdays_left=self.calendar.workdays_between(self.today, due),
                ),
            )
            return True

        self._each("requests marked overdue", ids, work)

    def expire_requests(self) -> None:
        from ..access import service

        requests, events, _ = _tables()
        resubmit = _int("ckanext.govshare.deadline.resubmit", 20)
        # Period of use over: the request has nothing left to ask for.
        ended = self._ids(
            sa.select(requests.c.id)
            .where(requests.c.status.in_([SUBMITTED, RETURNED]))
            .where(requests.c.period_end < self.today)
            .order_by(requests.c.id)
        )
        # Returned: the clock of resubmission starts with the last return.
        returned_at = (
            sa.select(sa.func.max(events.c.time))
            .where(events.c.request_id == requests.c.id)
            .where(events.c.to_state == RETURNED)
            .scalar_subquery()
        )
        rows = model.Session.execute(
            sa.select(requests.c.id, sa.func.coalesce(returned_at, requests.c.updated_at))
            .where(requests.c.status == RETURNED)
            .order_by(requests.c.id)
        ).all()
        model.Session.rollback()
        stale = [
            request_id
            for request_id, at in rows
            if request_id not in ended
            and self.today > self.calendar.add_workdays(workdays.local_date(at), resubmit)
        ]
        reasons = {
            **{
                r: (
                    f"未在{resubmit}个工作日内补充材料并重新提交 / "
                    f"not resubmitted within {resubmit} working days"
                )
                for r in stale
            },
            **{r: "申请的使用期限已届满 / the period of use asked for has ended" for r in ended},
        }

        def work(request_id: str) -> bool:
            updated = service.expire_request(request_id, reason=reasons[request_id])
            if updated is None:
                return False
            recipients = [
                *core.members_of(updated["requesting_org_id"]),
                *core.officers_of(updated["provider_org_id"]),
            ]
            self._notify(
                "request_expired",
                recipients,
                f"expired:{request_id}",
                request_params(updated, reason=reasons[request_id]),
            )
            return True

        self._each("requests expired", [*ended, *stale], work)

    # --- grants -----------------------------------------------------------------------
    def grants_expiring(self) -> None:
        _, _, grants = _tables()
        warning = _int("ckanext.govshare.remind.grant_warning", 5)
        last = self.calendar.add_workdays(self.today, warning)
        ids = self._ids(
            sa.select(grants.c.id)
            .where(grants.c.status == GRANT_ACTIVE)
            .where(grants.c.period_end.between(self.today, last))
            .where(grants.c.period_start <= self.today)
            .order_by(grants.c.period_end, grants.c.id)
        )

        def work(grant_id: str) -> bool:
            row = model.Session.execute(sa.select(grants).where(grants.c.id == grant_id)).first()
            if row is None or row.status != GRANT_ACTIVE:
                return False
            grant = dict(row._mapping)
            left = self.calendar.workdays_between(self.today, grant["period_end"])
            if left > warning:
                return False
            new = core.notify(
                "grant_expiring",
                recipients=core.members_of(grant["organization_id"]),
                key=f"grant_expiring:{grant_id}:{grant['period_end'].isoformat()}",
                params=grant_params(grant, workdays_left=max(left, 0)),
            )
            if new:
                self.summary["notices grant_expiring"] += new
            return bool(new)

        self._each("grants expiring", ids, work)

    def grants_expired(self) -> None:
        from ..access import service

        _, _, grants = _tables()
        ids = self._ids(
            sa.select(grants.c.id)
            .where(grants.c.status == GRANT_ACTIVE)
            .where(grants.c.period_end < self.today)
            .order_by(grants.c.period_end, grants.c.id)
        )

        def work(grant_id: str) -> bool:
            updated = service.expire_grant(grant_id, today=self.today)
            if updated is None:
                return False
            self._notify(
                "grant_expired",
                core.members_of(updated["organization_id"]),
                f"grant_expired:{grant_id}",
                grant_params(updated),
            )
            return True

        self._each("grants expired", ids, work)

    # --- feedback (art. 15) and catalogue updates (art. 8) ------------------------------
    def feedback_and_obligations(self) -> None:
        """Reminders before, and the overdue flag after, their due dates (same pattern)."""
        from ..feedback import reminders

        reminders.run(self)

    # --- the yearly report (art. 18: due by the end of February) -----------------------
    def report_due(self) -> None:
        """From January to the end of February: each department's officers, once a year."""
        from ..reports import reminder

        reminder.run(self)

    # --- emails -----------------------------------------------------------------------
    def retry_emails(self) -> None:
        days = _int("ckanext.govshare.remind.email_retry_days", 7)
        ids = core.unsent(older_than=RETRY_AFTER, within=dt.timedelta(days=days))
        model.Session.rollback()
        if self.dry_run:
            self.summary["emails to retry"] += len(ids)
            return
        for key, count in core.deliver(ids).items():
            if count:
                self.summary[f"emails retried {key}"] += count

    def run(self) -> Summary:
        # Expiry first, so that nothing is reminded about that ends in this very run.
        self.grants_expired()
        self.expire_requests()
        self.overdue()
        self.due_soon()
        self.grants_expiring()
        self.feedback_and_obligations()
        self.report_due()
        self.retry_emails()
        return self.summary


class Busy(Exception):
    """Another ``remind`` holds the lock."""


def local_today() -> dt.date:
    """Today on the deadlines' calendar (``ckanext.govshare.timezone``)."""
    return workdays.local_date(dt.datetime.now(dt.timezone.utc))


def run(*, today: dt.date | None = None, dry_run: bool = False) -> Summary:
    """One pass of every rule (raises :class:`Busy` if another pass is under way)."""
    on = today or local_today()
    # A connection of its own holds the session-level lock for the whole pass, across the
    # pass's many transactions.
    with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
            raise Busy("another `ckan govshare remind` is running")
        try:
            return Reminder(on, dry_run=dry_run).run()
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
