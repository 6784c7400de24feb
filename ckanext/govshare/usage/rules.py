"""What a holder records of its use of shared data, how it disposes of it, and what a provider
files before ending or changing a service: the pure rules (2025 Regulations art. 27, 29).

No CKAN, Flask or SQLAlchemy here: the service applies these to rows it read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..catalogue.codes import Choice
from ..core.messages import message

__all__ = [
    "DISPOSAL_METHODS",
    "DISPOSAL_METHOD_VALUES",
    "ENDED_GRANT_STATUSES",
    "FILING_END",
    "FILING_KINDS",
    "FILING_KIND_VALUES",
    "KINDS",
    "KIND_DESTRUCTION",
    "KIND_VALUES",
    "LIVE_ONLY_KINDS",
    "archive_due",
    "disposal_problem",
    "filing_problem",
    "label",
    "record_problem",
    "retain_until",
]

#: Art. 29: the requester records the scenario, process, results, storage and destruction of
#: the shared data it uses.
KINDS = (
    Choice("scenario", "Scenario of use", "使用场景"),
    Choice("process", "Process of use", "使用过程"),
    Choice("results", "Results of use", "使用结果"),
    Choice("storage", "Storage", "存储情况"),
    Choice("destruction", "Destruction", "销毁情况"),
)
KIND_VALUES = tuple(c.value for c in KINDS)
KIND_DESTRUCTION = "destruction"
#: Kinds that describe using the data: only while the grant is live. Storage and destruction
#: are recorded after it ends too (what the holder still keeps, and how it disposed of it).
LIVE_ONLY_KINDS = frozenset({"scenario", "process", "results"})

#: Art. 27: how the holder disposed of the data once the grant ended ("as the provider
#: requires").
DISPOSAL_METHODS = (
    Choice("deleted", "Deleted", "已删除"),
    Choice("returned", "Returned to the provider", "已退还提供部门"),
    Choice("archived_per_law", "Archived as the law requires", "依法归档"),
    Choice("other", "Other", "其他方式"),
)
DISPOSAL_METHOD_VALUES = tuple(c.value for c in DISPOSAL_METHODS)

#: Art. 27: a provider ends or changes a sharing service only after consulting the holders and
#: filing with the authority.
FILING_END = "end"
FILING_KINDS = (
    Choice(FILING_END, "End of a sharing service", "终止共享服务"),
    Choice("change", "Change of a sharing service", "变更共享服务"),
)
FILING_KIND_VALUES = tuple(c.value for c in FILING_KINDS)

#: Grant statuses after which there is nothing left to use: the holder disposes (art. 27).
ENDED_GRANT_STATUSES = ("expired", "revoked", "terminated")

GRANT_NOT_LIVE = message(
    "The grant is not live: use (scenario, process, results) is recorded only while it is; "
    "storage and destruction may be recorded after it ends",
    "该授权当前无效：使用场景、过程和结果仅在授权有效期内记录；授权结束后可记录存储和销毁情况",
)
NOT_ENDED = message(
    "The grant has not ended: data is disposed of once it expired, was revoked or terminated",
    "该授权尚未结束：授权到期、被撤销或被终止后方可记录处置",
)
ALREADY_DISPOSED = message(
    "The disposal of this grant's data is already recorded", "该授权的数据处置已记录"
)
FILING_OTHER_PROVIDER = message(
    "The filing is another department's", "该备案不是本授权提供部门的备案"
)
FILING_OTHER_ENTRY = message(
    "The filing is about another entry than the grant's", "该备案所涉目录与本授权不符"
)
FILING_NOT_END = message(
    "The filing is of a change of service, not of its end", "该备案为变更共享服务，而非终止共享服务"
)
FILING_NOT_NAMING = message(
    "The filing does not name this grant (its holder was not consulted)",
    "该备案未列明本授权（未与该需求部门协商）",
)


def label(choices: tuple[Choice, ...], value: str | None) -> dict[str, str] | None:
    """A code's ``<field>_label`` (docs/api.md, "Conventions"); ``None`` for an unknown code."""
    for c in choices:
        if c.value == value:
            return {"en": c.en, "zh_Hans_CN": c.zh}
    return None


def retain_until(recorded_on: dt.date, years: int) -> dt.date:
    """The local date a record is kept until (art. 29: at least ``years`` years): the same day
    ``years`` later, 28 February for a record of 29 February in a year that has none."""
    try:
        return recorded_on.replace(year=recorded_on.year + years)
    except ValueError:
        return recorded_on.replace(year=recorded_on.year + years, day=28)


def archive_due(record: Mapping[str, Any], today: dt.date) -> bool:
    """A record past its retention date and not yet archived (kept, never deleted)."""
    until = record.get("retain_until")
    return bool(record.get("archived_at") is None and until is not None and until < today)


def record_problem(grant: Mapping[str, Any], kind: str, live: bool) -> str | None:
    """Why ``kind`` may not be recorded on ``grant`` now (``live``: the grant is live today);
    ``None`` when it may."""
    if kind in LIVE_ONLY_KINDS and not live:
        return GRANT_NOT_LIVE
    return None


def disposal_problem(grant: Mapping[str, Any]) -> str | None:
    """Why the disposal of ``grant``'s data may not be recorded; ``None`` when it may (art. 27:
    an ended grant, once)."""
    if grant.get("status") not in ENDED_GRANT_STATUSES:
        return NOT_ENDED
    if grant.get("disposed_at") is not None:
        return ALREADY_DISPOSED
    return None


def filing_problem(
    filing: Mapping[str, Any], grant: Mapping[str, Any], today: dt.date
) -> str | None:
    """Why ``filing`` does not cover ending ``grant`` (art. 27: the provider consulted its
    holder and filed the end with the authority); ``None`` when it does.

    It covers the grant when it is the grant's provider's filing of the *end* of a service on
    the grant's entry, names the grant, and has taken effect (``effective_date`` ≤ ``today``).
    """
    if filing.get("provider_org_id") != grant.get("provider_org_id"):
        return FILING_OTHER_PROVIDER
    if filing.get("package_id") != grant.get("package_id"):
        return FILING_OTHER_ENTRY
    if filing.get("kind") != FILING_END:
        return FILING_NOT_END
    if grant.get("id") not in (filing.get("grant_ids") or []):
        return FILING_NOT_NAMING
    effective = filing.get("effective_date")
    if effective is not None and effective > today:
        return message(
            f"The filed end takes effect on {effective.isoformat()}, not before",
            f"备案的终止日期为 {effective.isoformat()}，此前不得终止",
        )
    return None
