"""Which path an entry's share type opens, and what a request or an approval may ask for.

Plain Python over plain dicts (a ``package_show`` result), so the rules are unit-tested
directly. Each check answers ``{field: [message]}`` in both languages, empty when all is well.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..catalogue.codes import SHARE_STRICTNESS
from ..core.messages import message
from .codes import GRANT_ACTIVE, GRANT_SUSPENDED, KIND_NEGOTIATION, KIND_REQUEST, SOURCE_RETURN
from .workflow import OPEN_STATES

Errors = dict[str, list[str]]

# The action each share type calls for (art. 12).
OBTAIN, REQUEST, NEGOTIATE = "obtain", "request", "negotiate"
PATHS = {"unconditional": OBTAIN, "conditional": REQUEST, "not_shared": NEGOTIATE}

_PATH_HINT = {
    OBTAIN: message(
        "This entry is shared unconditionally: obtain it at once with govshare_access_obtain "
        '("Obtain data"), no application needed (art. 12(1))',
        "该信息资源为无条件共享，请直接获取（govshare_access_obtain，“获取数据”），无需申请（第十二条）",
    ),
    REQUEST: message(
        'This entry is shared on conditions: apply with govshare_request_create ("Apply"); '
        "the provider answers within the deadline (art. 12(2))",
        "该信息资源为有条件共享，请提交共享申请（govshare_request_create，“申请”），由提供部门在期限内答复（第十二条）",
    ),
    NEGOTIATE: message(
        "This entry is not shared: open a negotiation with the provider with "
        'govshare_negotiation_open ("Open negotiation"); unresolved, it goes to the sharing '
        "authority (art. 12(3))",
        "该信息资源不予共享，请与提供部门协商（govshare_negotiation_open，“发起协商”），协商不成的提请共享主管部门协调（第十二条）",
    ),
}


def path_for(share_type: str | None) -> str:
    return PATHS.get(share_type or "", REQUEST)


def check_path(entry: Mapping[str, Any], expected: str) -> Errors:
    """Refuse an action that does not fit the entry's share type, saying which one does."""
    actual = path_for(entry.get("share_type"))
    return {} if actual == expected else {"package_id": [_PATH_HINT[actual]]}


@dataclass(frozen=True)
class LiveGrantRule:
    """When a grant is live: it is in ``status`` and the day lies in its period of use, first
    and last day included (art. 14: data is used only within the purpose and period granted).
    """

    status: str = GRANT_ACTIVE
    first_day: str = "period_start"
    last_day: str = "period_end"


#: The one definition of a live grant. ``grant_live`` applies it to a grant; the access
#: service builds the SQL condition from it (``access.grants.live_condition``).
LIVE_GRANT = LiveGrantRule()


def grant_live(grant: Mapping[str, Any], on: dt.date) -> bool:
    """Whether ``grant`` (a row or an API answer's values as dates) is live on day ``on``."""
    first, last = grant.get(LIVE_GRANT.first_day), grant.get(LIVE_GRANT.last_day)
    return bool(
        grant.get("status") == LIVE_GRANT.status
        and first is not None
        and last is not None
        and first <= on <= last
    )


#: Why a delivery is refused when its grant is suspended (2025 Regulations art. 27): every
#: method (file, bulk ZIP, service interface, batch exchange, preview, tokens) says so, with
#: the reason and the date to rectify by (:func:`suspension_texts`).
SUSPENDED = "suspended"
#: The generic text of :data:`SUSPENDED` (where the grant is not at hand).
SUSPENDED_TEXTS = (
    "The grant is suspended (2025 Regulations art. 27): no data is delivered until the "
    "provider or the sharing authority resumes it",
    "该授权已暂停共享（《政务数据共享条例》第二十七条），恢复前不提供数据",
)


def grant_suspended(grant: Mapping[str, Any] | None) -> bool:
    """Whether ``grant`` is suspended (art. 27): not live, but resumable."""
    return bool(grant) and grant.get("status") == GRANT_SUSPENDED  # type: ignore[union-attr]


