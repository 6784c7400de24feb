"""Doubt and error feedback on catalogue entries (art. 15, issue 8).

Each action checks access first (a refusal is audited), validates its input (every field's
error in both languages), then writes through ``feedback/service.py`` in one transaction with
the audit event and the notices.
"""

from __future__ import annotations

import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ... import tracked
from ...access import attachments
from ...audit import who
from ...core import clock
from ...core.membership import Person
from ...core.messages import message
from ...core.transaction import atomic, commit
from ...feedback import rules, service
from ...feedback.model import feedback_table
from .. import loading
from ..guard import lookup_key
from ..schema import feedback as schema
from ..schema.fields import validate

__all__ = [
    "govshare_feedback_create",
    "govshare_feedback_list",
    "govshare_feedback_resolve",
    "govshare_feedback_show",
]

NOT_FOUND = message("No such feedback", "反馈不存在")
CHOOSE_DEPARTMENT = message(
    "You belong to several departments: say which one you report for (organization)",
    "您属于多个部门，请选择反馈部门（organization）",
)
NOT_A_DEPARTMENT = message(
    "Not a department you belong to: choose one of yours", "不是您所属的部门，请选择您所属的部门"
)
NO_DEPARTMENT = message(
    "Say which department you report for (organization)", "请选择反馈部门（organization）"
)


def _reporting_org(person: Person, value: str | None) -> str:
    """The department the feedback is made for: one the user belongs to."""
    if value:
        group = model.Group.get(value)
        if (
            group is None
            or not group.is_organization
            or (group.id not in person.orgs and not person.sysadmin)
        ):
            raise tk.ValidationError({"organization": [NOT_A_DEPARTMENT]})
        return group.id
    if len(person.orgs) == 1:
        return next(iter(person.orgs))
    raise tk.ValidationError(
        {"organization": [CHOOSE_DEPARTMENT if person.orgs else NO_DEPARTMENT]}
    )


def _with_feedback(
    context: Any, data_dict: Any, auth: str, *, lock: bool = False
) -> dict[str, Any]:
    """Check access (recording a refusal), then load the feedback (locked for a change)."""
    return loading.load_checked(
        auth,
        context,
        data_dict,
        load=service.load,
        object_type="feedback",
        department=lambda feedback: feedback["provider_org_id"],
        not_found=NOT_FOUND,
        lock=lock,
    )


@atomic
def govshare_feedback_create(context: Any, data_dict: Any) -> dict[str, Any]:
    """Report an entry, one of its resources or one of its data items as doubtful or wrong
    (art. 15); the provider's data officers are told and answer by the due date.

    :param package_id: the entry (id or name); the caller must be able to see it
    :param resource_id: the resource concerned (optional; one of the entry's)
    :param data_item: the data item concerned, by name (optional; one of the entry's)
    :param kind: doubt | error
    :param description: what is doubtful or wrong
    :param organization: the department reported for (optional for a member of exactly one)
    :param attachment: evidence, a file (multipart upload; optional)
    :returns: the feedback, with ``id``, ``state`` (open) and ``due_date``
    """
    package_id = lookup_key((data_dict or {}).get("package_id")) or None
    loading.check(
        "govshare_feedback_create", context, data_dict, object_type="package", object_id=package_id
    )
    data, schema_errors = tk.navl_validate(
        dict(data_dict), schema.feedback_create_schema(), context
    )
    errors: dict[str, list[str]] = {k: list(v) for k, v in schema_errors.items() if v}
    data = {k: v for k, v in data.items() if k not in errors}  # refused values go no further
    if "package_id" in errors:
        raise tk.ValidationError(errors)
    # The catalogue's visibility applies: what the caller cannot see, they cannot flag.
    with who.recording_refusals(
        "govshare_feedback_create", context, object_type="package", object_id=package_id
    ):
        entry = tk.get_action("package_show")(
            {"user": context.get("user"), "ignore_auth": context.get("ignore_auth", False)},
            {"id": data["package_id"]},
        )
    person = Person.of(context)
    try:
        organization_id = _reporting_org(person, data.get("organization"))
    except tk.ValidationError as error:
        for field, messages in error.error_dict.items():
            errors.setdefault(field, messages)
    for field, messages in rules.check_target(
        entry, data.get("resource_id"), data.get("data_item")
    ).items():
        errors.setdefault(field, messages)
    if errors:
        raise tk.ValidationError(errors)
    upload = data.pop("attachment", None)
    feedback_id = str(uuid.uuid4())
    folder = service.attachment_folder(feedback_id)
    stored = None
    try:
        if attachments.is_upload(upload):
            stored = attachments.save(upload, folder)
        feedback = service.create(
            entry,
            user_id=person.id or "",
            user_name=person.name or "",
            organization_id=organization_id,
            data=data,
            feedback_id=feedback_id,
            attachment=stored,
        )
        commit(context)
    except Exception:
        model.Session.rollback()
        if stored:
            attachments.discard(folder)
        raise
    return service.as_dict(feedback)


