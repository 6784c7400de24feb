"""Actions: the sharing authority's catalogue review and the catalogue-update extension
(2025 Regulations art. 13, 16, 17), issue 18.

Each action validates its input (``@validate``: errors in English and Chinese), checks access
first (a refusal is audited, ``logic.loading``), then calls one function of
``review/service.py`` or ``obligations/service.py``, which writes in the action's one
transaction with the audit event and the notices (``core.transaction.atomic``). Under a
profile without the rule (``catalogue_review``, ``catalogue_update_extension``) the actions
that change something answer 409 on ``id``.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ... import profiles
from ...core.membership import Person
from ...core.messages import message
from ...core.transaction import atomic
from ...obligations import service as obligations
from ...review import service
from .. import loading
from ..guard import lookup_key
from ..schema import catalogue_review as schema

__all__ = [
    "govshare_catalogue_review",
    "govshare_catalogue_review_list",
    "govshare_obligation_extend",
    "govshare_obligation_extension_decide",
]

NO_SUCH_ENTRY = message("No such catalogue entry", "目录不存在")
NO_REVIEW_RULE = message(
    "The rule profile in force has no catalogue review by the sharing authority",
    "现行规则下目录无需共享主管部门审核",
)
NO_EXTENSION_RULE = message(
    "The rule profile in force allows no extension of a catalogue update (2025 Regulations "
    "art. 17 does)",
    "现行规则下目录更新不能延期（《政务数据共享条例》第十七条方可延期）",
)
NO_SUCH_OBLIGATION = message("No such obligation", "目录更新任务不存在")


@validate(schema.catalogue_review_schema)
@atomic
def govshare_catalogue_review(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The sharing authority decides a catalogue entry's pending review (2025 art. 16, 17):
    ``approve`` announces it to every department (their data officers are told, "目录已发布");
    ``return`` sends it back to the provider's data officers with the reasons.

    By a member of the sharing authority or a sysadmin.

    :param id: the entry (id or name)
    :param decision: approve | return
    :param reasons: list of texts (1 to 20, required to return; a text a line in a form)
    :returns: the review, ``status`` approved or returned
    """
    package = service.entry(lookup_key(data_dict.get("id")))
    loading.check(
        "govshare_catalogue_review",
        context,
        data_dict,
        object_type="package",
        object_id=package.id if package else None,
        department=package.owner_org if package else None,
    )
    if package is None:
        raise tk.ObjectNotFound(NO_SUCH_ENTRY)
    if not service.active():
        raise tk.ValidationError({"id": [NO_REVIEW_RULE]})
    decided = service.decide(
        package,
        Person.of(context),
        decision=data_dict["decision"],
        reasons=data_dict.get("reasons") or [],
    )
    # The entry's permission labels follow its review: indexed in this transaction.
    service.reindex([package.id])
    return service.as_dicts([decided])[0]


@tk.side_effect_free
@validate(schema.catalogue_review_list_schema)
def govshare_catalogue_review_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Catalogue reviews (2025 art. 16): the sharing authority and sysadmins see all, a
    department its own entries'. Pending first by due date, then the newest.

    :param status: pending | approved | returned | superseded, or a list of them
    :param provider_org: only this department's (id or name)
    :param package_id: only this entry's (id or name)
    :param overdue: true: only pending reviews past their due date
    :param limit: page size (default 50, at most 1000)
    :param offset: reviews to skip
    :returns: ``{"count", "results", "limit", "offset"}``
    """
    tk.check_access("govshare_catalogue_review_list", context, data_dict)
    return service.find(Person.of(context), data_dict)


def _with_obligation(context: Context, data_dict: DataDict, auth: str) -> dict[str, Any]:
    return loading.load_checked(
        auth,
        context,
        data_dict,
        load=obligations.load,
        object_type="obligation",
        department=lambda obligation: obligation["organization_id"],
        not_found=NO_SUCH_OBLIGATION,
        lock=True,
    )


@validate(schema.obligation_extend_schema)
@atomic
def govshare_obligation_extend(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The department's data officer asks the sharing authority to extend an open catalogue
    update by ``catalogue_update_extension`` working days (2025 art. 17: +5), once.

    :param id: the obligation
    :param reason: why the update needs more time
    :returns: the obligation, ``extension_status`` pending
    """
    obligation = _with_obligation(context, data_dict, "govshare_obligation_extend")
    if not profiles.number("catalogue_update_extension"):
        raise tk.ValidationError({"id": [NO_EXTENSION_RULE]})
    updated = obligations.request_extension(
        obligation, Person.of(context), reason=data_dict["reason"]
    )
    return obligations.shown(updated, Person.of(context))


@validate(schema.obligation_extension_decide_schema)
@atomic
def govshare_obligation_extension_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The sharing authority consents to (``approve``: the due date moves by the extension's
    working days, ``original_due_date`` kept) or refuses (``reject``, reason required) a
    catalogue update's extension (2025 art. 17); the department's data officers are told.

    :param id: the obligation
    :param decision: approve | reject
    :param reason: why (required to reject)
    :returns: the obligation
    """
    obligation = _with_obligation(context, data_dict, "govshare_obligation_extension_decide")
    if not profiles.number("catalogue_update_extension"):
        raise tk.ValidationError({"id": [NO_EXTENSION_RULE]})
    updated = obligations.decide_extension(
        obligation,
        Person.of(context),
        decision=data_dict["decision"],
        reason=data_dict.get("reason"),
    )
    return obligations.shown(updated, Person.of(context))