def suspension_texts(grant: Mapping[str, Any]) -> tuple[str, str]:
    """What every refused delivery under a suspended grant says (art. 27): the reason given
    when it was suspended and the date to rectify by, in English and Chinese."""
    reason = str(grant.get("suspend_reason") or "").strip() or "-"
    by = grant.get("rectify_by")
    day = by.isoformat() if isinstance(by, dt.date) else str(by or "-")
    return (
        f"The grant is suspended (2025 Regulations art. 27): {reason}. Rectify by {day}; no "
        "data is delivered until the provider or the sharing authority resumes it",
        f"该授权已暂停共享（《政务数据共享条例》第二十七条）：{reason}。请于{day}前整改；"
        "恢复前不提供数据",
    )


def not_live_reason(grant: Mapping[str, Any] | None, ended: str) -> str:
    """The reason a grant that is not live gives: :data:`SUSPENDED` for a suspended one, else
    the caller's ``ended`` code."""
    return SUSPENDED if grant_suspended(grant) else ended


#: Sources of grants made without a share method of their own: they may use every method the
#: entry offers — an unconditional entry obtained at once (art. 12(1)), and data returned to a
#: lower level "without extra conditions" (2025 Regulations art. 24).
ANY_METHOD_SOURCES = ("self_service", SOURCE_RETURN)

#: The share methods batch exchange serves (前置机, database, departmental bulk download).
EXCHANGE_METHODS = ("exchange_node", "database", "bulk_download")


def grant_methods(grant: Mapping[str, Any], entry_methods: Iterable[str]) -> frozenset[str]:
    """The share methods a grant may use: its own (chosen in the request), or, for a grant
    without one from :data:`ANY_METHOD_SOURCES`, every method the entry offers."""
    own = grant.get("share_method")
    if own:
        return frozenset({own})
    if grant.get("source") in ANY_METHOD_SOURCES:
        return frozenset(entry_methods or ())
    return frozenset()


