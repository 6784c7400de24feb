"""Who may call the feedback (art. 15) and obligation (art. 8) actions (workflows.md "Roles").

Every refusal is in English and Chinese (docs/api.md, "Conventions"), the anonymous caller's
too: CKAN's own "requires an authenticated user" is English only, so these functions let
anonymous calls in and refuse them themselves.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ...core.membership import Person
from ...core.messages import message
from ...feedback import rules as feedback_rules
from ...feedback import service as feedback_service
from ...obligations import rules as obligation_rules
from ...obligations import service as obligation_service
from .downloads import ROUTE_KEY

__all__ = [
    "govshare_feedback_attachment",
    "govshare_feedback_create",
    "govshare_feedback_list",
    "govshare_feedback_resolve",
    "govshare_feedback_show",
    "govshare_obligation_create",
    "govshare_obligation_discharge",
    "govshare_obligation_list",
    "govshare_obligation_show",
]

LOG_IN = message("Log in first", "请先登录")
ONLY_DEPARTMENTS = message(
    "Only members of a department may report doubtful data", "只有部门用户可以反馈数据疑义"
)
MAY_NOT_SEE_FEEDBACK = message("You may not see this feedback", "您无权查看该反馈")
ONLY_PROVIDER_OFFICERS = message(
    "Only a data officer of the providing department may answer feedback",
    "只有数据提供部门的数据管理员可以答复反馈",
)
ONLY_AUTHORITY_OR_OFFICER = message(
    "Only the sharing authority or the department's data officer may record a catalogue "
    "update obligation",
    "只有共享主管部门或本部门数据管理员可以登记目录更新任务",
)
MAY_NOT_SEE_OBLIGATION = message("You may not see this obligation", "您无权查看该目录更新任务")
ONLY_DEPARTMENT_OFFICER = message(
    "Only the department's data officer may discharge its obligation",
    "只有本部门数据管理员可以完成目录更新任务",
)

ROUTE_ONLY = message(
    "This action serves the evidence file's page (/govshare/feedback/<id>/attachment): it is "
    "not part of the action API",
    "该操作仅供反馈附件页面（/govshare/feedback/<id>/attachment）内部使用，不属于操作接口",
)

_OK: AuthResult = {"success": True}


def _refuse(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _person(context: Context) -> Person | None:
    """The caller, or ``None`` for an anonymous one (refused by every function here)."""
    return Person.of(context) if context.get("user") else None


@tk.auth_allow_anonymous_access
def govshare_feedback_create(context: Context, data_dict: DataDict) -> AuthResult:
    """A department user (the action then checks that they may see the entry, art. 15)."""
    person = _person(context)
    if person is None or person.id is None:
        return _refuse(LOG_IN)
    if person.sysadmin or person.orgs:
        return _OK
    return _refuse(ONLY_DEPARTMENTS)


def _feedback(data_dict: DataDict) -> dict[str, Any] | None:
    return feedback_service.load(str((data_dict or {}).get("id") or ""))


@tk.auth_allow_anonymous_access
def govshare_feedback_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The reporting department, the provider's data officers, the authority, sysadmins."""
    person = _person(context)
    if person is None or person.id is None:
        return _refuse(LOG_IN)
    feedback = _feedback(data_dict)
    if feedback is None or feedback_rules.may_see(person, feedback):
        return _OK  # the action answers "not found"
    return _refuse(MAY_NOT_SEE_FEEDBACK)


@tk.auth_sysadmins_check
@tk.auth_allow_anonymous_access
def govshare_feedback_attachment(context: Context, data_dict: DataDict) -> AuthResult:
    """The evidence file's route only (its answer holds a path on the server): it calls with
    ``logic.auth.downloads.route_context``, a context the action API cannot set; then those
    who may see the feedback."""
    if not context.get(ROUTE_KEY):
        return _refuse(ROUTE_ONLY)
    return govshare_feedback_show(context, data_dict)


@tk.auth_allow_anonymous_access
def govshare_feedback_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: each sees the feedback they may see."""
    person = _person(context)
    return _OK if person is not None and person.id is not None else _refuse(LOG_IN)


@tk.auth_allow_anonymous_access
def govshare_feedback_resolve(context: Context, data_dict: DataDict) -> AuthResult:
    """The provider verifies (art. 15): its data officers, or a sysadmin."""
    person = _person(context)
    if person is None or person.id is None:
        return _refuse(LOG_IN)
    feedback = _feedback(data_dict)
    if feedback is None or feedback_rules.may_resolve(person, feedback):
        return _OK
    return _refuse(ONLY_PROVIDER_OFFICERS)


@tk.auth_allow_anonymous_access
def govshare_obligation_create(context: Context, data_dict: DataDict) -> AuthResult:
    """The sharing authority or the department's data officer (art. 8)."""
    person = _person(context)
    if person is None or person.id is None:
        return _refuse(LOG_IN)
    data = data_dict or {}
    org = model.Group.get(str(data.get("provider_org") or data.get("organization") or ""))
    if org is None or not org.is_organization:
        return _OK  # the action answers with a field error
    if obligation_rules.may_create(person, org.id):
        return _OK
    return _refuse(ONLY_AUTHORITY_OR_OFFICER)


def _obligation(data_dict: DataDict) -> dict[str, Any] | None:
    return obligation_service.load(str((data_dict or {}).get("id") or ""))


@tk.auth_allow_anonymous_access
def govshare_obligation_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The department's members, the sharing authority and sysadmins."""
    person = _person(context)
    if person is None or person.id is None:
        return _refuse(LOG_IN)
    obligation = _obligation(data_dict)
    if obligation is None or obligation_rules.may_see(person, obligation):
        return _OK
    return _refuse(MAY_NOT_SEE_OBLIGATION)


@tk.auth_allow_anonymous_access
def govshare_obligation_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: each sees their departments' obligations."""
    person = _person(context)
    return _OK if person is not None and person.id is not None else _refuse(LOG_IN)


@tk.auth_allow_anonymous_access
def govshare_obligation_discharge(context: Context, data_dict: DataDict) -> AuthResult:
    """The department's data officer: it maintains its catalogue (art. 8)."""
    person = _person(context)
    if person is None or person.id is None:
        return _refuse(LOG_IN)
    obligation = _obligation(data_dict)
    if obligation is None or obligation_rules.may_discharge(person, obligation):
        return _OK
    return _refuse(ONLY_DEPARTMENT_OFFICER)
