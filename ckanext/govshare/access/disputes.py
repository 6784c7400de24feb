"""The authority's dispute queue (2016 Measures art. 12(3); 2025 Regulations art. 28; issue 19
item 5): every dispute a body took up, open or decided, filtered by status with counts.

A dispute is a request that was escalated (``escalation_level`` set). It stays in the queue of
the body that carries it after the decision, so that the authority can show what it decided
and how: the sharing authority and sysadmins see every dispute, a member of the joint
conference those that reached the conference. The request page (``govshare_request_show``)
shows each one's history.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model

from .. import profiles
from ..core import paging
from ..core.membership import Person
from ..core.serialise import label
from . import workflow
from .model import event_table, request_table
from .present import request_dicts

__all__ = ["DECIDED", "OPEN", "STATUS_GROUPS", "counts", "may_see_queue", "page"]

#: The two filters over the statuses: a dispute still waiting for a body, and one decided.
OPEN = "open"
DECIDED = "decided"
STATUS_GROUPS: dict[str, tuple[str, str]] = {
    OPEN: ("Open", "待处理"),
    DECIDED: ("Decided", "已决定"),
}

#: The body a dispute reached (``escalation_level``), for the queue's rows.
LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "authority": ("Sharing authority", "共享主管部门"),
    "joint_conference": ("Joint conference", "联席会议"),
    "upper_authority": ("Common upper authority", "共同上级主管部门"),
    "government": ("People's government", "本级人民政府"),
}


def may_see_queue(person: Person) -> bool:
    """The sharing authority, the joint conference and sysadmins carry the queue."""
    return person.sysadmin or person.authority or person.conference


def _visible(person: Person) -> sa.sql.ColumnElement[sa.Boolean]:
    """The disputes ``person`` carries, decided or not, as SQL."""
    c = request_table.c
    escalated = c.escalation_level.isnot(None)
    if person.sysadmin or person.authority:
        return escalated
    if person.conference:
        return c.escalation_level == "joint_conference"
    return sa.false()


def _status_condition(status: str | None) -> sa.sql.ColumnElement[sa.Boolean] | None:
    c = request_table.c
    if not status:
        return None
    if status == OPEN:
        return c.status.in_(sorted(workflow.OPEN_STATES))
    if status == DECIDED:
        return c.status.in_(sorted(workflow.FINAL_STATES))
    return c.status == status


def counts(person: Person) -> dict[str, Any]:
    """How many disputes ``person`` carries by status, and open and decided in all."""
    c = request_table.c
    rows = model.Session.execute(
        sa.select(c.status, sa.func.count()).where(_visible(person)).group_by(c.status)
    ).all()
    by_status = {row[0]: int(row[1]) for row in rows}
    # Every status a dispute can be in is offered, in the state machine's order; one that is
    # not (a request withdrawn while escalated, say) follows when it happens.
    order = [s for s in workflow.STATES if s in by_status or _dispute_state(s)]
    order += sorted(s for s in by_status if s not in order)
    return {
        OPEN: sum(n for s, n in by_status.items() if s in workflow.OPEN_STATES),
        DECIDED: sum(n for s, n in by_status.items() if s not in workflow.OPEN_STATES),
        "statuses": [
            {
                "status": s,
                "status_label": label(*workflow.STATE_LABELS.get(s, (s, s))),
                "count": by_status.get(s, 0),
            }
            for s in order
        ],
    }


def _dispute_state(state: str) -> bool:
    """The states of the dispute path under the profile in force: escalated to a body, or
    decided by it (the joint conference is the 2016 path, the upper authority and the
    government the 2025 one)."""
    upper = profiles.on("upper_authority")
    path = {
        workflow.ESCALATED_AUTHORITY,
        workflow.GRANTED,
        workflow.DENIED,
        *(
            (workflow.ESCALATED_UPPER, workflow.ESCALATED_GOVERNMENT)
            if upper
            else (workflow.ESCALATED_CONFERENCE,)
        ),
    }
    return state in path


def page(person: Person, query: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the disputes ``person`` carries: open ones first by when they were
    escalated, then decided ones newest first; each with the body it reached, when it was
    escalated and when decided (``{"count", "results", "limit", "offset", "counts"}``)."""
    c = request_table.c
    conditions = [_visible(person)]
    status = _status_condition(query.get("status"))
    if status is not None:
        conditions.append(status)
    order = [
        sa.case((c.status.in_(sorted(workflow.OPEN_STATES)), 0), else_=1),
        c.updated_at.desc(),
        c.id,
    ]
    answer = paging.page(request_table, sa.and_(*conditions), order, query, _dispute_dicts)
    answer["counts"] = counts(person)
    return answer


def _dispute_dicts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    results = request_dicts(rows)
    escalated = _first_escalation([r["id"] for r in rows])
    for result, row in zip(results, rows, strict=True):
        level = str(row.get("escalation_level") or "")
        result["escalation_level_label"] = label(*LEVEL_LABELS.get(level, (level, level)))
        result["escalated_at"] = escalated.get(row["id"])
        result["decided"] = row["status"] not in workflow.OPEN_STATES
    return results


def _first_escalation(ids: list[str]) -> dict[str, str]:
    """Request id -> when it was first escalated (ISO 8601, UTC), in one query."""
    if not ids:
        return {}
    e = event_table.c
    rows = model.Session.execute(
        sa.select(e.request_id, sa.func.min(e.time))
        .where(e.request_id.in_(ids))
        .where(e.action == workflow.Action.ESCALATE.value)
        .group_by(e.request_id)
    ).all()
    return {row[0]: row[1].isoformat() for row in rows if row[1] is not None}
