"""What ``ckan govshare remind`` does: every domain's reminder steps, in order, then the
retry of failed emails.

Safe from cron at any frequency: a PostgreSQL advisory lock lets one run work at a time (a
second, concurrent run stops at once), every item is worked on in its own transaction with
its audit event and its notices, and every notice has an idempotence key naming the event it
is about (``due_soon:<request>:<due date>``, ``overdue:<request>:<due date>``,
``grant_expiring:<grant>:<period end>``…), so running again sends nothing twice.

The rules live with their domains, each step as a pair of functions (``due`` lists the items
to look at on a date, ``handle`` works on one and answers the notices it queued, ``None``
when it found nothing to do):

- ``access/reminders.py``: grants and requests expire, requests are flagged overdue, officers
  are reminded before a request is due, holders warned before a grant ends (art. 12);
- ``feedback/reminders.py`` (art. 15) and ``obligations/reminders.py`` (art. 8): reminded
  before, flagged overdue after their due dates;
- ``reports/reminders.py``: the yearly report, due by the end of February (art. 18);
- ``interface/reminders.py``: the service interface's call log, chained into the audit trail
  by one digest a minute (issue 16, item 7);
- ``exchange/reminders.py``: batch exchange subscriptions whose grant is no longer live are
  stopped (issue 17, item 3);
- ``usage/reminders.py``: usage records past their retention archived, holders reminded
  before and flagged after a grant's disposal date (2025 Regulations art. 27, 29).

This module only orders the steps, runs each item in a transaction of its own (committed, or
rolled back on a dry run or an error), counts, and has ``notices`` retry failed emails.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from ckan import model

from .. import notices, workdays
from ..access import reminders as access
from ..core import clock, config
from ..exchange import reminders as exchange
from ..feedback import reminders as feedback
from ..interface import reminders as interface
from ..obligations import reminders as obligations
from ..reports import reminders as reports
from ..review import reminders as review
from ..usage import reminders as usage
from ..workdays import WorkCalendar

__all__ = ["LOCK_KEY", "STEPS", "Busy", "Reminder", "Step", "Summary", "local_today", "run"]

log = logging.getLogger(__name__)

# pg_advisory_lock key: "govshare remind" (any constant other code does not use).
LOCK_KEY = 0x676F7673_7265
# A fresh notice is the after-commit sender's; retry only those older than this.
RETRY_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Step:
    """One step of a pass. ``due(today, calendar)`` lists the items to look at (a read, ended
    before any item is worked on); ``handle(item, today, calendar)`` works on one item in the
    caller's transaction and answers how many ``notice`` notices it queued, or ``None`` when
    there was nothing to do (the item is then not counted under ``name``)."""

    name: str
    notice: str
    due: Callable[[dt.date, WorkCalendar], list[str]]
    handle: Callable[[str, dt.date, WorkCalendar], int | None]


# The summary lines the command prints are the steps' names (and "notices <kind>").
GRANTS_EXPIRED = Step("grants expired", "grant_expired", access.grants_ended, access.expire_grant)
# Batch exchange (issue 17, item 3): a grant no longer live stops its subscriptions.
EXCHANGE_STOPPED = Step(
    "exchange subscriptions stopped",
    "exchange_subscription_stopped",
    exchange.ungranted,
    exchange.stop_ungranted,
)
REQUESTS_EXPIRED = Step(
    "requests expired", "request_expired", access.requests_to_expire, access.expire_request
)
REQUESTS_OVERDUE = Step(
    "requests marked overdue", "request_overdue", access.requests_past_due, access.flag_overdue
)
REQUESTS_DUE_SOON = Step(
    "requests due soon", "request_due_soon", access.requests_due_soon, access.remind_due
)
# Approved data to deliver (2025 Regulations art. 22): overdue flagged, then reminders.
DELIVERIES_OVERDUE = Step(
    "deliveries overdue",
    "delivery_overdue",
    access.deliveries_past_due,
    access.flag_delivery_overdue,
)
DELIVERIES_DUE_SOON = Step(
    "deliveries due soon", "delivery_due_soon", access.deliveries_due_soon, access.remind_delivery
)
GRANTS_EXPIRING = Step(
    "grants expiring", "grant_expiring", access.grants_ending, access.warn_grant_ending
)
# Usage records and disposal (2025 Regulations art. 27, 29): records past their retention
# archived (never deleted); holders reminded before, and flagged after, a disposal date.
USAGE_ARCHIVED = Step("usage records archived", "", usage.records_to_archive, usage.archive)
DISPOSALS_OVERDUE = Step(
    "disposals overdue", "disposal_overdue", usage.disposal_overdue, usage.flag_disposal_overdue
)
DISPOSALS_DUE_SOON = Step(
    "disposals due soon", "disposal_due_soon", usage.disposal_soon, usage.remind_disposal
)
FEEDBACK_OVERDUE = Step(
    "feedback marked overdue", "feedback_overdue", feedback.past_due, feedback.flag_overdue
)
FEEDBACK_DUE_SOON = Step(
    "feedback due soon", "feedback_due_soon", feedback.due_soon, feedback.remind_due
)
OBLIGATIONS_OVERDUE = Step(
    "obligations marked overdue",
    "obligation_overdue",
    obligations.past_due,
    obligations.flag_overdue,
)
OBLIGATIONS_DUE_SOON = Step(
    "obligations due soon", "obligation_due_soon", obligations.due_soon, obligations.remind_due
)
# The sharing authority's catalogue review (2025 Regulations art. 17: 2 working days).
REVIEWS_OVERDUE = Step(
    "catalogue reviews overdue",
    "catalogue_review_overdue",
    review.past_due,
    review.flag_overdue,
)
REVIEWS_DUE_SOON = Step(
    "catalogue reviews due soon",
    "catalogue_review_due_soon",
    review.due_soon,
    review.remind_due,
)
REPORT_DUE = Step(
    "report reminders", "report_due", reports.departments_to_remind, reports.remind_department
)
# The service interface's answered calls, chained into the audit trail a minute at a time.
API_CALLS_DIGESTED = Step(
    "api call minutes digested", "", interface.minutes_due, interface.write_digest
)

# Expiry first, so that nothing is reminded about that ends in this very run; overdue before
# due soon, as before.
STEPS: tuple[Step, ...] = (
    GRANTS_EXPIRED,
    EXCHANGE_STOPPED,
    REQUESTS_EXPIRED,
    REQUESTS_OVERDUE,
    DELIVERIES_OVERDUE,
    DELIVERIES_DUE_SOON,
    REQUESTS_DUE_SOON,
    GRANTS_EXPIRING,
    USAGE_ARCHIVED,
    DISPOSALS_OVERDUE,
    DISPOSALS_DUE_SOON,
    FEEDBACK_OVERDUE,
    FEEDBACK_DUE_SOON,
    OBLIGATIONS_OVERDUE,
    OBLIGATIONS_DUE_SOON,
    REVIEWS_OVERDUE,
    REVIEWS_DUE_SOON,
    REPORT_DUE,
    API_CALLS_DIGESTED,
)


class Summary(collections.Counter):
    """Counts per step and per notice kind, printed by the command."""

    def lines(self) -> list[str]:
        return [f"{key}: {self[key]}" for key in sorted(self)]


class Reminder:
    """One pass: ``today`` is the local date the rules are applied on."""

    def __init__(self, today: dt.date, *, dry_run: bool = False) -> None:
        self.today = today
        self.dry_run = dry_run
        self.calendar = workdays.current()
        self.summary = Summary()

    def step(self, step: Step) -> None:
        """Each item in its own transaction: one failing item does not hold up the others."""
        ids = step.due(self.today, self.calendar)
        model.Session.rollback()  # end the read: each item is then worked on in its own
        for item_id in ids:
            try:
                sent = step.handle(item_id, self.today, self.calendar)
                if self.dry_run:
                    model.Session.rollback()
                else:
                    model.Session.commit()
            except Exception:
                model.Session.rollback()
                log.exception("remind: %s %s failed", step.name, item_id)
                self.summary["errors"] += 1
                continue
            if sent is not None:
                self.summary[step.name] += 1
                if sent:
                    self.summary[f"notices {step.notice}"] += sent

    def retry_emails(self) -> None:
        """Emails that failed, or were never tried (a process stopped after its commit)."""
        within = dt.timedelta(days=config.remind_email_retry_days())
        ids = notices.unsent(older_than=RETRY_AFTER, within=within)
        model.Session.rollback()
        if self.dry_run:
            self.summary["emails to retry"] += len(ids)
            return
        for key, count in notices.deliver(ids).items():
            if count:
                self.summary[f"emails retried {key}"] += count

    def run(self) -> Summary:
        for step in STEPS:
            self.step(step)
        self.retry_emails()
        return self.summary


class Busy(Exception):
    """Another ``remind`` holds the lock."""


def local_today() -> dt.date:
    """Today on the deadlines' calendar (``ckanext.govshare.timezone``)."""
    return clock.today()


def run(*, today: dt.date | None = None, dry_run: bool = False) -> Summary:
    """One pass of every step (raises :class:`Busy` if another pass is under way)."""
    on = today or local_today()
    # A connection of its own holds the session-level lock for the whole pass, across the
    # pass's many transactions.
    engine = model.meta.engine
    if engine is None:  # CKAN binds it when its configuration is loaded
        raise RuntimeError("no database engine: is CKAN's configuration loaded?")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
            raise Busy("another `ckan govshare remind` is running")
        try:
            return Reminder(on, dry_run=dry_run).run()
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
