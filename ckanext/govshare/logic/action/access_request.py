"""Requests for conditional data, negotiations and escalations (art. 12(2), 12(3)).

Each action validates its input (``@validate``, every error in both languages), checks access
first in its body (a refusal is recorded in the audit trail), and calls one function of the
access service (``access/requests.py``, ``decisions.py``, ``negotiation.py``), which asks the
state machine (``access/workflow.py``) and carries the step out with its history row, audit
event and notices in one transaction. Names follow docs/api.md, "Conventions": the old ones
(``message`` for a reason, ``organization`` for either department) work for one more release.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...access import codes, decisions, negotiation, present, requests, signoff
from ...core.membership import Person
from ...core.messages import message
from ...core.transaction import atomic, commit
from ...core.vocabulary import renamed
from .. import loading
from ..guard import lookup_key
from ..schema import access as schema

__all__ = [
    "govshare_escalation_decide",
    "govshare_negotiation_open",
    "govshare_request_attachment",
    "govshare_request_comment",
    "govshare_request_create",
    "govshare_request_decide",
    "govshare_request_escalate",
    "govshare_request_list",
    "govshare_request_resubmit",
    "govshare_request_show",
    "govshare_request_withdraw",
]

NO_SUCH_REQUEST = message("No such request", "申请不存在")
NO_ATTACHMENT = message("This request has no attachment", "该申请没有附件")
#: ``message`` was the reason of these steps (docs/api.md, "Deprecated names").
_REASON = {"message": "reason"}


def entry_as_seen(context: Context, package_id: str) -> dict[str, Any]:
    """The entry as the caller may see it (the catalogue's visibility applies)."""
    as_caller: Context = {
        "user": context.get("user", ""),
        "ignore_auth": bool(context.get("ignore_auth", False)),
    }
    return tk.get_action("package_show")(as_caller, {"id": package_id})


def _request(
    context: Context,
    data_dict: DataDict,
    auth: str,
    *,
    refusal: str | None = None,
    key: str = "id",
    lock: bool = True,
) -> dict[str, Any]:
    """Check access (a refusal is recorded against the provider), then the request, locked
    for a change (``logic.loading``)."""
    return loading.load_checked(
        auth,
        context,
        data_dict,
        load=requests.load_request,
        object_type="access_request",
        department=lambda request: request["provider_org_id"],
        not_found=NO_SUCH_REQUEST,
        refusal=refusal,
        key=key,
        lock=lock,
    )


def check_on_entry(context: Context, data_dict: DataDict, auth: str, refusal: str) -> None:
    """Check access to an action on an entry, recording a refusal against the entry."""
    loading.check(
        auth,
        context,
        data_dict,
        refusal=refusal,
        object_type="package",
        object_id=lookup_key((data_dict or {}).get("package_id")) or None,
    )


def _answer(
    request: dict[str, Any], grant: dict[str, Any] | None = None, *, sides: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A changed request as the API shows it, with its history (and the grant it created);
    ``sides``: the caller's side of the internal sign-off (``present.request_dict``)."""
    result = present.request_dict(request, with_history=True, sides=sides)
    if grant is not None:
        result["grant"] = present.grant_dict(grant)
    return result


@validate(schema.request_create_schema)
@atomic
def govshare_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Apply for a conditionally shared entry (art. 12(2)); the provider answers by the due date.

    :param package_id: the entry (id or name); it must be shared on conditions
    :param requesting_org: the department applied for (one the user belongs to; may be left
        out by a member of exactly one department)
    :param purpose: administrative_basis | work_reference | data_verification |
        business_collaboration | other
    :param purpose_detail: what the data is for
    :param scenario: the business scenario (办事场景)
    :param basis: the legal basis of the need (申请依据)
    :param resource_ids: resources wanted (list; default all of the entry's)
    :param data_items: data item names wanted (list; default all that are shared)
    :param share_method: one of the entry's share methods
    :param period_start: first day of use (YYYY-MM-DD)
    :param period_end: last day of use (YYYY-MM-DD)
    :param expected_calls_per_day: expected calls a day (required when share_method is api)
    :param pledge: must be true: no onward transfer, no other use (art. 14)
    :param contact: how the provider reaches the requester (optional)
    :param attachment: a file (multipart upload; optional)
    :returns: the request, with ``id``, ``status`` (submitted), ``submitted_at``, ``due_date``
        and its ``history``

    While internal sign-off is on (2025 art. 20), a request by a member who is not a data
    officer of the requesting department waits for one (``awaiting_signoff``, no due date,
    the provider does not see it yet); a data officer's request is sent at once and signed
    off by them (``signed_off_by``, ``signed_off_at``).
    """
    check_on_entry(context, data_dict, "govshare_request_create", "govshare_request_create")
    entry = entry_as_seen(context, data_dict["package_id"])
    request = requests.submit(
        entry,
        Person.of(context),
        data_dict,
        kind=codes.KIND_REQUEST,
        commit=lambda: commit(context),
    )
    return _answer(request)


@renamed(params=_REASON)
@validate(schema.negotiation_open_schema)
@atomic
def govshare_negotiation_open(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Open a negotiation with the provider (art. 12(3)).

    On a not-shared entry, give the fields of ``govshare_request_create`` (plus an optional
    ``reason``, the first message of the thread). On a rejected request, give ``request_id``
    (and an optional ``reason``): the request itself goes on to negotiation, keeping its
    history. ``message`` is the old name of ``reason``.
    """
    if data_dict.get("request_id"):
        request = _request(
            context,
            data_dict,
            "govshare_negotiation_open",
            refusal="govshare_request_negotiate",
            key="request_id",
        )
        updated = negotiation.reopen_as_negotiation(
            request, Person.of(context), data_dict.get("reason")
        )
        return _answer(updated)
    check_on_entry(context, data_dict, "govshare_negotiation_open", "govshare_request_negotiate")
    entry = entry_as_seen(context, data_dict["package_id"])
    request = negotiation.open_negotiation(
        entry, Person.of(context), data_dict, commit=lambda: commit(context)
    )
    return _answer(request)


@tk.side_effect_free
@validate(schema.request_id_schema)
def govshare_request_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One request with its whole history and thread (art. 12; workflows.md, "Roles").

    Visible to the requesting department, the provider's data officers, the sharing
    authority, the joint conference once the request reached it, and sysadmins; while
    internal sign-off is on (2025 art. 20) the provider's staff too, and a request waiting for
    its own department's head (``awaiting_signoff``, ``signoff_returned``) only to that
    department and sysadmins. ``answer_draft`` (an answer the provider's staff drafted) is
    shown to the provider only. The answer also lists ``allowed_actions``: what the caller
    may do next.

    :param id: the request's id
    """
    request = _request(context, data_dict, "govshare_request_show", lock=False)
    person = Person.of(context)
    roles = person.request_roles(request)
    # 2025 art. 20: a department's internal sign-off (a drafted answer, a head's return) is
    # shown to that department only.
    result = present.request_dict(request, with_history=True, sides=signoff.sides_of(roles))
    # overdue, the dispute path of the profile (2016 art. 12(3), 2025 art. 28) and whether
    # sending waits for the head (2025 art. 20)
    result["allowed_actions"] = signoff.allowed_actions(request, roles)
    # Where escalating would take it (2025 art. 28: the upper authority needs a referral).
    result["escalation_next"] = (
        negotiation.escalation_target(request, person)
        if "escalate" in result["allowed_actions"]
        else None
    )
    return result


@tk.side_effect_free
@validate(schema.request_id_schema)
def govshare_request_attachment(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The request's attachment, for the request page's route to stream (its answer holds a
    path on the server, so only that route may call it; ``logic.auth.access``). Those who
    may see the request may read it (art. 12(2): the basis of the request).

    :param id: the request's id
    :returns: ``path``, ``name``, ``size``, ``sha256``
    """
    request = _request(context, data_dict, "govshare_request_attachment", lock=False)
    stored = requests.attachment_of(request)
    if stored is None:
        raise tk.ObjectNotFound(NO_ATTACHMENT)
    return stored


@renamed(kept={"organization": "requesting_org or provider_org"})
@tk.side_effect_free
@validate(schema.request_list_schema)
def govshare_request_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Requests the caller may see, incoming (to their departments) or outgoing (from them)
    (art. 12; workflows.md, "Roles": nobody else sees a request).

    :param direction: incoming | outgoing | all (default all)
    :param status: one status or a list (optional)
    :param overdue: true: only submitted requests past their due date
    :param escalated: true: only requests escalated to the authority or the conference
    :param signoff: true: only requests waiting for the caller's sign-off (2025 art. 20):
        their department's requests waiting for its head, answers their staff drafted
    :param package_id: only requests on this entry
    :param requesting_org: only requests from this department (id or name)
    :param provider_org: only requests to this department (id or name)
    :param organization: deprecated: only requests from or to this department
    :param limit: page size (default 50, at most 1000)
    :param offset: requests to skip
    :returns: ``{"count", "results", "limit", "offset"}``; incoming requests come by due date
    """
    tk.check_access("govshare_request_list", context, data_dict)
    return present.list_requests(Person.of(context), data_dict)


@validate(schema.request_decide_schema)
@atomic
def govshare_request_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A data officer of the provider answers a request (art. 12(2)).

    :param id: the request
    :param decision: approve | reject | return
    :param reason: why; required to reject, and to return (list everything missing at once)
    :param resource_ids: approve only these of the requested resources (optional)
    :param data_items: approve only these of the requested data items (optional)
    :param period_start: approve from this date (within the requested period; optional)
    :param period_end: approve until this date (within the requested period; optional)
    :param max_downloads: limit downloads under the grant (optional)
    :param max_calls_per_day: the daily call quota of a grant served by the service interface
        (share method ``api`` or ``online_query``; default the request's
        ``expected_calls_per_day``, never above it; issue 16, item 6)
    :param conditions: conditions of use added to the grant (optional)
    :returns: the request; on approval, with the ``grant`` it created

    While negotiating, ``approve`` means the provider agrees to share after all (→ granted).
    While internal sign-off is on (2025 art. 20), a member of the provider who is not its data
    officer drafts the answer instead: it is kept as ``answer_draft`` (event
    ``draft_answer``) until a data officer signs it off (``govshare_request_signoff``); a data
    officer's own answer is signed off by them (``answer_signed_off_by``).
    """
    request = _request(context, data_dict, "govshare_request_decide")
    # 2025 art. 20: the provider's staff draft the answer for their head (``access.signoff``).
    person = Person.of(context)
    updated, grant = signoff.decide(request, person, data_dict)
    # As govshare_request_show answers the caller: the drafter sees the draft just made.
    return _answer(updated, grant, sides=signoff.sides_of(person.request_roles(updated)))


@renamed(params=_REASON)
@validate(schema.request_resubmit_schema)
@atomic
def govshare_request_resubmit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The requesting department resubmits a returned request; the provider's clock restarts
    with the working days that were left (art. 12(2)).

    :param id: the request
    :param reason: what was added (optional; old name ``message``)
    :param purpose_detail, scenario, basis, contact: corrected fields (optional)
    :param attachment: a new attachment (multipart; optional)
    """
    request = _request(context, data_dict, "govshare_request_resubmit")
    # 2025 art. 20: sent again by staff, it waits for their head (``access.signoff``).
    updated = signoff.resubmit(request, Person.of(context), data_dict)
    return _answer(updated)


@renamed(params=_REASON)
@validate(schema.request_withdraw_schema)
@atomic
def govshare_request_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The requesting department withdraws its request or negotiation (workflows.md).

    :param id: the request
    :param reason: why (optional; old name ``message``)
    """
    request = _request(context, data_dict, "govshare_request_withdraw")
    updated = decisions.withdraw(request, Person.of(context), data_dict.get("reason"))
    return _answer(updated)


@validate(schema.request_comment_schema)
@atomic
def govshare_request_comment(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Write in a request's thread (the two departments; whoever it is escalated to)
    (art. 12(3): the parties negotiate).

    :param id: the request
    :param message: the text
    """
    request = _request(context, data_dict, "govshare_request_comment")
    updated = decisions.comment(request, Person.of(context), data_dict["message"])
    return _answer(updated)


@renamed(params=_REASON)
@validate(schema.request_escalate_schema)
@atomic
def govshare_request_escalate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Take a dispute up (art. 12(3)): from negotiation (or an overdue request) to the sharing
    authority; from the authority to the joint conference when a central department is
    involved. Under the 2025 Regulations (art. 28) the authority's next step is the common
    upper authority when the departments are of different levels or regions (``cross_level``),
    through a referral, else the people's government; from the upper authority, the people's
    government.

    :param id: the request
    :param reason: why the dispute goes up (required; old name ``message``)
    :param upper_platform: 2025, to the common upper authority only (required there): the
        upper platform the dispute is referred through (its name or address)
    :param reference: 2025, likewise: the referral's document number
    :param note: 2025, likewise: a note on the referral (optional)
    :returns: the request; a referral is kept as ``referral`` (``platform``, ``reference``,
        ``note``, ``referred_at``, ``referred_by``, ``referred_by_name``)
    """
    request = _request(context, data_dict, "govshare_request_escalate")
    updated = negotiation.escalate(request, Person.of(context), data_dict["reason"], data_dict)
    return _answer(updated)


@validate(schema.escalation_decide_schema)
@atomic
def govshare_escalation_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The sharing authority (or the joint conference) decides an escalated dispute
    (art. 12(3)). Under the 2025 Regulations (art. 28) the authority also enters the outcome
    of the common upper authority and the people's government's decision; the history row
    records which body decided (``detail.decided_by_body``).

    :param id: the request
    :param decision: grant | deny
    :param reason: required
    :param decided_by_body: 2025: authority | upper_authority | government, the body the
        dispute is before (optional: taken from the level it reached; another is refused)
    :param reference: 2025: the decision's document number (optional)
    :param resource_ids, data_items, period_start, period_end, max_downloads,
        max_calls_per_day, conditions: narrow the grant, as for an approval (optional)
    :returns: the request; when granted, with the ``grant`` it created
    """
    request = _request(context, data_dict, "govshare_escalation_decide")
    updated, grant = negotiation.decide_escalation(request, Person.of(context), data_dict)
    return _answer(updated, grant)
