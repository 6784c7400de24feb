"""Doubt and error feedback on catalogue entries (art. 15, issue 8).

Each action validates its input (``@validate``: every field's error in English and Chinese),
checks access (a refusal is audited, ``logic.loading``), then calls one function of
``feedback/service.py``, which writes in the action's one transaction with the audit event and
the notices. Names follow docs/api.md, "Conventions"; the old ones keep working for one release
(``core.vocabulary.renamed``), and each answer keeps its old keys beside the new ones.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...audit import who
from ...core.membership import Person
from ...core.messages import message
from ...core.transaction import atomic, commit
from ...core.vocabulary import renamed
from ...feedback import service
from .. import loading
from ..schema import feedback as schema

__all__ = [
    "govshare_feedback_attachment",
    "govshare_feedback_create",
    "govshare_feedback_list",
    "govshare_feedback_resolve",
    "govshare_feedback_show",
]

NOT_FOUND = message("No such feedback", "反馈不存在")


def _with_feedback(
    context: Context, data_dict: DataDict, auth: str, *, lock: bool = False
) -> dict[str, Any]:
    """The feedback named by ``id`` once the caller may act on it (a refusal recorded against
    the providing department), locked for a change."""
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


def _visible_entry(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Check access, then read the entry as the caller sees it: the catalogue's visibility
    applies, what the caller cannot see they cannot flag. A refusal is recorded."""
    package_id = data_dict["package_id"]
    with who.recording_refusals(
        "govshare_feedback_create", context, object_type="package", object_id=package_id
    ):
        tk.check_access("govshare_feedback_create", context, data_dict)
        return tk.get_action("package_show")(
            {"user": context.get("user", ""), "ignore_auth": context.get("ignore_auth", False)},
            {"id": package_id},
        )


@renamed(params={"organization": "reporting_org"}, answer_keys=service.OLD_KEYS)
@validate(schema.feedback_create_schema)
@atomic
def govshare_feedback_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Report an entry, one of its resources or one of its data items as doubtful or wrong
    (art. 15: 疑义、错误信息快速校核); the provider's data officers are told and answer by the
    due date.

    :param package_id: the entry (id or name); the caller must be able to see it
    :param resource_id: the resource concerned (optional; one of the entry's)
    :param data_item: the data item concerned, by name (optional; one of the entry's)
    :param kind: doubt | error
    :param description: what is doubtful or wrong
    :param reporting_org: the department reported for (optional for a member of exactly one;
        was ``organization``)
    :param attachment: evidence, a file (multipart upload; optional)
    :returns: the feedback, with ``id``, ``status`` (open) and ``due_date``
    """
    entry = _visible_entry(context, data_dict)
    feedback = service.report(entry, Person.of(context), data_dict, commit=lambda: commit(context))
    return service.as_dict(feedback)


@renamed(answer_keys=service.OLD_KEYS)
@tk.side_effect_free
@validate(schema.id_schema)
def govshare_feedback_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One feedback. Visible to the reporting department, the provider's data officers, the
    sharing authority and sysadmins (art. 15, workflows.md "Error and doubt feedback");
    ``may_resolve`` says whether the caller may answer it.

    :param id: the feedback's id
    """
    feedback = _with_feedback(context, data_dict, "govshare_feedback_show")
    return service.shown(feedback, Person.of(context))


@renamed(
    params={"organization": "provider_org", "state": "status"},
    kept={"mine": "direction=outgoing"},
    answer_keys=service.OLD_KEYS,
)
@tk.side_effect_free
@validate(schema.feedback_list_schema)
def govshare_feedback_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Feedback the caller may see: their departments' reports and feedback on the entries of
    the departments they are a data officer of (everything, for the authority and sysadmins).

    :param direction: outgoing (what the caller's departments reported) | incoming (what
        reached the departments they are a data officer of) | all (default)
    :param package_id: only feedback on this entry (id or name)
    :param provider_org: only feedback to this providing department (id or name; was
        ``organization``)
    :param status: open | resolved, or a list of them (was ``state``)
    :param overdue: true: only open feedback past its due date
    :param mine: deprecated: true: only feedback the caller reported themselves
    :param limit: page size (default 50, at most 1000)
    :param offset: feedback to skip
    :returns: ``{"count", "results", "limit", "offset"}``; open feedback first, by due date
    """
    tk.check_access("govshare_feedback_list", context, data_dict)
    return service.find(Person.of(context), data_dict)


@renamed(params={"explanation": "reason"}, answer_keys=service.OLD_KEYS)
@validate(schema.feedback_resolve_schema)
@atomic
def govshare_feedback_resolve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The provider's data officer answers feedback (art. 15: the provider verifies); the
    reporter is told.

    :param id: the feedback
    :param resolution: corrected | confirmed_correct
    :param reason: what was corrected, or how the data was verified (required; was
        ``explanation``)
    :returns: the feedback, ``resolved``
    """
    feedback = _with_feedback(context, data_dict, "govshare_feedback_resolve", lock=True)
    updated = service.resolve(
        feedback,
        Person.of(context),
        resolution=data_dict["resolution"],
        reason=data_dict["reason"],
    )
    return service.as_dict(updated)


@validate(schema.id_schema)
def govshare_feedback_attachment(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The evidence file of one feedback, for the route that streams it
    (``/govshare/feedback/<id>/attachment``) to those who may see the feedback (art. 15).
    Not part of the action API: its answer names a file on the server
    (``logic/auth/feedback.py``).

    :param id: the feedback
    :returns: ``{"name", "path", "type", "size", "sha256"}``; 404 when it has no evidence
    """
    feedback = _with_feedback(context, data_dict, "govshare_feedback_attachment")
    return service.evidence(feedback)
