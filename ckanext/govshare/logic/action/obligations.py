"""Catalogue-maintenance obligations (art. 8, issue 8): a department updates its catalogue
within 15 working days after a law is revised or its functions change.

Each action validates its input (``@validate``: errors in English and Chinese), checks access
(a refusal is audited, ``logic.loading``), then calls one function of
``obligations/service.py``, which writes in the action's one transaction with the audit event
and the notices. Names follow docs/api.md, "Conventions"; the old ones keep working for one
release (``core.vocabulary.renamed``), and each answer keeps its old keys beside the new ones.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...core.membership import Person
from ...core.messages import message
from ...core.transaction import atomic
from ...core.vocabulary import renamed
from ...obligations import service
from .. import loading
from ..schema import feedback as schema

__all__ = [
    "govshare_obligation_create",
    "govshare_obligation_discharge",
    "govshare_obligation_list",
    "govshare_obligation_show",
]

NOT_FOUND = message("No such obligation", "目录更新任务不存在")


def _with_obligation(
    context: Context, data_dict: DataDict, auth: str, *, lock: bool = False
) -> dict[str, Any]:
    """The obligation named by ``id`` once the caller may act on it (a refusal recorded
    against its department), locked for a change."""
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


@renamed(params={"organization": "provider_org"}, answer_keys=service.OLD_KEYS)
@validate(schema.obligation_create_schema)
@atomic
def govshare_obligation_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record that a department must update its catalogue (art. 8); due 15 working days
    (``ckanext.govshare.deadline.catalogue_update``) after the change took effect.

    By the sharing authority or the department's data officer.

    :param provider_org: the department (id or name; was ``organization``)
    :param kind: law_revised | functions_changed | other
    :param description: which law or which functions, and what it means for the catalogue
    :param effective_date: the day the change took effect (YYYY-MM-DD)
    :returns: the obligation, with ``id``, ``status`` (open) and ``due_date``
    """
    org = service.department(data_dict["provider_org"])
    loading.check(
        "govshare_obligation_create",
        context,
        data_dict,
        object_type="organization",
        object_id=org.id if org else None,
        department=org.id if org else None,
    )
    return service.as_dict(service.record(org, Person.of(context), data_dict))


@renamed(answer_keys=service.OLD_KEYS)
@tk.side_effect_free
@validate(schema.id_schema)
def govshare_obligation_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One obligation; visible to the department's members, the sharing authority and
    sysadmins (art. 8). ``may_discharge`` says whether the caller may discharge it.

    :param id: the obligation's id
    """
    obligation = _with_obligation(context, data_dict, "govshare_obligation_show")
    return service.shown(obligation, Person.of(context))


@renamed(params={"organization": "provider_org", "state": "status"}, answer_keys=service.OLD_KEYS)
@tk.side_effect_free
@validate(schema.obligation_list_schema)
def govshare_obligation_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Obligations of the caller's departments (all of them, for the authority and sysadmins).

    :param provider_org: only this department's (id or name; was ``organization``)
    :param status: open | discharged, or a list of them (was ``state``)
    :param overdue: true: only open obligations past their due date
    :param limit: page size (default 50, at most 1000)
    :param offset: obligations to skip
    :returns: ``{"count", "results", "limit", "offset"}``; open ones first, by due date
    """
    tk.check_access("govshare_obligation_list", context, data_dict)
    return service.find(Person.of(context), data_dict)


@renamed(params={"note": "reason"}, answer_keys=service.OLD_KEYS)
@validate(schema.obligation_discharge_schema)
@atomic
def govshare_obligation_discharge(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The department's data officer reports the catalogue updated (art. 8), listing the
    entries reviewed or changed.

    :param id: the obligation
    :param entries: ids or names of the department's entries reviewed or changed (list)
    :param reason: what was done (optional; was ``note``)
    :returns: the obligation, ``discharged``
    """
    obligation = _with_obligation(context, data_dict, "govshare_obligation_discharge", lock=True)
    updated = service.discharge(
        obligation,
        Person.of(context),
        entries=data_dict.get("entries") or [],
        reason=data_dict.get("reason"),
    )
    return service.as_dict(updated)
