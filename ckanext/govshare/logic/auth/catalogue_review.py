"""Auth functions: the sharing authority's catalogue review and the catalogue-update
extension (2025 Regulations art. 13, 16, 17).

Every refusal is in English and Chinese, the anonymous caller's too (these functions let
anonymous calls in and refuse them themselves, as ``logic/auth/feedback.py`` does).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...core.membership import Person
from ...core.messages import message
from ...obligations import rules as obligation_rules
from ...obligations import service as obligation_service
from ...review import rules as review_rules

__all__ = [
    "govshare_catalogue_review",
    "govshare_catalogue_review_list",
    "govshare_obligation_extend",
    "govshare_obligation_extension_decide",
]

LOG_IN = message("Log in first", "请先登录")
ONLY_AUTHORITY_REVIEWS = message(
    "Only the sharing authority reviews catalogue entries (2025 Regulations art. 16)",
    "只有共享主管部门可以审核目录（《政务数据共享条例》第十六条）",
)
ONLY_OFFICER_EXTENDS = message(
    "Only the department's data officer may ask to extend its catalogue update",
    "只有本部门数据管理员可以申请目录更新延期",
)
ONLY_AUTHORITY_EXTENDS = message(
    "Only the sharing authority consents to extending a catalogue update (2025 Regulations "
    "art. 17)",
    "只有共享主管部门可以同意目录更新延期（《政务数据共享条例》第十七条）",
)

_OK: AuthResult = {"success": True}


def _refuse(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _person(context: Context) -> Person | None:
    person = Person.of(context) if context.get("user") else None
    return person if person is not None and person.id is not None else None


@tk.auth_allow_anonymous_access
def govshare_catalogue_review(context: Context, data_dict: DataDict) -> AuthResult:
    """A member of the sharing authority, or a sysadmin (art. 16)."""
    person = _person(context)
    if person is None:
        return _refuse(LOG_IN)
    return _OK if review_rules.may_review(person) else _refuse(ONLY_AUTHORITY_REVIEWS)


@tk.auth_allow_anonymous_access
def govshare_catalogue_review_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: each sees the reviews of their departments' entries."""
    return _OK if _person(context) is not None else _refuse(LOG_IN)


def _obligation(data_dict: DataDict) -> dict[str, Any] | None:
    return obligation_service.load(str((data_dict or {}).get("id") or ""))


@tk.auth_allow_anonymous_access
def govshare_obligation_extend(context: Context, data_dict: DataDict) -> AuthResult:
    """The department's data officer (or a sysadmin), art. 17."""
    person = _person(context)
    if person is None:
        return _refuse(LOG_IN)
    obligation = _obligation(data_dict)
    if obligation is None or obligation_rules.may_extend(person, obligation):
        return _OK  # the action answers "not found"
    return _refuse(ONLY_OFFICER_EXTENDS)


@tk.auth_allow_anonymous_access
def govshare_obligation_extension_decide(context: Context, data_dict: DataDict) -> AuthResult:
    """The sharing authority (or a sysadmin), art. 17."""
    person = _person(context)
    if person is None:
        return _refuse(LOG_IN)
    if obligation_rules.may_decide_extension(person):
        return _OK
    return _refuse(ONLY_AUTHORITY_EXTENDS)
