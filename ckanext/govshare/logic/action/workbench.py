"""The workbench (工作台, issue 19 item 2): what waits for the caller, by role, as data.

``govshare_workbench_show`` reads nothing itself: each section is one call of an existing
list action (which filters what the caller may see), shaped by ``workbench.rules``. The page
``/govshare/workbench`` only renders this answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ... import profiles
from ...access import workflow
from ...core import clock
from ...core.membership import Person
from ...workbench import rules
from ...workbench.rules import label

__all__ = ["govshare_workbench_show"]

Row = dict[str, Any]


def _as_caller(context: Context) -> Context:
    """A fresh context for the caller: each action checks their access itself."""
    return {"user": context.get("user") or ""}


def _call(context: Context, action: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """An action's answer for the caller, ``None`` when it refuses them (a section they
    cannot fill is left out rather than failing the whole workbench)."""
    try:
        return tk.get_action(action)(_as_caller(context), data)
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return None


def _url(route: str, **params: Any) -> str:
    return tk.h.url_for(route, **params)


def _request_row(r: Mapping[str, Any], other: str) -> Row:
    return {
        "id": r["id"],
        "title": r.get("package_title") or r.get("package_name"),
        "department": r.get(other),
        "status_label": r.get("status_label"),
        "due_date": r.get("due_date"),
        "working_days_left": r.get("working_days_left"),
        "overdue": bool(r.get("overdue")),
        "link": _url("govshare_access.request_read", id=r["id"]),
    }


def _feedback_row(f: Mapping[str, Any], other: str) -> Row:
    return {
        "id": f["id"],
        "title": f.get("package_title") or f.get("package_name"),
        "department": f.get(other),
        "kind_label": f.get("kind_label"),
        "status_label": f.get("status_label"),
        "resolution_label": f.get("resolution_label"),
        "due_date": f.get("due_date"),
        "working_days_left": f.get("working_days_left"),
        "overdue": bool(f.get("late")) and f.get("status") == "open",
        "resolved_at": f.get("resolved_at"),
        "link": _url("govshare_feedback.feedback_read", id=f["id"]),
    }


def _obligation_row(o: Mapping[str, Any]) -> Row:
    entries = [e.get("title") or e.get("name") for e in o.get("entry_details") or []]
    return {
        "id": o["id"],
        "title": o.get("description"),
        "entries": [e for e in entries if e],
        "department": o.get("provider_org_title"),
        "kind_label": o.get("kind_label"),
        "status_label": o.get("status_label"),
        "due_date": o.get("due_date"),
        "working_days_left": o.get("working_days_left"),
        "overdue": bool(o.get("late")),
        "link": _url("govshare_feedback.obligation_read", id=o["id"]),
    }


def _review_row(r: Mapping[str, Any]) -> Row:
    return {
        "id": r["id"],
        "title": r.get("package_title") or r.get("package_name"),
        "department": r.get("provider_org_title"),
        "kind_label": r.get("kind_label"),
        "status_label": r.get("status_label"),
        "due_date": r.get("due_date"),
        "working_days_left": r.get("working_days_left"),
        "overdue": bool(r.get("overdue")),
        "link": _url("dataset.read", id=r.get("package_name") or r["package_id"]),
    }


def _extension_row(e: Mapping[str, Any]) -> Row:
    return {
        "id": e["id"],
        "title": e.get("package_title"),
        "department": e.get("provider_org_title"),
        "status_label": e.get("status_label"),
        "due_date": e.get("request_due_date"),
        "working_days_left": None,
        "overdue": False,
        "link": _url("govshare_access.request_read", id=e["request_id"]),
    }


def _notice_row(n: Mapping[str, Any]) -> Row:
    return {
        "id": n["id"],
        "title": n.get("subject"),
        "created": n.get("created"),
        "unread": bool(n.get("unread")),
        "link": _url(n["link"]) if n.get("link") else _url("govshare_notices.index"),
    }


def _section(
    key: str, answer: Mapping[str, Any] | None, shape: Callable[[Any], Row], link: str
) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "key": key,
        "title": label(rules.TITLES[key]),
        "empty": label(rules.EMPTY[key]),
        "count": answer["count"],
        "results": [shape(item) for item in answer["results"][: rules.ROWS]],
        "link": link,
    }


def _page(limit: int = rules.ROWS, **query: Any) -> dict[str, Any]:
    return {"limit": limit, "offset": 0, **query}


def _requests_to_answer(context: Context) -> dict[str, Any] | None:
    answer = _call(
        context,
        "govshare_request_list",
        _page(direction="incoming", status=[workflow.SUBMITTED]),
    )
    return _section(
        rules.REQUESTS_TO_ANSWER,
        answer,
        lambda r: _request_row(r, "requesting_org_title"),
        _url("govshare_access.inbox"),
    )


def _signoff(context: Context) -> dict[str, Any] | None:
    answer = _call(context, "govshare_request_list", _page(signoff=True))
    return _section(
        rules.SIGNOFF,
        answer,
        lambda r: _request_row(r, "requesting_org_title"),
        _url("govshare_access.inbox"),
    )


def _requests_returned(context: Context) -> dict[str, Any] | None:
    answer = _call(
        context,
        "govshare_request_list",
        _page(direction="outgoing", status=[workflow.RETURNED, workflow.SIGNOFF_RETURNED]),
    )
    return _section(
        rules.REQUESTS_RETURNED,
        answer,
        lambda r: _request_row(r, "provider_org_title"),
        _url("govshare_access.requests"),
    )


def _feedback_to_answer(context: Context) -> dict[str, Any] | None:
    answer = _call(context, "govshare_feedback_list", _page(direction="incoming", status="open"))
    return _section(
        rules.FEEDBACK_TO_ANSWER,
        answer,
        lambda f: _feedback_row(f, "reporting_org_title"),
        _url("govshare_feedback.feedback_index", state="open"),
    )


def _feedback_to_verify(context: Context) -> dict[str, Any] | None:
    """Answers to the department's feedback in the last ``ANSWERED_FEEDBACK_DAYS`` days: the
    list puts answered feedback oldest due date first, so the last page holds the newest."""
    query = {"direction": "outgoing", "status": "resolved"}
    first = _call(context, "govshare_feedback_list", _page(limit=1, **query))
    if first is None:
        return None
    tail = 100
    last = _call(
        context,
        "govshare_feedback_list",
        {**query, "limit": tail, "offset": max(first["count"] - tail, 0)},
    )
    if last is None:
        return None
    recent = rules.recently_answered(last["results"], rules.answered_since(clock.today()))
    return _section(
        rules.FEEDBACK_TO_VERIFY,
        {"count": len(recent), "results": recent},
        lambda f: _feedback_row(f, "provider_org_title"),
        _url("govshare_feedback.feedback_index", state="resolved"),
    )


def _obligations_due(context: Context) -> dict[str, Any] | None:
    answer = _call(context, "govshare_obligation_list", _page(status="open"))
    return _section(
        rules.OBLIGATIONS_DUE,
        answer,
        _obligation_row,
        _url("govshare_feedback.obligation_index", state="open"),
    )


def _entries_returned(context: Context) -> dict[str, Any] | None:
    answer = _call(context, "govshare_catalogue_review_list", _page(status="returned"))
    return _section(
        rules.ENTRIES_RETURNED,
        answer,
        _review_row,
        _url("govshare_review.reviews", status="returned"),
    )


def _catalogue_reviews(context: Context) -> dict[str, Any] | None:
    answer = _call(context, "govshare_catalogue_review_list", _page(status="pending"))
    return _section(rules.CATALOGUE_REVIEWS, answer, _review_row, _url("govshare_review.reviews"))


def _extensions(context: Context) -> dict[str, Any] | None:
    answer = _call(context, "govshare_extension_list", _page(status="pending"))
    return _section(rules.EXTENSIONS, answer, _extension_row, _url("govshare_answers.extensions"))


def _disputes(context: Context) -> dict[str, Any] | None:
    person = Person.of(context)
    waiting = []
    if person.authority or person.sysadmin:
        waiting += [
            workflow.ESCALATED_AUTHORITY,
            workflow.ESCALATED_UPPER,
            workflow.ESCALATED_GOVERNMENT,
        ]
    if person.conference or person.sysadmin:
        waiting.append(workflow.ESCALATED_CONFERENCE)
    answer = _call(
        context,
        "govshare_request_list",
        _page(direction="incoming" if not person.sysadmin else "all", status=waiting),
    )
    return _section(
        rules.DISPUTES,
        answer,
        lambda r: _request_row(r, "requesting_org_title"),
        _url("govshare_access.escalations"),
    )


def _grants(context: Context) -> dict[str, Any] | None:
    """The department's grants in effect, nearest end first, each with its use (art. 14)."""
    answer = _call(
        context, "govshare_grant_list", _page(limit=100, direction="outgoing", status=["active"])
    )
    if answer is None:
        return None
    live = rules.live_grants(answer["results"])
    rows = []
    for g in live[: rules.ROWS]:
        shown = _call(context, "govshare_grant_show", {"id": g["id"]}) or {}
        rows.append(
            {
                "id": g["id"],
                "title": g.get("package_title") or g.get("package_name"),
                "department": g.get("provider_org_title"),
                "holder": g.get("requesting_org_title"),
                "purpose": g.get("purpose"),
                "period_start": g.get("period_start"),
                "period_end": g.get("period_end"),
                "status_label": g.get("status_label"),
                **rules.grant_use(g, shown.get("usage")),
                "link": _url("govshare_access.grant_read", id=g["id"]),
            }
        )
    # The list answers at most 100 rows: past that, count the rest as the list does.
    more = max(answer["count"] - len(answer["results"]), 0)
    return {
        "key": rules.GRANTS,
        "title": label(rules.TITLES[rules.GRANTS]),
        "empty": label(rules.EMPTY[rules.GRANTS]),
        "count": len(live) + more,
        "results": rows,
        "link": _url("govshare_access.grants"),
    }


