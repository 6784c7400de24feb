"""Requests for conditional data, negotiations and escalations (art. 12(2), 12(3)).

Each action checks access first, validates its input (errors in both languages), asks the
state machine (``access/workflow.py``) for the transition and carries it out through
``access/service.py`` in one transaction with its history row, audit event and notices.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ...access import attachments, codes, rules, service, workflow
from ...access.model import request_table
from ...access.roles import Person, authority_org_id, conference_org_id
from ...access.workflow import Action, Refused
from ...audit import who
from ...core import clock
from ...core.messages import message
from ..guard import lookup_key
from ..schema import access as schema
from ..schema.fields import validate

__all__ = [
    "govshare_escalation_decide",
    "govshare_negotiation_open",
    "govshare_request_comment",
    "govshare_request_create",
    "govshare_request_decide",
    "govshare_request_escalate",
    "govshare_request_list",
    "govshare_request_resubmit",
    "govshare_request_show",
    "govshare_request_withdraw",
]

NEEDS_REASON = message(
    "Give the reason: a refusal or a return must say why (and, for a return, everything that "
    "is missing at once)",
    "请说明理由：拒绝或退回须说明原因（退回时一次性列明需补充的全部材料）",
)
OWN_ENTRY = message(
    "Your department provides this entry: its members use it directly, without applying",
    "该信息资源由本部门提供，无需申请",
)
CHOOSE_DEPARTMENT = message(
    "You belong to several departments: say which one you apply for (requesting_org)",
    "您属于多个部门，请选择申请部门（requesting_org）",
)
NOT_A_DEPARTMENT = message(
    "Not a department you belong to: choose one of yours",
    "不是您所属的部门，请选择您所属的部门",
)


def atomic(func: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """One transaction per action: whatever the action wrote is rolled back when it fails."""

    @functools.wraps(func)
    def action(context: Any, data_dict: Any) -> Any:
        try:
            return func(context, data_dict)
        except Exception:
            model.Session.rollback()
            raise

    return action


def _commit(context: Any) -> None:
    if not context.get("defer_commit"):
        model.Session.commit()


def _refused(error: Refused) -> Exception:
    """A refused transition: 403 when the role is the problem, else a field error (409)."""
    if error.forbidden:
        return tk.NotAuthorized(error.message)
    return tk.ValidationError({error.field: [error.message]})


def _entry(context: Any, package_id: str) -> dict[str, Any]:
    """The entry as the caller may see it (the catalogue's visibility applies)."""
    return tk.get_action("package_show")(
        {"user": context.get("user"), "ignore_auth": context.get("ignore_auth", False)},
        {"id": package_id},
    )


def requesting_org(person: Person, value: str | None, entry: dict[str, Any]) -> str:
    """The department a request is made for: one the user belongs to, not the provider."""
    if value:
        group = model.Group.get(value)
        if (
            group is None
            or not group.is_organization
            or (group.id not in person.orgs and not person.sysadmin)
        ):
            raise tk.ValidationError({"requesting_org": [NOT_A_DEPARTMENT]})
        org_id = group.id
    elif len(person.orgs) == 1:
        org_id = next(iter(person.orgs))
    else:
        raise tk.ValidationError({"requesting_org": [CHOOSE_DEPARTMENT]})
    if org_id == entry["owner_org"]:
        raise tk.ValidationError({"requesting_org": [OWN_ENTRY]})
    return org_id


def _scope_defaults(entry: dict[str, Any], data: dict[str, Any], *, negotiation: bool) -> None:
    """Resources and data items default to all the request may ask for."""
    if not data.get("resource_ids"):
        data["resource_ids"] = rules.resource_ids(entry)
    if not data.get("data_items"):
        shared = (
            ("unconditional", "conditional", "not_shared")
            if negotiation
            else (
                "unconditional",
                "conditional",
            )
        )
        data["data_items"] = rules.item_names(entry, shared)


def _with_request(
    context: Any, data_dict: Any, auth: str, refusal: str, key: str = "id", lock: bool = True
):
    """Check access (recording a refusal), then load the request, locked for a change."""
    request_id = lookup_key((data_dict or {}).get(key))
    request = service.load_request(request_id)
    with who.recording_refusals(
        refusal,
        context,
        object_type="access_request",
        object_id=request_id,
        object_department=request["provider_org_id"] if request else None,
    ):
        tk.check_access(auth, context, data_dict)
    if request is None:
        raise tk.ObjectNotFound(message("No such request", "申请不存在"))
    return service.load_request(request_id, for_update=True) if lock else request


def _create(context: Any, data_dict: Any, *, kind: str) -> dict[str, Any]:
    """Check the whole form at once (every field's error in one answer), then create."""
    form = schema.request_create_schema()
    if kind == codes.KIND_NEGOTIATION:  # a negotiation may open with a first message
        form["message"] = schema.negotiation_open_schema()["message"]
    data, schema_errors = tk.navl_validate(dict(data_dict), form, context)
    errors: dict[str, list[str]] = {k: list(v) for k, v in schema_errors.items() if v}
    data = {k: v for k, v in data.items() if k not in errors}  # refused values go no further
    person = Person.of(context)
    if "package_id" in errors:
        raise tk.ValidationError(errors)
    entry = _entry(context, data["package_id"])
    expected = rules.REQUEST if kind == codes.KIND_REQUEST else rules.NEGOTIATE
    path_errors = rules.check_path(entry, expected)
    if path_errors:
        raise tk.ValidationError(path_errors)  # the other fields are for another path
    try:
        data["requesting_org"] = requesting_org(person, data.get("requesting_org"), entry)
    except tk.ValidationError as error:
        for field, messages in error.error_dict.items():
            errors.setdefault(field, messages)
    negotiation = kind == codes.KIND_NEGOTIATION
    _scope_defaults(entry, data, negotiation=negotiation)
    checked = {k: v for k, v in data.items() if k not in errors}
    for field, messages in rules.check_request(
        entry, checked, today=clock.today(), negotiation=negotiation
    ).items():
        errors.setdefault(field, messages)
    if not data.get("resource_ids") and "resource_ids" not in errors:
        errors["resource_ids"] = [rules.NO_RESOURCES]
    if errors:
        raise tk.ValidationError(errors)
    upload = data.pop("attachment", None)
    request_id_hint: str | None = None
    try:
        if attachments.is_upload(upload):
            import uuid

            request_id_hint = str(uuid.uuid4())
            data["attachment"] = attachments.save(upload, request_id_hint)
        request = service.create_request(entry, person, data, kind=kind, request_id=request_id_hint)
        if data.get("message") and kind == codes.KIND_NEGOTIATION:
            request = service.apply(request, Action.COMMENT, person, text=data["message"])
        _commit(context)
    except Exception:
        model.Session.rollback()
        if request_id_hint:
            attachments.discard(request_id_hint)
        raise
    return service.request_dict(request, with_history=True)


@atomic
def govshare_request_create(context: Any, data_dict: Any) -> dict[str, Any]:
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
    """
    with who.recording_refusals(
        "govshare_request_create",
        context,
        object_type="package",
        object_id=lookup_key((data_dict or {}).get("package_id")) or None,
    ):
        tk.check_access("govshare_request_create", context, data_dict)
    return _create(context, data_dict, kind=codes.KIND_REQUEST)


@atomic
def govshare_negotiation_open(context: Any, data_dict: Any) -> dict[str, Any]:
    """Open a negotiation with the provider (art. 12(3)).

    On a not-shared entry, give the fields of ``govshare_request_create`` (plus an optional
    first ``message``). On a rejected request, give ``request_id`` (and optional ``message``):
    the request itself goes on to negotiation, keeping its history.
    """
    if (data_dict or {}).get("request_id"):
        request = _with_request(
            context,
            data_dict,
            "govshare_negotiation_open",
            "govshare_request_negotiate",
            key="request_id",
        )
        data = validate(data_dict, schema.negotiation_open_schema(), context)
        person = Person.of(context)
        try:
            updated = service.apply(request, Action.NEGOTIATE, person, text=data.get("message"))
        except Refused as error:
            raise _refused(error) from None
        _commit(context)
        return service.request_dict(updated, with_history=True)
    with who.recording_refusals(
        "govshare_request_negotiate",
        context,
        object_type="package",
        object_id=lookup_key((data_dict or {}).get("package_id")) or None,
    ):
        tk.check_access("govshare_negotiation_open", context, data_dict)
    return _create(context, data_dict, kind=codes.KIND_NEGOTIATION)


@tk.side_effect_free
def govshare_request_show(context: Any, data_dict: Any) -> dict[str, Any]:
    """One request with its whole history and thread.

    Visible to the requesting department, the provider's data officers, the sharing
    authority, the joint conference once the request reached it, and sysadmins.
    The answer also lists ``allowed_actions``: what the caller may do next.

    :param id: the request's id
    """
    request = _with_request(
        context, data_dict, "govshare_request_show", "govshare_request_show", lock=False
    )
    person = Person.of(context)
    result = service.request_dict(request, with_history=True)
    result["allowed_actions"] = [
        a.value
        for a in workflow.allowed_actions(
            request["status"],
            person.request_roles(request),
            overdue=service.is_overdue(request),
            central_involved=bool(request["central_involved"]),
        )
    ]
    return result


@tk.side_effect_free
def govshare_request_list(context: Any, data_dict: Any) -> dict[str, Any]:
    """Requests the caller may see, incoming (to their departments) or outgoing (from them).

    :param direction: incoming | outgoing | all (default all)
    :param status: one status or a list (optional)
    :param overdue: true: only submitted requests past their due date
    :param escalated: true: only requests escalated to the authority or the conference
    :param package_id: only requests on this entry
    :param organization: only requests from or to this department (id or name)
    :param limit: page size (default 50, at most 1000)
    :param offset: requests to skip
    :returns: ``{"count", "results", "limit", "offset"}``; incoming requests come by due date
    """
    tk.check_access("govshare_request_list", context, data_dict)
    data = validate(data_dict, schema.request_list_schema(), context)
    person = Person.of(context)
    c = request_table.c
    sees_all = person.sysadmin or person.authority
    incoming = c.provider_org_id.in_(sorted(person.officer_of))
    outgoing = c.requesting_org_id.in_(sorted(person.orgs))
    reached = c.escalation_level == "joint_conference" if person.conference else sa.false()
    direction = data["direction"]
    # Incoming: addressed to the caller's departments, or awaiting the body the caller sits on.
    if person.authority:
        incoming = sa.or_(incoming, c.status == workflow.ESCALATED_AUTHORITY)
    if person.conference:
        incoming = sa.or_(incoming, c.status == workflow.ESCALATED_CONFERENCE)
    if direction == "incoming":
        where = incoming
    elif direction == "outgoing":
        where = outgoing
    else:
        where = sa.true() if sees_all else sa.or_(incoming, outgoing, reached)
    conditions = [where]
    if data.get("status"):
        conditions.append(c.status.in_(data["status"]))
    if data.get("overdue"):
        conditions += [c.status == workflow.SUBMITTED, c.due_date < clock.today()]
    if data.get("escalated"):
        conditions.append(c.escalation_level.isnot(None))
    if data.get("package_id"):
        pkg = model.Package.get(data["package_id"])
        conditions.append(c.package_id == (pkg.id if pkg else data["package_id"]))
    if data.get("organization"):
        org = model.Group.get(data["organization"])
        org_id = org.id if org else data["organization"]
        conditions.append(sa.or_(c.provider_org_id == org_id, c.requesting_org_id == org_id))
    condition = sa.and_(*conditions)
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(request_table).where(condition)
    ).scalar()
    order = (
        [c.due_date.asc().nulls_last(), c.submitted_at]
        if direction == "incoming"
        else [c.updated_at.desc()]
    )
    limit = min(data["limit"], 1000)
    rows = model.Session.execute(
        sa.select(request_table)
        .where(condition)
        .order_by(*order)
        .limit(limit)
        .offset(data["offset"])
    ).all()
    return {
        "count": count,
        "results": [service.request_dict(dict(r._mapping)) for r in rows],
        "limit": limit,
        "offset": data["offset"],
    }


def _grant_from_request(
    request: dict[str, Any], person: Person, data: dict[str, Any], source: str
) -> dict[str, Any]:
    """The grant an approval (or a granted dispute) creates, narrowed as the decision says."""
    errors = rules.check_approval(request, data)
    if errors:
        raise tk.ValidationError(errors)
    start = data.get("period_start") or request["period_start"] or clock.today()
    end = data.get("period_end") or request["period_end"]
    if end is not None and end < clock.today():
        raise tk.ValidationError({"period_end": [rules.PERIOD_PAST]})
    if end is None:
        raise tk.ValidationError(
            {
                "period_end": [
                    message(
                        "Say until when the data may be used (period_end)",
                        "请填写准予使用的截止日期（period_end）",
                    )
                ]
            }
        )
    acting = (
        request["provider_org_id"]
        if source in ("approval", "negotiation")
        else (
            conference_org_id()
            if request["status"] == workflow.ESCALATED_CONFERENCE
            else authority_org_id()
        )
    )
    return service.create_grant(
        package_id=request["package_id"],
        provider_org_id=request["provider_org_id"],
        organization_id=request["requesting_org_id"],
        request_id=request["id"],
        source=source,
        purpose=request["purpose"],
        purpose_detail=request["purpose_detail"],
        period_start=max(start, clock.today()),
        period_end=end,
        resource_ids=data.get("resource_ids") or request["resource_ids"],
        data_items=data.get("data_items") or request["data_items"],
        share_method=request["share_method"],
        conditions=data.get("conditions"),
        max_downloads=data.get("max_downloads"),
        person=person,
        acting_org=acting,
    )


@atomic
def govshare_request_decide(context: Any, data_dict: Any) -> dict[str, Any]:
    """A data officer of the provider answers a request (art. 12(2)).

    :param id: the request
    :param decision: approve | reject | return
    :param reason: why; required to reject, and to return (list everything missing at once)
    :param resource_ids: approve only these of the requested resources (optional)
    :param data_items: approve only these of the requested data items (optional)
    :param period_start: approve from this date (within the requested period; optional)
    :param period_end: approve until this date (within the requested period; optional)
    :param max_downloads: limit downloads under the grant (optional)
    :param conditions: conditions of use added to the grant (optional)
    :returns: the request; on approval, with the ``grant`` it created

    While negotiating, ``approve`` means the provider agrees to share after all (→ granted).
    """
    request = _with_request(
        context, data_dict, "govshare_request_decide", "govshare_request_decide"
    )
    data = validate(data_dict, schema.request_decide_schema(), context)
    decision = data["decision"]
    if decision in ("reject", "return") and not (data.get("reason") or "").strip():
        raise tk.ValidationError({"reason": [NEEDS_REASON]})
    person = Person.of(context)
    action = {"approve": Action.APPROVE, "reject": Action.REJECT, "return": Action.RETURN}[decision]
    if action is Action.APPROVE:
        errors = rules.check_approval(request, data)
        if errors:
            raise tk.ValidationError(errors)
    try:
        changes: dict[str, Any] = {}
        if action is Action.RETURN:
            changes = service.clock_stop(request)
        detail = {
            k: data[k] for k in ("resource_ids", "data_items", "max_downloads") if data.get(k)
        }
        was_negotiating = request["status"] == workflow.NEGOTIATING
        updated = service.apply(
            request, action, person, text=data.get("reason"), changes=changes, detail=detail
        )
    except Refused as error:
        raise _refused(error) from None
    grant = None
    if action is Action.APPROVE:
        source = "negotiation" if was_negotiating else "approval"
        grant = _grant_from_request(request, person, data, source)
    _commit(context)
    result = service.request_dict(updated, with_history=True)
    if grant is not None:
        result["grant"] = service.grant_dict(grant)
    return result


@atomic
def govshare_request_resubmit(context: Any, data_dict: Any) -> dict[str, Any]:
    """The requesting department resubmits a returned request; the provider's clock restarts
    with the working days that were left.

    :param id: the request
    :param message: what was added (optional)
    :param purpose_detail, scenario, basis, contact: corrected fields (optional)
    :param attachment: a new attachment (multipart; optional)
    """
    request = _with_request(
        context, data_dict, "govshare_request_resubmit", "govshare_request_resubmit"
    )
    data = validate(data_dict, schema.request_message_schema(reason_required=False), context)
    person = Person.of(context)
    changes = {
        k: data[k] for k in ("purpose_detail", "scenario", "basis", "contact") if data.get(k)
    }
    upload = data.get("attachment")
    try:
        changes.update(service.clock_restart(request))
        if attachments.is_upload(upload):
            changes["attachment"] = attachments.save(upload, request["id"])
        updated = service.apply(
            request,
            Action.RESUBMIT,
            person,
            text=data.get("message"),
            changes=changes,
            detail={"changed": sorted(k for k in changes if k not in service.CLOCK_FIELDS)},
        )
    except Refused as error:
        raise _refused(error) from None
    _commit(context)
    return service.request_dict(updated, with_history=True)


def _simple(context: Any, data_dict: Any, action: Action, *, reason_required: bool) -> Any:
    name = f"govshare_request_{action.value}"
    request = _with_request(context, data_dict, name, name)
    data = validate(
        data_dict, schema.request_message_schema(reason_required=reason_required), context
    )
    try:
        updated = service.apply(request, action, Person.of(context), text=data.get("message"))
    except Refused as error:
        raise _refused(error) from None
    _commit(context)
    return service.request_dict(updated, with_history=True)


@atomic
def govshare_request_withdraw(context: Any, data_dict: Any) -> dict[str, Any]:
    """The requesting department withdraws its request or negotiation.

    :param id: the request
    :param message: why (optional)
    """
    return _simple(context, data_dict, Action.WITHDRAW, reason_required=False)


@atomic
def govshare_request_comment(context: Any, data_dict: Any) -> dict[str, Any]:
    """Write in a request's thread (the two departments; whoever it is escalated to).

    :param id: the request
    :param message: the text
    """
    return _simple(context, data_dict, Action.COMMENT, reason_required=True)


@atomic
def govshare_request_escalate(context: Any, data_dict: Any) -> dict[str, Any]:
    """Take a dispute up: from negotiation (or an overdue request) to the sharing authority;
    from the authority to the joint conference when a central department is involved.

    :param id: the request
    :param message: why the dispute goes up (required)
    """
    return _simple(context, data_dict, Action.ESCALATE, reason_required=True)


@atomic
def govshare_escalation_decide(context: Any, data_dict: Any) -> dict[str, Any]:
    """The sharing authority (or the joint conference) decides an escalated dispute.

    :param id: the request
    :param decision: grant | deny
    :param reason: required
    :param resource_ids, data_items, period_start, period_end, max_downloads, conditions:
        narrow the grant, as for an approval (optional)
    :returns: the request; when granted, with the ``grant`` it created
    """
    request = _with_request(
        context, data_dict, "govshare_escalation_decide", "govshare_escalation_decide"
    )
    data = validate(data_dict, schema.escalation_decide_schema(), context)
    person = Person.of(context)
    action = Action.GRANT if data["decision"] == "grant" else Action.DENY
    try:
        updated = service.apply(request, action, person, text=data["reason"])
    except Refused as error:
        raise _refused(error) from None
    grant = (
        _grant_from_request(request, person, data, "escalation") if action is Action.GRANT else None
    )
    _commit(context)
    result = service.request_dict(updated, with_history=True)
    if grant is not None:
        result["grant"] = service.grant_dict(grant)
    return result
