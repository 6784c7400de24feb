"""Which sections of the workbench a user sees, and how their rows are shown (plain Python).

A section is what waits for the user in one role (workflows.md, "Roles"):

- a data officer of a providing department answers its requests within the deadline counted
  in working days (2016 Measures art. 12; 2025 Regulations art. 20), answers the feedback on
  its entries (art. 15), discharges its obligations, and fixes the entries the authority
  returned (2025 art. 16, 17);
- under internal sign-off (2025 art. 20) the department's head approves the answers their
  staff drafted and the requests their staff made;
- a department user resubmits the requests returned to them, checks the answers to the
  feedback their department reported, and uses their department's live grants (art. 14);
- the sharing authority reviews catalogue entries (2025 art. 16), decides deadline extensions
  (2025 art. 21) and disputes (2016 art. 12(3); 2025 art. 28); the joint conference the
  disputes escalated to it;
- everybody reads their notices.

Nothing here knows CKAN: the action passes the roles and the action answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Rows shown per section; the count and the link lead to the rest.
ROWS = 5
#: Days an answer to the department's feedback stays on its workbench for checking: the
#: feedback has no state for the reporter's verification, so a recent answer is what waits.
ANSWERED_FEEDBACK_DAYS = 30

REQUESTS_TO_ANSWER = "requests_to_answer"
SIGNOFF = "signoff"
REQUESTS_RETURNED = "requests_returned"
FEEDBACK_TO_ANSWER = "feedback_to_answer"
FEEDBACK_TO_VERIFY = "feedback_to_verify"
OBLIGATIONS_DUE = "obligations_due"
ENTRIES_RETURNED = "entries_returned"
CATALOGUE_REVIEWS = "catalogue_reviews"
EXTENSIONS = "extensions"
DISPUTES = "disputes"
GRANTS = "grants"
NOTICES = "notices"

#: Every section, in the order the page shows them: what waits first, then the grants in use,
#: then the notices.
ORDER = (
    REQUESTS_TO_ANSWER,
    SIGNOFF,
    FEEDBACK_TO_ANSWER,
    OBLIGATIONS_DUE,
    ENTRIES_RETURNED,
    REQUESTS_RETURNED,
    FEEDBACK_TO_VERIFY,
    DISPUTES,
    EXTENSIONS,
    CATALOGUE_REVIEWS,
    GRANTS,
    NOTICES,
)

TITLES: dict[str, tuple[str, str]] = {
    REQUESTS_TO_ANSWER: ("Requests to answer", "待答复的共享申请"),
    SIGNOFF: ("Awaiting your sign-off", "待您审核签发"),
    REQUESTS_RETURNED: ("Requests returned for more information", "退回补充材料的申请"),
    FEEDBACK_TO_ANSWER: ("Feedback to verify and answer", "待核实答复的数据反馈"),
    FEEDBACK_TO_VERIFY: ("Answers to your department's feedback", "本部门反馈的答复（待确认）"),
    OBLIGATIONS_DUE: ("Obligations due", "待办理的义务事项"),
    ENTRIES_RETURNED: ("Entries returned by the catalogue review", "目录审核退回的信息资源"),
    CATALOGUE_REVIEWS: ("Catalogue entries to review", "待审核的目录"),
    EXTENSIONS: ("Deadline extensions to decide", "待决定的延期申请"),
    DISPUTES: ("Disputes to decide", "待协调的争议"),
    GRANTS: ("Your department's live grants", "本部门生效中的共享授权"),
    NOTICES: ("Recent notices", "最新通知"),
}

EMPTY: dict[str, tuple[str, str]] = {
    REQUESTS_TO_ANSWER: ("No request waits for an answer.", "没有待答复的申请。"),
    SIGNOFF: ("Nothing waits for your sign-off.", "没有待您签发的事项。"),
    REQUESTS_RETURNED: ("No request was returned to you.", "没有退回的申请。"),
    FEEDBACK_TO_ANSWER: ("No feedback waits for an answer.", "没有待答复的反馈。"),
    FEEDBACK_TO_VERIFY: ("No recent answer to check.", "近期没有待确认的答复。"),
    OBLIGATIONS_DUE: ("No open obligation.", "没有待办理的义务事项。"),
    ENTRIES_RETURNED: ("No entry was returned.", "没有被退回的信息资源。"),
    CATALOGUE_REVIEWS: ("No entry waits for review.", "没有待审核的目录。"),
    EXTENSIONS: ("No extension waits for a decision.", "没有待决定的延期申请。"),
    DISPUTES: ("No dispute waits for a decision.", "没有待协调的争议。"),
    GRANTS: ("Your department holds no live grant.", "本部门没有生效中的共享授权。"),
    NOTICES: ("No notice yet.", "暂无通知。"),
}


def label(pair: tuple[str, str]) -> dict[str, str]:
    """A label in both languages (docs/api.md, "Conventions")."""
    return {"en": pair[0], "zh_Hans_CN": pair[1]}


@dataclass(frozen=True)
class Roles:
    """What the sections depend on: the user's memberships and the rule profile in force."""

    member: bool  # belongs to at least one department
    officer: bool  # a data officer (editor, admin) of a department
    authority: bool  # a member of the sharing authority
    conference: bool  # a member of the joint conference
    sysadmin: bool
    internal_signoff: bool  # 2025 art. 20 in force
    catalogue_review: bool  # 2025 art. 16 in force


