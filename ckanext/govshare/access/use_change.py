"""Use changes (2025 Regulations art. 25): wider use, another purpose or passing data to a third
party needs the provider's consent.

A member of the holding department asks with ``govshare_use_change_request`` on a live grant:
a request of kind ``use_change`` (``grant_id``, ``use_change``) is made through the one way
requests are made (``requests.create_request``), so it takes the path of a conditional
request — sign-off where the profile asks for it, submitted, the provider's clock, approve /
reject / return through ``govshare_request_decide``. Its scope is the grant's, widened by what
the change asks for (never beyond what the entry shares on conditions), its purpose the new
one, its period from today to the grant's last day (or the one asked for). An approval makes
a new grant (source ``use_change``, ``third_party`` named; ``grants.grant_from_request``) and
leaves the original grant as it is: it still covers the original use. A rejection changes
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ..core import clock
from ..core.membership import Person
from ..core.messages import field_errors, message
from ..core.serialise import plain
from . import codes, present, rules
from .grants import NO_SUCH_GRANT, load_grant
from .model import request_table
from .requests import create_request

__all__ = ["NOTHING_WIDER", "check_use_change", "of_grant", "request_use_change"]

NOTHING_WIDER = message(
    "The grant already covers every resource and data item named: a wider scope names "
    "something it does not cover yet",
    "所列资源和信息项均已在授权范围内：扩大使用范围须列明授权尚未包含的资源或信息项",
)
SAME_PURPOSE = message(
    "The grant is already for this purpose: name another one", "授权用途已是该用途，请填写新的用途"
)


def _not_live(grant: Mapping[str, Any]) -> str:
    if rules.grant_suspended(grant):
        return message(*rules.suspension_texts(grant))
    return message(
        "The grant is not live (expired, revoked, terminated or not begun): its use cannot change",
        "该授权已失效或尚未生效，不能申请变更使用",
    )


def _outside(field: str, asked: Sequence[str], allowed: Sequence[str]) -> dict[str, list[str]]:
    unknown = [v for v in asked if v not in allowed]
    if not unknown:
        return {}
    return {
        field: [
            message(
                f"Not shared by this entry on conditions: {', '.join(unknown)}. Choose among: "
                f"{', '.join(allowed) or '-'}",
                f"不属于该信息资源可共享的范围：{'、'.join(unknown)}。"
                f"可选：{'、'.join(allowed) or '无'}",
            )
        ]
    }


def check_use_change(
    entry: Mapping[str, Any],
    grant: Mapping[str, Any],
    data: Mapping[str, Any],
    today: dt.date,
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """The change against the grant and its entry (art. 25): the errors by field, and the
    request's scope, purpose and period. A wider scope stays within what the entry shares
    (unconditional and conditional items: not-shared ones take the negotiation path)."""
    kinds = list(data.get("kinds") or [])
    errors: dict[str, list[str]] = {}
    all_resources = rules.resource_ids(entry)
    shareable = rules.item_names(entry, ("unconditional", "conditional"))
    resources = list(grant.get("resource_ids") or all_resources)
    items = list(grant.get("data_items") or rules.item_names(entry))
    added_resources: list[str] = []
    added_items: list[str] = []
    if "scope" in kinds:
        wanted_resources = list(data.get("resource_ids") or [])
        wanted_items = list(data.get("data_items") or [])
        errors.update(_outside("resource_ids", wanted_resources, all_resources))
        errors.update(_outside("data_items", wanted_items, shareable))
        added_resources = [r for r in wanted_resources if r not in resources]
        added_items = [i for i in wanted_items if i not in items]
        if not errors and not added_resources and not added_items:
            errors["resource_ids"] = [NOTHING_WIDER]
    purpose = grant["purpose"]
    if "purpose" in kinds:
        if data.get("purpose") == grant["purpose"]:
            errors["purpose"] = [SAME_PURPOSE]
        purpose = data.get("purpose") or purpose
    end = data.get("period_end") or grant["period_end"]
    if end < today:
        errors["period_end"] = [rules.PERIOD_PAST]
    scope = {
        "resource_ids": resources + added_resources,
        "data_items": items + added_items,
        "added_resource_ids": added_resources,
        "added_data_items": added_items,
        "purpose": purpose,
        "period_end": end,
    }
    return errors, scope


def request_use_change(
    entry: Mapping[str, Any], person: Person, data: Mapping[str, Any]
) -> dict[str, Any]:
    """A use-change request on the live grant ``data["grant_id"]`` of the caller's department
    (art. 25), made as a conditional request is (its notices, sign-off, clock)."""
    grant = load_grant(data["grant_id"], for_update=True)
    if grant is None:
        raise tk.ObjectNotFound(NO_SUCH_GRANT)
    today = clock.today()
    if not rules.grant_live(grant, today):
        raise tk.ValidationError({"grant_id": [_not_live(grant)]})
    errors, scope = check_use_change(entry, grant, data, today)
    if errors:
        raise field_errors(tk.ValidationError, errors)
    kinds = list(data["kinds"])
    change = {
        "kinds": kinds,
        "reason": data["reason"],
        "third_party": data.get("third_party") if "third_party" in kinds else None,
        "added_resource_ids": scope["added_resource_ids"],
        "added_data_items": scope["added_data_items"],
        "from": {
            "purpose": grant["purpose"],
            "purpose_detail": grant["purpose_detail"],
            "resource_ids": grant.get("resource_ids"),
            "data_items": grant.get("data_items"),
            "period_end": plain(grant["period_end"]),
        },
    }
    values = {
        "requesting_org": grant["organization_id"],
        "purpose": scope["purpose"],
        "purpose_detail": data.get("purpose_detail") or data["reason"],
        "scenario": None,
        "basis": data["reason"],
        "resource_ids": scope["resource_ids"],
        "data_items": scope["data_items"],
        "share_method": grant.get("share_method"),
        "period_start": today,
        "period_end": scope["period_end"],
        "expected_calls_per_day": grant.get("max_calls_per_day"),
        "pledge": True,
        "grant_id": grant["id"],
        "use_change": change,
    }
    owner = {"id": grant["package_id"], "owner_org": grant["provider_org_id"]}
    return create_request(owner, person, values, kind=codes.KIND_USE_CHANGE)


def of_grant(grant_id: str) -> list[dict[str, Any]]:
    """The use-change requests on a grant, newest first (the grant page; those who see the
    grant see them: the holder, the provider's officers, the authority, sysadmins)."""
    c = request_table.c
    rows = model.Session.execute(
        sa.select(request_table)
        .where(c.grant_id == grant_id, c.kind == codes.KIND_USE_CHANGE)
        .order_by(c.submitted_at.desc(), c.id)
    ).all()
    return present.request_dicts([dict(r._mapping) for r in rows])