def item_share_type(entry: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    """A data item's own share type, never looser than its entry's (catalogue.md)."""
    own, entry_type = item.get("share_type") or "", entry.get("share_type") or "unconditional"
    if own and SHARE_STRICTNESS.get(own, -1) > SHARE_STRICTNESS.get(entry_type, 0):
        return own
    return entry_type


def item_names(entry: Mapping[str, Any], share_types: Iterable[str] | None = None) -> list[str]:
    """Names of the entry's data items, optionally only those of the given share types."""
    wanted = set(share_types) if share_types is not None else None
    return [
        str(item.get("name"))
        for item in entry.get("data_items") or []
        if item.get("name") and (wanted is None or item_share_type(entry, item) in wanted)
    ]


def resource_ids(entry: Mapping[str, Any]) -> list[str]:
    return [r["id"] for r in entry.get("resources") or [] if r.get("id")]


def _subset(
    field: str, asked: Sequence[str], allowed: Sequence[str], what: tuple[str, str]
) -> Errors:
    unknown = [v for v in asked if v not in allowed]
    if not unknown:
        return {}
    return {
        field: [
            message(
                f"Not {what[0]}: {', '.join(unknown)}. Choose among: {', '.join(allowed) or '-'}",
                f"不属于{what[1]}：{'、'.join(unknown)}。可选：{'、'.join(allowed) or '无'}",
            )
        ]
    }


NEEDS_PLEDGE = message(
    "Accept the usage pledge: the data is used only for the stated purpose and never passed on "
    "(art. 14)",
    "请签署使用承诺：仅用于申请用途，不得转让或用于其他目的（第十四条）",
)
NEEDS_CALLS = message(
    "Say how many calls a day the API is expected to receive",
    "通过接口方式共享的，请填写预计每日调用量",
)
PERIOD_ORDER = message(
    "The period of use ends before it starts: period_end must be on or after period_start",
    "使用期限的结束日期早于开始日期，请更正",
)
PERIOD_PAST = message(
    "The period of use has already ended: choose an end date from today on",
    "使用期限已结束，请选择今天或以后的结束日期",
)
NO_ITEMS = message(
    "Choose at least one data item that the entry shares on conditions",
    "请至少选择一个有条件共享的信息项",
)
NO_RESOURCES = message(
    "The entry has no resource to share yet; ask the provider to add one",
    "该信息资源暂无可共享的资源，请联系提供部门",
)


def check_request(
    entry: Mapping[str, Any], data: Mapping[str, Any], *, today: dt.date, negotiation: bool = False
) -> Errors:
    """A request's scope against its entry (art. 12, 14; workflows.md "Request form").

    For a conditional request, data items that are not shared (narrower than the entry) are
    refused: they take the negotiation path. ``data`` holds the request as validated by the
    schema (lists resolved, dates parsed).
    """
    errors: Errors = {}
    if not data.get("pledge"):
        errors["pledge"] = [NEEDS_PLEDGE]
    errors.update(
        _subset(
            "resource_ids",
            data.get("resource_ids") or [],
            resource_ids(entry),
            ("a resource of this entry", "该信息资源的资源"),
        )
    )
    allowed_types = (
        ("unconditional", "conditional", "not_shared")
        if negotiation
        else ("unconditional", "conditional")
    )
    items = data.get("data_items") or []
    unknown = [n for n in items if n not in item_names(entry)]
    if unknown:
        errors.update(
            _subset(
                "data_items",
                unknown,
                item_names(entry),
                ("a data item of this entry", "该信息资源的信息项"),
            )
        )
    else:
        closed = [n for n in items if n not in item_names(entry, allowed_types)]
        if closed:
            errors["data_items"] = [
                message(
                    f"Not shared, so not requestable here: {', '.join(closed)}. Open a "
                    "negotiation for them (art. 12(3))",
                    f"以下信息项不予共享，不能在此申请：{'、'.join(closed)}，请发起协商（第十二条）",
                )
            ]
    methods = entry.get("share_methods") or []
    method = data.get("share_method")
    if method and method not in methods:
        errors["share_method"] = [
            message(
                f"The entry is not shared by {method}; choose one of: {', '.join(methods)}",
                f"该信息资源不支持此共享方式（{method}），可选：{'、'.join(methods)}",
            )
        ]
    if method == "api" and not data.get("expected_calls_per_day"):
        errors["expected_calls_per_day"] = [NEEDS_CALLS]
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        errors["period_end"] = [PERIOD_ORDER]
    elif end and end < today:
        errors["period_end"] = [PERIOD_PAST]
    return errors


#: The kinds of request one department may have only one of open on an entry at a time: a
#: conditional request (art. 12(2)) and a negotiation (art. 12(3)) both ask for the entry's
#: data; a use change (2025 art. 25) concerns a grant the department already holds.
ONE_OPEN_KINDS = frozenset({KIND_REQUEST, KIND_NEGOTIATION})


def counts_as_open(request: Mapping[str, Any]) -> bool:
    """Whether ``request`` stands in the way of another one for the same entry by the same
    department: someone still has to act on it (``workflow.OPEN_STATES``: submitted, returned
    for completion, awaiting or returned by the department head's sign-off, negotiating, and
    every level of escalation), and it asks for the entry's data (:data:`ONE_OPEN_KINDS`)."""
    return request.get("status") in OPEN_STATES and request.get("kind") in ONE_OPEN_KINDS


def duplicate_errors(open_requests: Iterable[Mapping[str, Any]]) -> Errors:
    """A second request for an entry while the department's first one is open is refused
    (issue 19, item 3): it names the open request so the department follows that one up (or
    withdraws it) instead. ``open_requests``: the department's requests on the entry."""
    found = next((r for r in open_requests if counts_as_open(r)), None)
    if found is None:
        return {}
    ref = found["id"]
    return {
        "package_id": [
            message(
                f"Your department already has an open request for this entry ({ref}): follow "
                "it up, or withdraw it before applying again",
                f"本部门已有该信息资源尚未办结的申请（{ref}），请跟进该申请，或撤回后再申请",
            )
        ]
    }


def check_approval(request: Mapping[str, Any], data: Mapping[str, Any]) -> Errors:
    """An approval may narrow the request, never widen it (art. 12(2): the provider decides)."""
    errors: Errors = {}
    errors.update(
        _subset(
            "resource_ids",
            data.get("resource_ids") or [],
            request.get("resource_ids") or [],
            ("a resource of the request", "申请的资源"),
        )
    )
    errors.update(
        _subset(
            "data_items",
            data.get("data_items") or [],
            request.get("data_items") or [],
            ("a data item of the request", "申请的信息项"),
        )
    )
    start, end = data.get("period_start"), data.get("period_end")
    req_start, req_end = request.get("period_start"), request.get("period_end")
    if start and req_start and start < req_start:
        errors["period_start"] = [
            message(
                f"An approval cannot start before the period asked for ({req_start})",
                f"同意的使用期限不能早于申请的开始日期（{req_start}）",
            )
        ]
    if end and req_end and end > req_end:
        errors["period_end"] = [
            message(
                f"An approval cannot end after the period asked for ({req_end})",
                f"同意的使用期限不能晚于申请的结束日期（{req_end}）",
            )
        ]
    if start and end and end < start:
        errors.setdefault("period_end", []).append(PERIOD_ORDER)
    return errors


# ---------------------------------------------------------------------------- disputes

#: The bodies a dispute reaches and whose decision is recorded (``escalation_level``,
#: ``decided_by_body``): 2016 art. 12(3) the authority and the joint conference; 2025 art. 28
#: the authority, the common upper authority and the people's government.
DISPUTE_BODIES: dict[str, tuple[str, str]] = {
    "authority": ("the sharing authority", "共享主管部门"),
    "joint_conference": ("the joint conference", "部际联席会议"),
    "upper_authority": ("the common upper sharing authority", "共同上级共享主管部门"),
    "government": ("the people's government", "本级人民政府"),
}
#: Longest upper platform name or URL, and referral document number, a referral takes.
PLATFORM_LENGTH = 500
REFERENCE_LENGTH = 100

NO_UPPER_PLATFORM = message(
    "Name the upper platform the dispute is referred to (upper_platform: its name or address)",
    "请填写移送的上级平台（upper_platform：平台名称或地址）",
)
NO_REFERENCE = message(
    "Give the referral's document number (reference)", "请填写移送文书的文号（reference）"
)
NOT_A_REFERRAL = message(
    "Only a cross-level or cross-region dispute is referred to the common upper authority "
    "(art. 28); this one goes to the people's government: leave the referral out",
    "只有跨层级、跨地区的争议移送共同上级共享主管部门（第二十八条），本争议报请本级人民政府决定，无需填写移送信息",
)


def cross_level(code_a: str | None, code_b: str | None) -> bool:
    """Two departments of different administrative levels or regions (2025 art. 28): their
    division codes (GB/T 2260, organization field ``region_code``) differ. A department
    without a code is taken to be of the same level and region (not cross-level)."""
    a, b = (code_a or "").strip(), (code_b or "").strip()
    return bool(a and b and a != b)


def referral_errors(data: Mapping[str, Any], *, to_upper: bool) -> Errors:
    """The referral of a dispute to the common upper authority (2025 art. 28): the upper
    platform and the document number are required when the step goes there, and out of place
    when it does not."""
    fields = ("upper_platform", "reference", "note")
    if not to_upper:
        return {f: [NOT_A_REFERRAL] for f in fields if data.get(f)}
    errors: Errors = {}
    if not data.get("upper_platform"):
        errors["upper_platform"] = [NO_UPPER_PLATFORM]
    if not data.get("reference"):
        errors["reference"] = [NO_REFERENCE]
    return errors


def body_errors(given: str | None, level: str | None) -> Errors:
    """``decided_by_body`` names the body the dispute is before (or is left out)."""
    if not given or given == level:
        return {}
    en, zh = DISPUTE_BODIES.get(level or "", ("no body", "无"))
    return {
        "decided_by_body": [
            message(
                f"This dispute is before {en}: enter that body's decision",
                f"本争议由{zh}处理，请录入其决定",
            )
        ]
    }
