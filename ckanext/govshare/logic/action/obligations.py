"""Catalogue-maintenance obligations (art. 8, issue 8): a department updates its catalogue
within 15 working days after a law is revised or its functions change.

Each action checks access first (a refusal is audited), validates its input (errors in both
languages), then writes through ``obligations/service.py`` in one transaction with the audit
event and the notices.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ... import tracked
from ...core import clock
from ...core.membership import Person, authority_org_id
from ...core.messages import message
from ...core.transaction import atomic
from ...obligations import rules, service
from ...obligations.model import obligation_table
from .. import loading
from ..guard import lookup_key
from ..schema import feedback as schema
from ..schema.fields import validate

__all__ = [
    "govshare_obligation_create",
    "govshare_obligation_discharge",
    "govshare_obligation_list",
    "govshare_obligation_show",
]

NOT_FOUND = message("No such obligation", "目录更新任务不存在")
NOT_A_DEPARTMENT = message("No such department", "部门不存在")


def _with_obligation(
    context: Any, data_dict: Any, auth: str, *, lock: bool = False
) -> dict[str, Any]:
    return loading.load_checked(
        auth,
        context,
        data_dict,
        load=service.load,
        object_type="obligation",
        department=lambda obligation: obligation["organization_id"],
        not_found=NOT_FOUND,
        lock=lock,
    )


@atomic
def govshare_obligation_create(context: Any, data_dict: Any) -> dict[str, Any]:
    """Record that a department must update its catalogue (art. 8); due 15 working days
    (``ckanext.govshare.deadline.catalogue_update``) after the change took effect.

    By the sharing authority or the department's data officer.

    :param organization: the department (id or name)
    :param kind: law_revised | functions_changed | other
    :param description: which law or which functions, and what it means for the catalogue
    :param effective_date: the day the change took effect (YYYY-MM-DD)
    :returns: the obligation, with ``id``, ``state`` (open) and ``due_date``
    """
    org = model.Group.get(lookup_key((data_dict or {}).get("organization")))
    loading.check(
        "govshare_obligation_create",
        context,
        data_dict,
        object_type="organization",
        object_id=org.id if org else None,
        department=org.id if org else None,
    )
    data, schema_errors = tk.navl_validate(
        dict(data_dict or {}), schema.obligation_create_schema(), context
    )
    errors: dict[str, list[str]] = {k: list(v) for k, v in schema_errors.items() if v}
    data = {k: v for k, v in data.items() if k not in errors}  # refused values go no further
    if "organization" not in errors and (
        org is None or not org.is_organization or org.state != "active"
    ):
        errors["organization"] = [NOT_A_DEPARTMENT]
    if errors:
        raise tk.ValidationError(errors)
    person = Person.of(context)
    acting = (
        org.id
        if org.id in person.officer_of
        else (authority_org_id() if person.authority else None)
    )
    obligation = service.create(
        organization_id=org.id,
        kind=data["kind"],
        description=data["description"],
        effective_date=data["effective_date"],
        user_id=person.id or "",
        user_name=person.name or "",
        acting_department=acting,
    )
    return service.as_dict(obligation)


@tk.side_effect_free
def govshare_obligation_show(context: Any, data_dict: Any) -> dict[str, Any]:
    """One obligation; visible to the department's members, the sharing authority and
    sysadmins. ``may_discharge`` says whether the caller may discharge it.

    :param id: the obligation's id
    """
    obligation = _with_obligation(context, data_dict, "govshare_obligation_show")
    result = service.as_dict(obligation)
    result["may_discharge"] = obligation["state"] == rules.OPEN and rules.may_discharge(
        Person.of(context), obligation
    )
    return result


@tk.side_effect_free
def govshare_obligation_list(context: Any, data_dict: Any) -> dict[str, Any]:
    """Obligations of the caller's departments (all of them, for the authority and sysadmins).

    :param organization: only this department's (id or name)
    :param state: open | discharged
    :param overdue: true: only open obligations past their due date
    :param limit: page size (default 50, at most 1000)
    :param offset: obligations to skip
    :returns: ``{"count", "results", "limit", "offset"}``; open ones first, by due date
    """
    tk.check_access("govshare_obligation_list", context, data_dict)
    data = validate(data_dict or {}, schema.obligation_list_schema(), context)
    person = Person.of(context)
    c = obligation_table.c
    conditions = (
        [sa.true()]
        if person.sysadmin or person.authority
        else [c.organization_id.in_(sorted(person.orgs))]
    )
    if data.get("organization"):
        org = model.Group.get(data["organization"])
        conditions.append(c.organization_id == (org.id if org else data["organization"]))
    conditions += tracked.filters(obligation_table, data, clock.today())
    return tracked.page(obligation_table, conditions, data, service.as_dicts)


@atomic
def govshare_obligation_discharge(context: Any, data_dict: Any) -> dict[str, Any]:
    """The department's data officer reports the catalogue updated (art. 8), listing the
    entries reviewed or changed.

    :param id: the obligation
    :param entries: ids or names of the department's entries reviewed or changed (list)
    :param note: what was done (optional)
    :returns: the obligation, ``discharged``
    """
    obligation = _with_obligation(context, data_dict, "govshare_obligation_discharge", lock=True)
    data, schema_errors = tk.navl_validate(
        dict(data_dict), schema.obligation_discharge_schema(), context
    )
    errors: dict[str, list[str]] = {k: list(v) for k, v in schema_errors.items() if v}
    data = {k: v for k, v in data.items() if k not in errors}  # refused values go no further
    entries = []
    for value in data.get("entries") or []:
        pkg = model.Package.get(value)
        entries.append(pkg.id if pkg is not None else value)
    for field, messages in rules.check_discharge(
        obligation, entries, service.catalogue_ids(obligation["organization_id"])
    ).items():
        errors.setdefault(field, messages)
    if errors:
        raise tk.ValidationError(errors)
    person = Person.of(context)
    updated = service.discharge(
        obligation,
        entries=entries,
        note=(data.get("note") or "").strip() or None,
        user_id=person.id or "",
        user_name=person.name or "",
    )
    return service.as_dict(updated)
