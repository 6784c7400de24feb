"""Where a department stands on an entry (issue 19, item 3): its open request, its grant, and
why nothing can be downloaded, so the entry page says so and offers only what fits.

Plain Python over the API's answers (``govshare_request_list``, ``govshare_grant_list``:
dates as ISO text), so the rules are unit-tested directly; ``access.panel`` asks the actions
and calls :func:`standing`.

- A request someone still has to act on (``workflow.OPEN_STATES``) is *open*: it is shown
  with its status, due date and link, and no second request is offered (art. 12(2); the
  action refuses one too, ``rules.duplicate_errors``).
- A grant is *live* on the days of its period while active (``rules.grant_live``, art. 14);
  *pending* while active before its first day (not yet in effect); *suspended* (2025 art. 27)
  until resumed; *ended* when expired, revoked or terminated. While a grant is live, pending
  or suspended, the department holds one: no request is offered either.
- Nothing can be downloaded under a grant whose download limit is used up, that is not yet
  in effect, suspended or ended; the page then says why and shows no download button.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.messages import message
from . import rules, workflow
from .codes import (
    GRANT_ACTIVE,
    GRANT_REVOKED,
    GRANT_SUSPENDED,
    GRANT_TERMINATED,
)

__all__ = [
    "ENDED",
    "LIMIT_USED",
    "LIVE",
    "NONE",
    "PENDING",
    "SUSPENDED",
    "Standing",
    "calls_left",
    "downloadable",
    "grant_state",
    "reason",
    "scope",
    "standing",
]

# What a department's grant on the entry lets it do, best first.
LIVE = "live"  # live, downloads left (or no limit)
LIMIT_USED = "limit_used"  # live, but its download limit is used up
PENDING = "pending"  # active, its period not begun: not yet in effect
SUSPENDED = "suspended"  # 2025 art. 27: suspended pending rectification
ENDED = "ended"  # expired, revoked, terminated (or active past its last day)
NONE = "none"  # no grant at all

#: Grant states under which the department holds the entry's data (or will, or may again
#: once rectified): no new request is offered.
HOLDING = frozenset({LIVE, LIMIT_USED, PENDING, SUSPENDED})

_ORDER = {LIVE: 0, LIMIT_USED: 1, PENDING: 2, SUSPENDED: 3, ENDED: 4}


def _day(value: Any) -> dt.date | None:
    """A date from an API answer (``YYYY-MM-DD`` or an ISO timestamp), or a date itself."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def grant_state(grant: Mapping[str, Any], today: dt.date) -> str:
    """One grant's state for its holder on ``today`` (one of the constants above)."""
    status = grant.get("status")
    first, last = _day(grant.get("period_start")), _day(grant.get("period_end"))
    if status == GRANT_SUSPENDED:
        return SUSPENDED
    if status != GRANT_ACTIVE or first is None or last is None or last < today:
        return ENDED
    if today < first:
        return PENDING
    left = grant.get("downloads_left")
    if grant.get("max_downloads") is not None and left is not None and int(left) <= 0:
        return LIMIT_USED
    return LIVE


def _sort_key(grant: Mapping[str, Any], state: str) -> tuple[Any, ...]:
    """Best grant first; among live ones the one ending last, among pending ones the one
    starting first, among ended ones the latest to end."""
    start = _day(grant.get("period_start")) or dt.date.min
    end = _ended_on(grant) or dt.date.min
    if state in (LIVE, LIMIT_USED, SUSPENDED):
        return (_ORDER[state], -end.toordinal(), str(grant.get("id")))
    if state == PENDING:
        return (_ORDER[state], start.toordinal(), str(grant.get("id")))
    return (_ORDER[state], -end.toordinal(), str(grant.get("id")))


def _ended_on(grant: Mapping[str, Any]) -> dt.date | None:
    """The day a grant ended (or ends): revoked or terminated on that day, else its last day."""
    status = grant.get("status")
    if status == GRANT_REVOKED and grant.get("revoked_at"):
        return _day(grant.get("revoked_at"))
    if status == GRANT_TERMINATED and grant.get("terminated_at"):
        return _day(grant.get("terminated_at"))
    return _day(grant.get("period_end"))


def reason(grant: Mapping[str, Any] | None, state: str) -> str | None:
    """Why nothing can be downloaded under ``grant`` (bilingual), or ``None`` when it can."""
    if grant is None or state in (LIVE, NONE):
        return None
    if state == LIMIT_USED:
        limit = grant.get("max_downloads")
        return message(
            f"The download limit of the grant is used up ({limit} of {limit} downloads): "
            "nothing more can be downloaded under it",
            f"该授权的下载次数已用完（{limit}次，已全部使用），不能再下载",
        )
    if state == PENDING:
        start = str(grant.get("period_start") or "")[:10]
        return message(
            f"The grant takes effect on {start}: nothing can be downloaded before then",
            f"该授权自{start}起生效，生效前不能下载",
        )
    if state == SUSPENDED:
        return message(*rules.suspension_texts(grant))
    ended = _ended_on(grant)
    day = ended.isoformat() if ended else "-"
    status = grant.get("status")
    why = str(grant.get("revoke_reason") or grant.get("terminate_reason") or "").strip()
    if status == GRANT_REVOKED:
        return message(
            f"The grant was revoked on {day}" + (f": {why}" if why else ""),
            f"该授权已于{day}撤销" + (f"：{why}" if why else ""),
        )
    if status == GRANT_TERMINATED:
        return message(
            f"Sharing under the grant was terminated on {day}" + (f": {why}" if why else ""),
            f"该授权已于{day}终止共享" + (f"：{why}" if why else ""),
        )
    # expired (by the reminder job) or active past its last day (not yet marked expired)
    return message(
        f"The grant ended on {day}: apply again to use the data further",
        f"该授权已于{day}到期，如需继续使用请重新申请",
    )


