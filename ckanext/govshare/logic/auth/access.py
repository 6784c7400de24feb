"""Who may call the access actions (workflows.md "Roles").

The auth functions answer who may take an action at all; whether the request's state allows
it is the state machine's answer, given by the action as a validation error.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ...access import service, workflow
from ...access.roles import Person
from ...access.workflow import Action

__all__ = [
    "govshare_access_obtain",
    "govshare_escalation_decide",
    "govshare_grant_list",
    "govshare_grant_revoke",
    "govshare_grant_show",
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

_OK: dict[str, Any] = {"success": True}


def _refuse(msg: str) -> dict[str, Any]:
    return {"success": False, "msg": msg}


def _department_user(context: Any, data_dict: Any) -> dict[str, Any]:
    """A member of a department, applying for one of the departments they belong to."""
    person = Person.of(context)
    if person.sysadmin:
        return _OK
    if not person.orgs:
        return _refuse(tk._("Only members of a department may ask for shared data"))
    org = (data_dict or {}).get("requesting_org")
    if org:
        from ckan import model

        from ..guard import lookup_key

        group = model.Group.get(lookup_key(org))  # a list or a dict finds nothing (issue 14)
        if group is None or group.id not in person.orgs:
            return _refuse(tk._("You may only apply for a department you belong to"))
    return _OK


@tk.auth_disallow_anonymous_access
def govshare_request_create(context: Any, data_dict: Any) -> dict[str, Any]:
    return _department_user(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_access_obtain(context: Any, data_dict: Any) -> dict[str, Any]:
    return _department_user(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_negotiation_open(context: Any, data_dict: Any) -> dict[str, Any]:
    request_id = (data_dict or {}).get("request_id")
    if request_id:
        return _on_request(context, data_dict, Action.NEGOTIATE, key="request_id")
    return _department_user(context, data_dict)


def _on_request(context: Any, data_dict: Any, action: Action, key: str = "id") -> dict[str, Any]:
    """The user sees the request and holds a role that may ever take ``action``."""
    request = service.load_request(str((data_dict or {}).get(key) or ""))
    if request is None:
        return _OK  # the action answers "not found"
    person = Person.of(context)
    if not person.may_see_request(request):
        return _refuse(tk._("You may not see this request"))
    if action is Action.COMMENT:
        return _OK  # the thread's own rule, per state, is the state machine's
    roles = person.request_roles(request)
    may = {role for t in workflow.TRANSITIONS if t.action is action for role in t.roles}
    if roles & may:
        return _OK
    return _refuse(tk._("Your role does not allow this step on this request"))


@tk.auth_disallow_anonymous_access
def govshare_request_show(context: Any, data_dict: Any) -> dict[str, Any]:
    request = service.load_request(str((data_dict or {}).get("id") or ""))
    if request is None or Person.of(context).may_see_request(request):
        return _OK
    return _refuse(tk._("You may not see this request"))


@tk.auth_disallow_anonymous_access
def govshare_request_list(context: Any, data_dict: Any) -> dict[str, Any]:
    return _OK  # each user sees the requests they may see


@tk.auth_disallow_anonymous_access
def govshare_request_decide(context: Any, data_dict: Any) -> dict[str, Any]:
    decision = (data_dict or {}).get("decision")
    action = {"reject": Action.REJECT, "return": Action.RETURN}.get(decision, Action.APPROVE)
    return _on_request(context, data_dict, action)


@tk.auth_disallow_anonymous_access
def govshare_request_resubmit(context: Any, data_dict: Any) -> dict[str, Any]:
    return _on_request(context, data_dict, Action.RESUBMIT)


@tk.auth_disallow_anonymous_access
def govshare_request_withdraw(context: Any, data_dict: Any) -> dict[str, Any]:
    return _on_request(context, data_dict, Action.WITHDRAW)


@tk.auth_disallow_anonymous_access
def govshare_request_comment(context: Any, data_dict: Any) -> dict[str, Any]:
    return _on_request(context, data_dict, Action.COMMENT)


@tk.auth_disallow_anonymous_access
def govshare_request_escalate(context: Any, data_dict: Any) -> dict[str, Any]:
    return _on_request(context, data_dict, Action.ESCALATE)


@tk.auth_disallow_anonymous_access
def govshare_escalation_decide(context: Any, data_dict: Any) -> dict[str, Any]:
    decision = (data_dict or {}).get("decision")
    return _on_request(context, data_dict, Action.DENY if decision == "deny" else Action.GRANT)


@tk.auth_disallow_anonymous_access
def govshare_grant_list(context: Any, data_dict: Any) -> dict[str, Any]:
    return _OK  # each user sees their departments' grants and grants on their entries


@tk.auth_disallow_anonymous_access
def govshare_grant_show(context: Any, data_dict: Any) -> dict[str, Any]:
    grant = service.load_grant(str((data_dict or {}).get("id") or ""))
    if grant is None or Person.of(context).may_see_grant(grant):
        return _OK
    return _refuse(tk._("You may not see this grant"))


@tk.auth_disallow_anonymous_access
def govshare_grant_revoke(context: Any, data_dict: Any) -> dict[str, Any]:
    grant = service.load_grant(str((data_dict or {}).get("id") or ""))
    if grant is None or Person.of(context).may_revoke_grant(grant):
        return _OK
    return _refuse(
        tk._(
            "Only a data officer of the providing department or the sharing authority may "
            "revoke a grant"
        )
    )
