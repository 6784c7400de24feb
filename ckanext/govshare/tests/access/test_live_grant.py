"""One live-grant rule (issue 15): ``rules.grant_live`` and the SQL built from the same
definition (``grants.live_condition``) agree on every grant, on every day around its period.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.access import codes, grants, rules
from ckanext.govshare.access.model import grant_table
from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

START, END = dt.date(2026, 10, 8), dt.date(2026, 10, 20)
DAYS = [START - dt.timedelta(days=1), START, dt.date(2026, 10, 14), END, END + dt.timedelta(1)]
STATUSES = ["active", "expired", "revoked"]
#: A grant's statuses under each rule profile: the 2025 Regulations add suspended and
#: terminated grants (art. 27), neither of them live.
PROFILE_STATUSES = {
    "regulation-2025": [*STATUSES, codes.GRANT_SUSPENDED, codes.GRANT_TERMINATED],
    "measures-2016": STATUSES,
}


def _grant(status: str, start: dt.date = START, end: dt.date = END) -> dict[str, Any]:
    return {"status": status, "period_start": start, "period_end": end}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("grant", "on", "live"),
    [
        (_grant("active"), START - dt.timedelta(days=1), False),  # not begun
        (_grant("active"), START, True),  # the first day counts
        (_grant("active"), END, True),  # so does the last
        (_grant("active"), END + dt.timedelta(days=1), False),  # ended
        (_grant("revoked"), START, False),
        (_grant("expired"), START, False),
        (_grant("suspended"), START, False),  # 2025 art. 27: nothing delivered meanwhile
        (_grant("terminated"), START, False),
        ({"status": "active", "period_start": None, "period_end": END}, START, False),
        ({"status": "active"}, START, False),
    ],
)
def test_a_grant_is_live_while_active_and_within_its_period(
    grant: dict[str, Any], on: dt.date, live: bool
):
    assert rules.grant_live(grant, on) is live


@pytest.mark.usefixtures("clean_db")
def test_the_sql_condition_says_what_the_rule_says(rule_profile: str):  # noqa: F811
    rows = [
        {
            **_grant(status, START + dt.timedelta(days=shift), END + dt.timedelta(days=shift)),
            "id": str(uuid.uuid4()),
            "package_id": "entry",
            "provider_org_id": "provider",
            "organization_id": "holder",
            "source": "self_service",
            "purpose": "work_reference",
            "purpose_detail": "x",
            "downloads_used": 0,
            "created_at": dt.datetime(2026, 10, 1, tzinfo=dt.timezone.utc),
        }
        for status in PROFILE_STATUSES[rule_profile]
        for shift in (-3, 0, 3)
    ]
    model.Session.execute(sa.insert(grant_table), rows)
    checked = 0
    for on in DAYS:
        in_sql = set(
            model.Session.execute(
                sa.select(grant_table.c.id).where(grants.live_condition(on))
            ).scalars()
        )
        by_rule = {row["id"] for row in rows if rules.grant_live(row, on)}
        assert in_sql == by_rule, on
        checked += len(by_rule)
    assert checked > 0  # the days above do find live grants
    model.Session.rollback()
