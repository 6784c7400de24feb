"""Who may call the access actions (workflows.md "Roles"; art. 12, 14).

The auth functions answer who may take an action at all; whether the request's state allows
it is the state machine's answer, given by the action as a validation error. Every refusal
is in English and Chinese (docs/api.md, "Conventions").
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ... import profiles
from ...access import grants, requests, workflow
from ...access.workflow import Action
from ...core.membership import Person
from ...core.messages import message
from ..guard import lookup_key

__all__ = [
    "ATTACHMENT_ROUTE",
    "govshare_access_obtain",
    "govshare_escalation_decide",
    "govshare_grant_list",
    "govshare_grant_revoke",
    "govshare_grant_show",
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

ONLY_DEPARTMENTS = message(
    "Only members of a department may ask for shared data", "只有部门用户可以申请共享数据"
)
NOT_YOUR_DEPARTMENT = message(
    "You may only apply for a department you belong to", "只能以您所属的部门名义申请"
)
MAY_NOT_SEE_REQUEST = message("You may not see this request", "您无权查看该申请")
ROLE_NOT_ALLOWED = message(
    "Your role does not allow this step on this request", "您的角色不能对该申请执行此操作"
)
ROUTE_ONLY = message(
    "The attachment is served by the request page (/govshare/requests/<id>/attachment)",
    "附件请在申请页面下载（/govshare/requests/<id>/attachment）",
)
#: Set in the context by the request page's attachment route (the only caller allowed).
ATTACHMENT_ROUTE = "govshare_request_attachment_route"
MAY_NOT_SEE_GRANT = message("You may not see this grant", "您无权查看该授权")
MAY_NOT_REVOKE = message(
    "Only a data officer of the providing department or the sharing authority may revoke a grant",
    "只有提供部门的数据管理员或共享主管部门可以撤销授权",
)


def _staff_draft() -> bool:
    """2025 art. 20: while internal sign-off is on, the provider's staff see the requests to
    their department and draft the answers."""
    return profiles.on("internal_signoff")


def _ok() -> AuthResult:
    return {"success": True}


def _refuse(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _department_user(context: Context, data_dict: DataDict) -> AuthResult:
    """A member of a department, applying for one of the departments they belong to."""
    person = Person.of(context)
    if person.sysadmin:
        return _ok()
    if not person.orgs:
        return _refuse(ONLY_DEPARTMENTS)
    org = (data_dict or {}).get("requesting_org")
    if org:
        group = model.Group.get(lookup_key(org))  # a list or a dict finds nothing (issue 14)
        if group is None or group.id not in person.orgs:
            return _refuse(NOT_YOUR_DEPARTMENT)
    return _ok()


@tk.auth_disallow_anonymous_access
def govshare_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _department_user(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_access_obtain(context: Context, data_dict: DataDict) -> AuthResult:
    return _department_user(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_negotiation_open(context: Context, data_dict: DataDict) -> AuthResult:
    request_id = (data_dict or {}).get("request_id")
    if request_id:
        return _on_request(context, data_dict, Action.NEGOTIATE, key="request_id")
    return _department_user(context, data_dict)


def _on_request(
    context: Context,
    data_dict: DataDict,
    action: Action,
    key: str = "id",
    *,
    also: Action | None = None,
) -> AuthResult:
    """The user sees the request and holds a role that may ever take ``action`` (or
    ``also``)."""
    request = requests.load_request(str((data_dict or {}).get(key) or ""))
    if request is None:
        return _ok()  # the action answers "not found"
    person = Person.of(context)
    if not person.may_see_request(request, staff_draft=_staff_draft()):
        return _refuse(MAY_NOT_SEE_REQUEST)
    if action is Action.COMMENT:
        return _ok()  # the thread's own rule, per state, is the state machine's
    roles = person.request_roles(request)
    may = {role for t in workflow.TRANSITIONS if t.action in (action, also) for role in t.roles}
    if roles & may:
        return _ok()
    return _refuse(ROLE_NOT_ALLOWED)


@tk.auth_disallow_anonymous_access
def govshare_request_show(context: Context, data_dict: DataDict) -> AuthResult:
    request = requests.load_request(str((data_dict or {}).get("id") or ""))
    if request is None or Person.of(context).may_see_request(request, staff_draft=_staff_draft()):
        return _ok()
    return _refuse(MAY_NOT_SEE_REQUEST)


@tk.auth_disallow_anonymous_access
def govshare_request_attachment(context: Context, data_dict: DataDict) -> AuthResult:
    """The request page's attachment route only (the answer holds a path on the server), for
    those who may see the request."""
    if not context.get(ATTACHMENT_ROUTE):
        return _refuse(ROUTE_ONLY)
    return govshare_request_show(context, data_dict)


@tk.auth_disallow_anonymous_access
def govshare_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _ok()  # each user sees the requests they may see


@tk.auth_disallow_anonymous_access
def govshare_request_decide(context: Context, data_dict: DataDict) -> AuthResult:
    decision = str((data_dict or {}).get("decision") or "")
    action = {"reject": Action.REJECT, "return": Action.RETURN}.get(decision, Action.APPROVE)
    # 2025 art. 20: the provider's staff answer as a draft for their head.
    also = Action.DRAFT_ANSWER if _staff_draft() else None
    return _on_request(context, data_dict, action, also=also)


@tk.auth_disallow_anonymous_access
def govshare_request_resubmit(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_request(context, data_dict, Action.RESUBMIT)


@tk.auth_disallow_anonymous_access
def govshare_request_withdraw(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_request(context, data_dict, Action.WITHDRAW)


@tk.auth_disallow_anonymous_access
def govshare_request_comment(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_request(context, data_dict, Action.COMMENT)


@tk.auth_disallow_anonymous_access
def govshare_request_escalate(context: Context, data_dict: DataDict) -> AuthResult:
    return _on_request(context, data_dict, Action.ESCALATE)


@tk.auth_disallow_anonymous_access
def govshare_escalation_decide(context: Context, data_dict: DataDict) -> AuthResult:
    decision = (data_dict or {}).get("decision")
    return _on_request(context, data_dict, Action.DENY if decision == "deny" else Action.GRANT)


@tk.auth_disallow_anonymous_access
def govshare_grant_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _ok()  # each user sees their departments' grants and grants on their entries


@tk.auth_disallow_anonymous_access
def govshare_grant_show(context: Context, data_dict: DataDict) -> AuthResult:
    grant = grants.load_grant(str((data_dict or {}).get("id") or ""))
    if grant is None or Person.of(context).may_see_grant(grant):
        return _ok()
    return _refuse(MAY_NOT_SEE_GRANT)


@tk.auth_disallow_anonymous_access
def govshare_grant_revoke(context: Context, data_dict: DataDict) -> AuthResult:
    grant = grants.load_grant(str((data_dict or {}).get("id") or ""))
    if grant is None or Person.of(context).may_revoke_grant(grant):
        return _ok()
    return _refuse(MAY_NOT_REVOKE)
