"""Who may call the feedback (art. 15) and obligation (art. 8) actions (workflows.md "Roles")."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ...access.roles import Person
from ...feedback import rules as feedback_rules
from ...feedback import service as feedback_service
from ...obligations import rules as obligation_rules
from ...obligations import service as obligation_service

__all__ = [
    "govshare_feedback_create",
    "govshare_feedback_list",
    "govshare_feedback_resolve",
    "govshare_feedback_show",
    "govshare_obligation_create",
    "govshare_obligation_discharge",
    "govshare_obligation_list",
    "govshare_obligation_show",
]

_OK: dict[str, Any] = {"success": True}


def _refuse(msg: str) -> dict[str, Any]:
    return {"success": False, "msg": msg}


@tk.auth_disallow_anonymous_access
def govshare_feedback_create(context: Any, data_dict: Any) -> dict[str, Any]:
    """A department user (the action then checks that they may see the entry)."""
    person = Person.of(context)
    if person.sysadmin or person.orgs:
        return _OK
    return _refuse(tk._("Only members of a department may report doubtful data"))


def _feedback(data_dict: Any) -> dict[str, Any] | None:
    return feedback_service.load(str((data_dict or {}).get("id") or ""))


@tk.auth_disallow_anonymous_access
def govshare_feedback_show(context: Any, data_dict: Any) -> dict[str, Any]:
    feedback = _feedback(data_dict)
    if feedback is None or feedback_rules.may_see(Person.of(context), feedback):
        return _OK  # the action answers "not found"
    return _refuse(tk._("You may not see this feedback"))


@tk.auth_disallow_anonymous_access
def govshare_feedback_list(context: Any, data_dict: Any) -> dict[str, Any]:
    return _OK  # each user sees the feedback they may see


@tk.auth_disallow_anonymous_access
def govshare_feedback_resolve(context: Any, data_dict: Any) -> dict[str, Any]:
    feedback = _feedback(data_dict)
    if feedback is None or feedback_rules.may_resolve(Person.of(context), feedback):
        return _OK
    return _refuse(tk._("Only a data officer of the providing department may answer feedback"))


@tk.auth_disallow_anonymous_access
def govshare_obligation_create(context: Any, data_dict: Any) -> dict[str, Any]:
    org = model.Group.get(str((data_dict or {}).get("organization") or ""))
    if org is None or not org.is_organization:
        return _OK  # the action answers with a field error
    if obligation_rules.may_create(Person.of(context), org.id):
        return _OK
    return _refuse(
        tk._(
            "Only the sharing authority or the department's data officer may record a "
            "catalogue update obligation"
        )
    )


def _obligation(data_dict: Any) -> dict[str, Any] | None:
    return obligation_service.load(str((data_dict or {}).get("id") or ""))


@tk.auth_disallow_anonymous_access
def govshare_obligation_show(context: Any, data_dict: Any) -> dict[str, Any]:
    obligation = _obligation(data_dict)
    if obligation is None or obligation_rules.may_see(Person.of(context), obligation):
        return _OK
    return _refuse(tk._("You may not see this obligation"))


@tk.auth_disallow_anonymous_access
def govshare_obligation_list(context: Any, data_dict: Any) -> dict[str, Any]:
    return _OK  # each user sees their departments' obligations


@tk.auth_disallow_anonymous_access
def govshare_obligation_discharge(context: Any, data_dict: Any) -> dict[str, Any]:
    obligation = _obligation(data_dict)
    if obligation is None or obligation_rules.may_discharge(Person.of(context), obligation):
        return _OK
    return _refuse(tk._("Only the department's data officer may discharge its obligation"))