def _notices(context: Context) -> dict[str, Any] | None:
    answer = _call(context, "govshare_notice_list", _page())
    section = _section(rules.NOTICES, answer, _notice_row, _url("govshare_notices.index"))
    if section is not None and answer is not None:
        section["unread"] = answer["unread"]
    return section


_FILL: dict[str, Callable[[Context], dict[str, Any] | None]] = {
    rules.REQUESTS_TO_ANSWER: _requests_to_answer,
    rules.SIGNOFF: _signoff,
    rules.REQUESTS_RETURNED: _requests_returned,
    rules.FEEDBACK_TO_ANSWER: _feedback_to_answer,
    rules.FEEDBACK_TO_VERIFY: _feedback_to_verify,
    rules.OBLIGATIONS_DUE: _obligations_due,
    rules.ENTRIES_RETURNED: _entries_returned,
    rules.CATALOGUE_REVIEWS: _catalogue_reviews,
    rules.EXTENSIONS: _extensions,
    rules.DISPUTES: _disputes,
    rules.GRANTS: _grants,
    rules.NOTICES: _notices,
}


def roles_of(person: Person) -> rules.Roles:
    return rules.Roles(
        member=bool(person.orgs),
        officer=bool(person.officer_of),
        authority=person.authority,
        conference=person.conference,
        sysadmin=person.sysadmin,
        internal_signoff=profiles.on("internal_signoff"),
        catalogue_review=profiles.on("catalogue_review"),
    )


