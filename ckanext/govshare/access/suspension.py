"""Suspending, resuming and terminating a grant (2025 Regulations art. 27).

On use beyond the granted scope or purpose, or passing data to a third party, the sharing
authority or the provider suspends the holder's sharing rights and orders rectification by a
date (``rectify_by``); failing that, sharing may end. While a grant is ``suspended`` it is not
live (``rules.LIVE_GRANT``), so every delivery method refuses, and says why with the reason
and the date (``rules.suspension_texts``; reason code ``suspended``). Its tokens and batch
exchange subscriptions are left as they are: resumed, the grant (and they) work again.
Terminating ends the grant for good: its tokens stop (the grant is not live), the action
stops its subscriptions, and the holder's disposal clock starts (``disposal_due``).

Every change is written through ``model.Session`` in the action's transaction with its audit
event and the holders' notices. Under a profile without the ``suspension`` rule (the 2016
Measures) each step is refused with a 409 naming the profile (:func:`require`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import notices, profiles
from ..core import clock
from ..core.membership import Person, authority_org_id
from ..core.messages import message
from ..core.serialise import plain
from . import codes, deadlines, rules
from .grants import NO_SUCH_GRANT, _grant_params, load_grant
from .model import grant_table
from .transitions import audit, people

__all__ = [
    "NOT_ACTIVE",
    "NOT_SUSPENDED",
    "NOT_TERMINABLE",
    "acting_department",
    "needs_filing",
    "off_message",
    "require",
    "resume",
    "suspend",
    "suspended_for",
    "terminate",
]

NOT_ACTIVE = message(
    "Only an active grant can be suspended (this one is not active)",
    "只有有效的授权才能暂停（该授权当前不是有效状态）",
)
NOT_SUSPENDED = message(
    "Only a suspended grant can be resumed (this one is not suspended)",
    "只有已暂停的授权才能恢复（该授权未处于暂停状态）",
)
NOT_TERMINABLE = message(
    "Only an active or suspended grant can be terminated (this one has already ended)",
    "只有有效或已暂停的授权才能终止（该授权已结束）",
)
PERIOD_OVER = message(
    "The grant's period of use has ended: there is nothing left to suspend",
    "该授权的使用期限已届满，无需暂停",
)

#: What each rule of this module is called in a refusal (the profile's article says where).
_RULE_TEXT = {
    "suspension": ("Suspending, resuming and terminating a grant", "暂停、恢复和终止共享授权"),
    "use_change": ("A use-change request", "变更使用范围、用途或向第三方提供的申请"),
}


def off_message(rule: str) -> str:
    """The refusal of a step whose rule the profile in force does not have (a 409)."""
    en, zh = _RULE_TEXT.get(rule, (rule, rule))
    profile = profiles.name()
    return message(
        f"{en} is a step of the 2025 Regulations; the rule profile in force ({profile}) has no "
        "such step",
        f"{zh}是《政务数据共享条例》规定的环节，当前规则配置（{profile}）不含此环节",
    )


def require(rule: str, field: str = "id") -> None:
    """Refuse (409 on ``field``) when the profile in force does not have ``rule``."""
    if not profiles.on(rule):
        raise tk.ValidationError({field: [off_message(rule)]})


def acting_department(person: Person | None, grant: Mapping[str, Any]) -> str | None:
    """The department a suspension, resumption or termination is taken for: the provider
    when the person is its data officer, else the sharing authority."""
    if person is None:
        return None
    if grant["provider_org_id"] in person.officer_of:
        return grant["provider_org_id"]
    if person.authority:
        return authority_org_id()
    return None


def needs_filing(person: Person, grant: Mapping[str, Any], today: dt.date) -> bool:
    """Whether terminating needs a service filing that covers the grant (art. 27: a provider
    may end a service only after consulting the holder and filing with the authority): the
    provider's own termination, under the ``service_filing`` rule — not the authority's (or a
    sysadmin's), and not the end of a suspension whose date to rectify by has passed."""
    if not profiles.on("service_filing"):
        return False
    if person.sysadmin or person.authority:
        return False
    unrectified = (
        grant.get("status") == codes.GRANT_SUSPENDED
        and grant.get("rectify_by") is not None
        and grant["rectify_by"] < today
    )
    return not unrectified


def _write(grant_id: str, values: Mapping[str, Any]) -> None:
    model.Session.execute(
        sa.update(grant_table).where(grant_table.c.id == grant_id).values(**values)
    )


def _locked(grant_id: str) -> dict[str, Any]:
    grant = load_grant(grant_id, for_update=True)
    if grant is None:
        raise tk.ObjectNotFound(NO_SUCH_GRANT)
    return grant


def _tell(kind: str, grant: Mapping[str, Any], person: Person | None, **extra: Any) -> None:
    """The holders are told; the provider's data officers too when the authority acted."""
    recipients = set(people(grant["organization_id"]))
    if person is not None and grant["provider_org_id"] not in person.officer_of:
        recipients |= set(people(grant["provider_org_id"], officers=True))
    notices.notify(
        kind,
        recipients=sorted(recipients),
        key=f"{kind}:{grant['id']}:{plain(clock.now())}",
        params=_grant_params(grant, **extra),
    )


def suspend(grant_id: str, person: Person, reason: str, rectify_by: dt.date) -> dict[str, Any]:
    """Suspend an active grant pending rectification by ``rectify_by`` (art. 27): it stops
    delivering at once, by every method, with ``reason``; its holders are told."""
    grant = _locked(grant_id)
    if grant["status"] != codes.GRANT_ACTIVE:
        raise tk.ValidationError({"id": [NOT_ACTIVE]})
    if grant["period_end"] < clock.today():
        raise tk.ValidationError({"id": [PERIOD_OVER]})
    values = {
        "status": codes.GRANT_SUSPENDED,
        "suspended_at": clock.now(),
        "suspended_by": person.id,
        "suspend_reason": reason,
        "rectify_by": rectify_by,
    }
    _write(grant["id"], values)
    updated = {**grant, **values}
    audit(
        "govshare_grant_suspend",
        person,
        actor_department=acting_department(person, grant),
        object_type="grant",
        object_id=grant["id"],
        object_department=grant["provider_org_id"],
        detail={
            "holder": grant["organization_id"],
            "reason": reason,
            "rectify_by": plain(rectify_by),
        },
    )
    _tell("grant_suspended", updated, person, reason=reason, rectify_by=rectify_by)
    return updated


def resume(grant_id: str, person: Person, reason: str) -> dict[str, Any]:
    """Lift a suspension (art. 27: rectified): the grant is active again — its tokens and
    subscriptions work again — or, when its period ended meanwhile, expired (its disposal
    clock starts)."""
    grant = _locked(grant_id)
    if grant["status"] != codes.GRANT_SUSPENDED:
        raise tk.ValidationError({"id": [NOT_SUSPENDED]})
    today, at = clock.today(), clock.now()
    values: dict[str, Any] = {"resumed_at": at}
    if grant["period_end"] >= today:
        values["status"] = codes.GRANT_ACTIVE
    else:
        values.update(
            status=codes.GRANT_EXPIRED, expired_at=at, disposal_due=deadlines.disposal_due(today)
        )
    _write(grant["id"], values)
    updated = {**grant, **values}
    audit(
        "govshare_grant_resume",
        person,
        actor_department=acting_department(person, grant),
        object_type="grant",
        object_id=grant["id"],
        object_department=grant["provider_org_id"],
        detail={
            "holder": grant["organization_id"],
            "reason": reason,
            "status": values["status"],
            "suspended_at": plain(grant.get("suspended_at")),
        },
    )
    _tell("grant_resumed", updated, person, reason=reason)
    return updated


def terminate(
    grant_id: str, person: Person, reason: str, *, filing_id: str | None = None
) -> dict[str, Any]:
    """End an active or suspended grant for good (art. 27): no method delivers any more, and
    the holder must dispose of the data by ``disposal_due``. The caller has checked the
    service filing (:func:`needs_filing`) and stops the grant's subscriptions."""
    grant = _locked(grant_id)
    if grant["status"] not in (codes.GRANT_ACTIVE, codes.GRANT_SUSPENDED):
        raise tk.ValidationError({"id": [NOT_TERMINABLE]})
    today = clock.today()
    values = {
        "status": codes.GRANT_TERMINATED,
        "terminated_at": clock.now(),
        "terminated_by": person.id,
        "terminate_reason": reason,
        "disposal_due": deadlines.disposal_due(today),
    }
    _write(grant["id"], values)
    updated = {**grant, **values}
    audit(
        "govshare_grant_terminate",
        person,
        actor_department=acting_department(person, grant),
        object_type="grant",
        object_id=grant["id"],
        object_department=grant["provider_org_id"],
        detail={
            "holder": grant["organization_id"],
            "reason": reason,
            "from": grant["status"],
            "filing_id": filing_id,
            "disposal_due": plain(values["disposal_due"]),
        },
    )
    _tell("grant_terminated", updated, person, reason=reason)
    return updated


def suspended_for(
    org_ids: Iterable[str],
    package_id: str,
    resource_id: str | None,
    on: dt.date | None = None,
    *,
    accept: Callable[[Mapping[str, Any]], bool] | None = None,
) -> dict[str, Any] | None:
    """A suspended grant of ``org_ids`` on the entry whose period covers ``on`` and that
    covers ``resource_id`` (any resource when None) and that ``accept`` accepts (e.g. one
    serving the interface): what a delivery that found no live grant names as the reason it
    refuses (art. 27)."""
    orgs = sorted(set(org_ids))
    if not orgs:
        return None
    day = on or clock.today()
    c = grant_table.c
    rows = model.Session.execute(
        sa.select(grant_table)
        .where(
            c.organization_id.in_(orgs),
            c.package_id == package_id,
            c.status == codes.GRANT_SUSPENDED,
            c[rules.LIVE_GRANT.first_day] <= day,
            c[rules.LIVE_GRANT.last_day] >= day,
        )
        .order_by(c.suspended_at.desc(), c.id)
    ).all()
    for row in rows:
        grant = dict(row._mapping)
        allowed = grant.get("resource_ids")
        covers = resource_id is None or not allowed or resource_id in allowed
        if covers and (accept is None or accept(grant)):
            return grant
    return None
