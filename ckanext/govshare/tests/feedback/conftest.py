"""The sharing world of the access tests, reused: its departments, entries and every role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare.audit.model import event_table as audit_table
from ckanext.govshare.notices.model import notice_table
from ckanext.govshare.tests.access.conftest import World, world  # noqa: F401

#: The working days a provider has to check doubtful data (feedback: 2025 art. 26, 10; 2016
#: art. 15, 5) and to update its catalogue after a change of law or functions
#: (catalogue_update: 2025 art. 17, 10; 2016 art. 8, 15), by profile.
DAYS = {
    "regulation-2025": {"feedback": 10, "catalogue_update": 10},
    "measures-2016": {"feedback": 5, "catalogue_update": 15},
}
#: A catalogue update for a change effective Wednesday 2026-09-30 is due (1-7 October off,
#: Saturday 10 October worked): 10 working days later, 15 working days later.
UPDATE_DUE = {"regulation-2025": "2026-10-20", "measures-2016": "2026-10-27"}


def audit_actions(object_id: str) -> list[tuple[str, str]]:
    rows = model.Session.execute(
        sa.select(audit_table.c.action, audit_table.c.outcome)
        .where(audit_table.c.object_id == object_id)
        .order_by(audit_table.c.seq)
    ).all()
    return [tuple(r) for r in rows]


def count(table: sa.Table) -> int:
    return model.Session.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def notices_of(w: World, who: str, kind: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(notice_table).where(notice_table.c.user_id == w.users[who]["id"])
    if kind:
        query = query.where(notice_table.c.kind == kind)
    return [dict(r._mapping) for r in model.Session.execute(query)]


def bilingual(messages: list[str]) -> bool:
    en, _, zh = messages[0].partition(" | ")
    return bool(en.strip()) and bool(zh.strip())


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """Pin the platform's clock (UTC): feedback and obligations read it."""
    from ckanext.govshare.core import clock

    def pin(moment: dt.datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return pin
