"""Actions: Extensions of an answer (2025 art. 21) and delivery of approved data (art. 22).

Each action validates its input (``@validate``, every error in both languages), checks
access first in its body (a refusal is recorded in the audit trail) and calls one function
of ``access/extensions.py`` or ``access/delivery.py``, which writes the change, its history
row, its audit event and its notices in the action's one transaction. Under a profile
without the rule (the 2016 Measures) each refuses with a 409 naming the profile.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...access import delivery, extensions, grants, present, requests
from ...core.membership import Person
from ...core.messages import message
from ...core.transaction import atomic
from .. import loading
from ..schema import answers as schema

__all__ = [
    "govshare_extension_decide",
    "govshare_extension_list",
    "govshare_grant_deliver",
    "govshare_request_extend",
]

NO_SUCH_REQUEST = message("No such request", "申请不存在")


def _answer(request: dict[str, Any], extension: dict[str, Any]) -> dict[str, Any]:
    """The extension as the API shows it, with its request (and the request's history)."""
    result = extensions.extension_dicts([extension])[0]
    result["request"] = present.request_dict(request, with_history=True)
    return result


@validate(schema.request_extend_schema)
@atomic
def govshare_request_extend(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The provider's data officer asks the sharing authority for more time to answer a
    request (2025 Regulations art. 21), while it is ``submitted`` and not yet overdue; one
    pending extension at a time, at most ``extension_max`` working days in all.

    :param id: the request
    :param days: working days asked for (1 to the profile's ``extension_max``, 10)
    :param reason: why (required)
    :returns: the extension (``id``, ``status`` pending, ``days``, ``due_before``…) with its
        ``request``
    """
    request = loading.load_checked(
        "govshare_request_extend",
        context,
        data_dict,
        load=requests.load_request,
        object_type="access_request",
        department=lambda request: request["provider_org_id"],
        not_found=NO_SUCH_REQUEST,
        lock=True,
    )
    updated, extension = extensions.request_extension(request, Person.of(context), data_dict)
    return _answer(updated, extension)


@validate(schema.extension_decide_schema)
@atomic
def govshare_extension_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The sharing authority decides a pending extension (2025 Regulations art. 21). An
    approval moves the request's due date by the extension's working days, counted from the
    current due date; the requesting department and the provider are told.

    :param id: the extension
    :param decision: approve | reject
    :param reason: why (required to reject)
    :returns: the extension (``status``, ``due_before``, ``due_after``…) with its ``request``
    """
    extension = loading.load_checked(
        "govshare_extension_decide",
        context,
        data_dict,
        load=extensions.load_extension,
        object_type="access_request_extension",
        department=lambda row: (requests.load_request(row["request_id"]) or {}).get(
            "provider_org_id"
        ),
        not_found=extensions.NO_SUCH_EXTENSION,
        lock=True,
    )
    updated, decided = extensions.decide(extension, Person.of(context), data_dict)
    return _answer(updated, decided)


@tk.side_effect_free
@validate(schema.extension_list_schema)
def govshare_extension_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Extensions of the requests the caller may see (2025 Regulations art. 21): the
    authority sees every one (pending first, to decide them); a provider's data officers
    those of requests to their departments, a department those of its own requests.

    :param direction: incoming | outgoing | all (default all)
    :param status: pending | approved | rejected, or a list (optional)
    :param request_id: only this request's (optional)
    :param requesting_org: only of requests from this department (id or name; optional)
    :param provider_org: only of requests to this department (id or name; optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: extensions to skip
    :returns: ``{"count", "results", "limit", "offset"}``, pending ones first
    """
    tk.check_access("govshare_extension_list", context, data_dict)
    return extensions.list_extensions(Person.of(context), data_dict)


@validate(schema.grant_deliver_schema)
@atomic
def govshare_grant_deliver(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The provider's data officer marks a grant's data delivered (2025 Regulations art. 22:
    within 20 working days of the approval). Only the first delivery counts: the first
    download, interface call or batch exchange run records it as well; marking a delivered
    grant again answers it unchanged.

    :param id: the grant
    :param method: file_download | service_interface | batch_exchange | other (optional;
        default: the grant's share method)
    :param reason: a note on how it was delivered (optional)
    :returns: the grant, with ``delivery_due``, ``delivered_at``, ``delivery_method`` and
        ``delivery_overdue``
    """
    grant = loading.load_checked(
        "govshare_grant_deliver",
        context,
        data_dict,
        load=grants.load_grant,
        object_type="grant",
        department=lambda grant: grant["provider_org_id"],
        not_found=grants.NO_SUCH_GRANT,
        lock=True,
    )
    updated = delivery.deliver(grant, Person.of(context), data_dict)
    return present.grant_dict(updated)
