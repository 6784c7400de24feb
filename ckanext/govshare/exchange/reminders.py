"""``ckan govshare remind``'s step for batch exchange: a subscription whose grant is no longer
live is stopped, with the reason, and both departments' data officers told (2016 Measures
art. 14: data is used only within the period granted; issue 17, item 3).

A revoked grant stops its subscriptions in the revoking action itself; a grant that expires
(its period ends) or is otherwise no longer live is found here. Runs re-check the grant when
they start as well, so none starts in between.
"""

from __future__ import annotations

import datetime as dt

from ..access import grants
from ..access.rules import grant_live, grant_suspended
from ..workdays import WorkCalendar
from . import rules, subscriptions

__all__ = ["stop_ungranted", "ungranted"]


def ungranted(today: dt.date, calendar: WorkCalendar) -> list[str]:
    """Active subscriptions whose grant is not live on ``today``."""
    return subscriptions.ungranted(today)


def stop_ungranted(subscription_id: str, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Stop one such subscription; the notices queued, or ``None`` when it was already
    stopped or its grant is live again."""
    row = subscriptions.load(subscription_id, for_update=True)
    if row is None or row["status"] != rules.ACTIVE:
        return None
    grant = grants.load_grant(row["grant_id"])
    if grant is not None and grant_live(grant, today):
        return None
    if grant_suspended(grant) and grant is not None and grant["period_end"] >= today:
        return None  # 2025 art. 27: kept while suspended; resumed, it runs again
    status = None if grant is None else grant["status"]
    if grant is not None and grant["period_end"] is not None and grant["period_end"] < today:
        status = "expired"
    return subscriptions.stop_counted(row, rules.reason_for_grant(status))