def scope(grant: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    """What ``grant`` covers of ``entry`` (art. 14): ``resources`` (names; ``None``: all of
    them), ``resources_total``, ``data_items`` (``None``: all), ``data_items_total``, ``rows``
    (``{"column", "values"}``; ``None``: every row)."""
    names = {
        str(r.get("id")): str(r.get("name") or r.get("id")) for r in entry.get("resources") or []
    }
    granted = grant.get("resource_ids")
    resources = None if granted is None else [names.get(str(i), str(i)) for i in granted]
    items = grant.get("data_items")
    row_filter = grant.get("row_filter") or None
    rows = None
    if isinstance(row_filter, Mapping) and row_filter.get("column"):
        rows = {
            "column": str(row_filter["column"]),
            "values": [str(v) for v in row_filter.get("values") or []],
        }
    return {
        "resources": resources,
        "resources_total": len(names),
        "data_items": None if items is None else [str(i) for i in items],
        "data_items_total": len(entry.get("data_items") or []),
        "rows": rows,
    }


def calls_left(grant: Mapping[str, Any], calls_today: int | None) -> int | None:
    """Service-interface calls left today under a daily quota; ``None``: no quota (or no
    count)."""
    quota = grant.get("max_calls_per_day")
    if quota is None or calls_today is None:
        return None
    return max(int(quota) - int(calls_today), 0)


@dataclass
class Standing:
    """One department's standing on the entry."""

    department: Mapping[str, Any]
    #: the open request (newest), as ``govshare_request_list`` answers it; ``None``: none
    request: Mapping[str, Any] | None = None
    #: every other open request of the department on the entry (rare: made before the rule)
    more_requests: list[Mapping[str, Any]] = field(default_factory=list)
    #: the grant the page shows (best first); ``None``: none ever
    grant: Mapping[str, Any] | None = None
    state: str = NONE
    #: why nothing can be downloaded (bilingual), ``None`` when it can or there is no grant
    reason: str | None = None
    scope: dict[str, Any] | None = None
    #: live grants with downloads left, best first
    usable: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def may_apply(self) -> bool:
        """No open request and no grant held (live, limit used, pending or suspended)."""
        return self.request is None and self.state not in HOLDING

    def as_dict(self) -> dict[str, Any]:
        return {
            "department": dict(self.department),
            "request": dict(self.request) if self.request else None,
            "more_requests": [dict(r) for r in self.more_requests],
            "grant": dict(self.grant) if self.grant else None,
            "state": self.state,
            "reason": self.reason,
            "scope": self.scope,
            "may_apply": self.may_apply,
        }


def standing(
    entry: Mapping[str, Any],
    departments: Sequence[Mapping[str, Any]],
    requests: Iterable[Mapping[str, Any]],
    grants: Iterable[Mapping[str, Any]],
    today: dt.date,
) -> list[Standing]:
    """Each department's standing on ``entry`` (``departments``: the user's, not the
    provider), from the requests and grants the user sees on it."""
    requests, grants = list(requests), list(grants)
    found = []
    for department in departments:
        org = department["id"]
        own = [
            r
            for r in requests
            if r.get("requesting_org_id") == org
            and r.get("package_id") == entry.get("id")
            and r.get("status") in workflow.OPEN_STATES
        ]
        own.sort(key=lambda r: str(r.get("submitted_at") or r.get("created") or ""), reverse=True)
        held = [
            (g, grant_state(g, today))
            for g in grants
            if g.get("requesting_org_id") == org and g.get("package_id") == entry.get("id")
        ]
        held.sort(key=lambda pair: _sort_key(*pair))
        one = Standing(department=department, request=own[0] if own else None)
        one.more_requests = own[1:]
        if held:
            grant, state = held[0]
            one.grant, one.state = grant, state
            one.reason = reason(grant, state)
            one.scope = scope(grant, entry)
        one.usable = [g for g, state in held if state == LIVE]
        found.append(one)
    return found


def downloadable(standings: Iterable[Standing], entry: Mapping[str, Any]) -> dict[str, Any]:
    """For each of the entry's resources, the live grant with downloads left that covers it
    (the best of any of the user's departments); a resource no such grant covers is absent."""
    result: dict[str, Any] = {}
    for one in standings:
        for grant in one.usable:
            covered = grant.get("resource_ids")
            for res in entry.get("resources") or []:
                rid = str(res.get("id"))
                if rid not in result and (covered is None or rid in covered):
                    result[rid] = dict(grant)
    return result