@tk.side_effect_free
def govshare_feedback_show(context: Any, data_dict: Any) -> dict[str, Any]:
    """One feedback. Visible to the reporting department, the provider's data officers, the
    sharing authority and sysadmins; ``may_resolve`` says whether the caller may answer it.

    :param id: the feedback's id
    """
    feedback = _with_feedback(context, data_dict, "govshare_feedback_show")
    result = service.as_dict(feedback)
    result["may_resolve"] = feedback["state"] == rules.OPEN and rules.may_resolve(
        Person.of(context), feedback
    )
    return result


@tk.side_effect_free
def govshare_feedback_list(context: Any, data_dict: Any) -> dict[str, Any]:
    """Feedback the caller may see: their departments' reports and feedback on the entries of
    the departments they are a data officer of (everything, for the authority and sysadmins).

    :param package_id: only feedback on this entry (id or name)
    :param organization: only feedback to this providing department (id or name)
    :param state: open | resolved
    :param mine: true: only feedback the caller reported
    :param overdue: true: only open feedback past its due date
    :param limit: page size (default 50, at most 1000)
    :param offset: feedback to skip
    :returns: ``{"count", "results", "limit", "offset"}``; open feedback first, by due date
    """
    tk.check_access("govshare_feedback_list", context, data_dict)
    data = validate(data_dict or {}, schema.feedback_list_schema(), context)
    person = Person.of(context)
    c = feedback_table.c
    if person.sysadmin or person.authority:
        conditions = [sa.true()]
    else:
        conditions = [
            sa.or_(
                c.organization_id.in_(sorted(person.orgs)),
                c.provider_org_id.in_(sorted(person.officer_of)),
            )
        ]
    if data.get("package_id"):
        pkg = model.Package.get(data["package_id"])
        conditions.append(c.package_id == (pkg.id if pkg else data["package_id"]))
    if data.get("organization"):
        org = model.Group.get(data["organization"])
        conditions.append(c.provider_org_id == (org.id if org else data["organization"]))
    if data.get("mine"):
        conditions.append(c.user_id == (person.id or ""))
    conditions += tracked.filters(feedback_table, data, clock.today())
    return tracked.page(feedback_table, conditions, data, service.as_dicts)


@atomic
def govshare_feedback_resolve(context: Any, data_dict: Any) -> dict[str, Any]:
    """The provider's data officer answers feedback (art. 15); the reporter is told.

    :param id: the feedback
    :param resolution: corrected | confirmed_correct
    :param explanation: what was corrected, or how the data was verified (required)
    :returns: the feedback, ``resolved``
    """
    feedback = _with_feedback(context, data_dict, "govshare_feedback_resolve", lock=True)
    data, schema_errors = tk.navl_validate(
        dict(data_dict), schema.feedback_resolve_schema(), context
    )
    errors: dict[str, list[str]] = {k: list(v) for k, v in schema_errors.items() if v}
    data = {k: v for k, v in data.items() if k not in errors}  # refused values go no further
    for field, messages in rules.check_resolve(feedback, data.get("explanation")).items():
        errors.setdefault(field, messages)
    if errors:
        raise tk.ValidationError(errors)
    person = Person.of(context)
    updated = service.resolve(
        feedback,
        user_id=person.id or "",
        user_name=person.name or "",
        resolution=data["resolution"],
        explanation=data["explanation"].strip(),
    )
    return service.as_dict(updated)