def sections_for(roles: Roles) -> list[str]:
    """The sections ``roles`` give, in page order (notices for everybody)."""
    wanted: set[str] = {NOTICES}
    if roles.officer or (roles.member and roles.internal_signoff):
        # 2025 art. 20: staff draft the answers to their department's requests.
        wanted |= {REQUESTS_TO_ANSWER}
    if roles.internal_signoff and (roles.officer or roles.sysadmin):
        wanted.add(SIGNOFF)
    if roles.officer:
        wanted |= {FEEDBACK_TO_ANSWER, OBLIGATIONS_DUE}
        if roles.catalogue_review:
            wanted.add(ENTRIES_RETURNED)
    if roles.member:
        wanted |= {REQUESTS_RETURNED, FEEDBACK_TO_VERIFY, GRANTS}
    if roles.authority or roles.sysadmin:
        wanted |= {DISPUTES, EXTENSIONS}
        if roles.catalogue_review:
            wanted.add(CATALOGUE_REVIEWS)
    if roles.conference:
        wanted.add(DISPUTES)
    return [key for key in ORDER if key in wanted]


def answered_since(today: dt.date) -> dt.date:
    """The first day whose answers to the department's feedback still wait to be checked."""
    return today - dt.timedelta(days=ANSWERED_FEEDBACK_DAYS)


def recently_answered(
    items: Sequence[Mapping[str, Any]], since: dt.date
) -> list[Mapping[str, Any]]:
    """Answered feedback (``resolved_at``, an ISO time) on or after ``since``, newest first."""
    recent = [
        i for i in items if i.get("resolved_at") and str(i["resolved_at"])[:10] >= since.isoformat()
    ]
    return sorted(recent, key=lambda i: str(i["resolved_at"]), reverse=True)


def live_grants(grants: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Grants in effect today (``live``), the nearest period end first (art. 14)."""
    live = [g for g in grants if g.get("live")]
    return sorted(live, key=lambda g: (str(g.get("period_end") or "9999"), str(g.get("id"))))


def grant_use(grant: Mapping[str, Any], calls: Mapping[str, Any] | None) -> dict[str, Any]:
    """A grant's use: downloads used and left (``None`` left: no limit), and for a grant
    served by the service interface its calls today against the daily quota."""
    used = int(grant.get("downloads_used") or 0)
    limit = grant.get("max_downloads")
    use: dict[str, Any] = {
        "downloads_used": used,
        "max_downloads": limit,
        "downloads_left": None if limit is None else max(int(limit) - used, 0),
        "calls_today": None,
        "max_calls_per_day": None,
        "calls_left_today": None,
    }
    if calls is not None:
        today = int(calls.get("today") or 0)
        quota = calls.get("max_calls_per_day")
        use.update(
            calls_today=today,
            max_calls_per_day=quota,
            calls_left_today=None if quota is None else max(int(quota) - today, 0),
        )
    return use