@tk.side_effect_free
def govshare_workbench_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What waits for the caller (issue 19, item 2), by role (workflows.md, "Roles").

    Any logged-in user; anonymous callers are refused. Each section is
    ``{"key", "title", "empty", "count", "results", "link"}``: at most five rows, the count
    of all, and the page listing them. Requests, feedback, obligations and reviews carry
    ``due_date`` and ``working_days_left`` on the working-day calendar (2016 art. 12,
    2025 art. 20); grants their ``downloads_used``/``downloads_left`` and, for the service
    interface, ``calls_today``/``calls_left_today`` (art. 14); notices ``unread``.

    :returns: ``{"user", "departments", "roles", "unread_notices", "sections": [...]}``
    """
    tk.check_access("govshare_workbench_show", context, data_dict)
    person = Person.of(context)
    roles = roles_of(person)
    sections = [s for key in rules.sections_for(roles) if (s := _FILL[key](context)) is not None]
    notices = next((s for s in sections if s["key"] == rules.NOTICES), None)
    departments = tk.get_action("organization_list_for_user")(
        _as_caller(context), {"id": person.id, "permission": "read"}
    )
    return {
        "user": person.name,
        "departments": [
            {"id": d["id"], "name": d["name"], "title": d.get("title") or d["name"]}
            for d in departments
            if d["id"] in person.orgs
        ],
        "roles": {
            "member": roles.member,
            "data_officer": roles.officer,
            "authority": roles.authority,
            "joint_conference": roles.conference,
            "sysadmin": roles.sysadmin,
        },
        "unread_notices": notices["unread"] if notices else 0,
        "sections": sections,
    }
