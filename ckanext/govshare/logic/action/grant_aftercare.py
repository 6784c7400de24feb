"""Actions: After delivery (2025 art. 25, 27): suspension, resumption, termination, use changes,
disposal.

- ``govshare_grant_suspend``: the sharing authority or the provider's data officer suspends a
  grant pending rectification by a date (art. 27); every delivery method refuses at once,
  saying why (reason code ``suspended``, the reason and the date).
- ``govshare_grant_resume``: whoever may suspend lifts the suspension (the grant is active
  again, or expired when its period ended meanwhile); tokens and subscriptions work again.
- ``govshare_grant_terminate``: the authority or the provider's data officer ends an active or
  suspended grant for good; its tokens stop, its batch exchange subscriptions stop, the
  holder's disposal clock starts. A provider ends a service only after filing with the
  authority (``filing_id``, under the ``service_filing`` rule).
- ``govshare_use_change_request``: a member of the holding department asks for a wider scope,
  another purpose or a third party (art. 25); the request goes the way of a conditional one.

Each action validates its input, checks access first (a refusal recorded against the
provider), refuses with a 409 naming the profile when its rule is off (the 2016 Measures),
and calls one function of ``access/suspension.py`` or ``access/use_change.py``.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...access import grants, present, suspension, use_change
from ...core import clock
from ...core.membership import Person
from ...core.messages import message
from ...core.transaction import atomic
from ...exchange import subscriptions
from ...usage import service as usage
from .. import loading
from ..schema import grant_aftercare as schema

__all__ = [
    "govshare_grant_resume",
    "govshare_grant_suspend",
    "govshare_grant_terminate",
    "govshare_use_change_request",
]

NEEDS_FILING = message(
    "A providing department ends a service only after consulting the holder and filing with "
    "the sharing authority (2025 art. 27): name the service filing that covers this grant "
    "(filing_id)",
    "提供部门终止共享服务前须与使用部门协商并向共享主管部门备案（第二十七条）：请填写涵盖该授权的备案（filing_id）",
)


def _grant(context: Context, data_dict: DataDict, auth: str, key: str = "id") -> dict[str, Any]:
    """Check access (a refusal recorded against the grant's provider), then the grant."""
    return loading.load_checked(
        auth,
        context,
        data_dict,
        load=grants.load_grant,
        object_type="grant",
        department=lambda grant: grant["provider_org_id"],
        not_found=grants.NO_SUCH_GRANT,
        key=key,
    )


@validate(schema.grant_suspend_schema)
@atomic
def govshare_grant_suspend(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Suspend a grant's sharing rights pending rectification (2025 art. 27: use beyond the
    granted scope or purpose, or passing data to a third party). At once every delivery
    method refuses — file and bulk download, the service interface (query, verify), batch
    exchange runs, previews, tokens — with reason ``suspended``, the reason and the date.
    Tokens and subscriptions are kept: resumed, they work again. The holders are told.

    :param id: the grant (active)
    :param reason: why (required; the holder is told, every refusal repeats it)
    :param rectify_by: the date to rectify by (YYYY-MM-DD; after today, within
        ``ckanext.govshare.max_period_years`` years)
    :returns: the grant (``status`` ``suspended``, ``suspended_at``, ``suspended_by``,
        ``suspend_reason``, ``rectify_by``)
    """
    _grant(context, data_dict, "govshare_grant_suspend")
    suspension.require("suspension")
    updated = suspension.suspend(
        data_dict["id"], Person.of(context), data_dict["reason"], data_dict["rectify_by"]
    )
    return present.grant_dict(updated)


@validate(schema.grant_resume_schema)
@atomic
def govshare_grant_resume(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Lift a grant's suspension once rectified (2025 art. 27): active again (``expired`` when
    its period ended meanwhile); its tokens and subscriptions work again.

    :param id: the grant (suspended)
    :param reason: what was rectified (required)
    :returns: the grant (``status``, ``resumed_at``)
    """
    _grant(context, data_dict, "govshare_grant_resume")
    suspension.require("suspension")
    updated = suspension.resume(data_dict["id"], Person.of(context), data_dict["reason"])
    return present.grant_dict(updated)


@validate(schema.grant_terminate_schema)
@atomic
def govshare_grant_terminate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """End an active or suspended grant for good (2025 art. 27): every token issued from it
    stops, every batch exchange subscription under it stops, and the holder must record the
    disposal of the data by ``disposal_due``.

    A providing department's data officer names a service filing that covers the grant
    (``filing_id``, made with ``govshare_service_filing_create``), unless the grant was
    suspended and its date to rectify by has passed; the sharing authority needs none.

    :param id: the grant (active or suspended)
    :param reason: why (required; the holder is told)
    :param filing_id: the service filing (a provider's termination, under the 2025 profile)
    :returns: the grant (``status`` ``terminated``, ``terminated_at``, ``terminated_by``,
        ``terminate_reason``, ``disposal_due``)
    """
    grant = _grant(context, data_dict, "govshare_grant_terminate")
    suspension.require("suspension")
    person = Person.of(context)
    filing_id = data_dict.get("filing_id")
    if suspension.needs_filing(person, grant, clock.today()):
        if not filing_id:
            raise tk.ValidationError({"filing_id": [NEEDS_FILING]})
        problem = usage.filing_problem(filing_id, grant)
        if problem:
            raise tk.ValidationError({"filing_id": [problem]})
    updated = suspension.terminate(
        data_dict["id"], person, data_dict["reason"], filing_id=filing_id
    )
    subscriptions.stop_for_grant(updated["id"], "grant_terminated", person=person)
    return present.grant_dict(updated)


@validate(schema.use_change_request_schema)
@atomic
def govshare_use_change_request(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask the provider's consent to change how a live grant's data is used (2025 art. 25): a
    wider scope, another purpose, or passing it to a third party. The request (kind
    ``use_change``) goes the way of a conditional request: sign-off where the profile asks
    for it, the provider's deadline, ``govshare_request_decide``. An approval makes a new
    grant (source ``use_change``) and leaves the original as it is; a rejection changes
    nothing.

    :param grant_id: the grant (live, held by the caller's department)
    :param kinds: one or more of ``scope``, ``purpose``, ``third_party`` (a list)
    :param reason: why the use changes (required)
    :param resource_ids: with ``scope``: resources wanted beyond the grant's
    :param data_items: with ``scope``: data items wanted beyond the grant's (within what the
        entry shares)
    :param purpose: with ``purpose``: the new purpose (a purpose code)
    :param purpose_detail: what the data is for now (optional; default the reason)
    :param third_party: with ``third_party``: who the data would be passed to
    :param period_end: the last day of the changed use (optional; default the grant's)
    :returns: the request (``kind`` ``use_change``, ``grant_id``, ``use_change``, ``status``,
        ``due_date``), with its history
    """
    grant = _grant(context, data_dict, "govshare_use_change_request", key="grant_id")
    suspension.require("use_change", "grant_id")
    entry = tk.get_action("package_show")({"ignore_auth": True}, {"id": grant["package_id"]})
    request = use_change.request_use_change(entry, Person.of(context), data_dict)
    return present.request_dict(request, with_history=True)
