"""The one state machine of access requests and negotiations (art. 12, workflows.md).

Plain Python: no CKAN, no Flask, no database. Actions ask :func:`transition` whether a role may
move a request from its state by an action, and get the new state or an :class:`Refused` that
says why in both languages. The exhaustive tests walk every state × action × role here.

Conditional path (art. 12(2)): ``submitted`` → ``approved`` | ``rejected`` | ``returned``
(→ ``submitted`` again on resubmission) | ``withdrawn`` | ``expired``. A request that is not
answered by its due date stays ``submitted`` and is *overdue*: shown, reported, and the
requester may escalate it (never silently approved).

Not-shared path (art. 12(3)), and a rejected conditional request: ``negotiating`` →
``escalated_authority`` → ``escalated_joint_conference`` (only when a central department is
involved) → ``granted`` | ``denied``. The provider may still agree while negotiating
(→ ``granted``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from ..core.messages import message
from ..core.roles import Role

SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
EXPIRED = "expired"
NEGOTIATING = "negotiating"
ESCALATED_AUTHORITY = "escalated_authority"
ESCALATED_CONFERENCE = "escalated_joint_conference"
GRANTED = "granted"
DENIED = "denied"

STATES: tuple[str, ...] = (
    SUBMITTED,
    RETURNED,
    APPROVED,
    REJECTED,
    WITHDRAWN,
    EXPIRED,
    NEGOTIATING,
    ESCALATED_AUTHORITY,
    ESCALATED_CONFERENCE,
    GRANTED,
    DENIED,
)
# Open: someone still has to act. Final: nothing but comments (and, for a rejection, a
# negotiation) follows.
OPEN_STATES = frozenset(
    {SUBMITTED, RETURNED, NEGOTIATING, ESCALATED_AUTHORITY, ESCALATED_CONFERENCE}
)
FINAL_STATES = frozenset(STATES) - OPEN_STATES
# States in which the provider's working-day clock runs (art. 12(2)).
CLOCK_RUNNING = frozenset({SUBMITTED})
# States that end with a grant.
GRANTING_STATES = frozenset({APPROVED, GRANTED})


class Action(str, enum.Enum):
    SUBMIT = "submit"  # govshare_request_create
    APPROVE = "approve"  # govshare_request_decide
    REJECT = "reject"
    RETURN = "return"
    RESUBMIT = "resubmit"  # govshare_request_resubmit
    WITHDRAW = "withdraw"  # govshare_request_withdraw
    EXPIRE = "expire"  # ckan govshare remind
    NEGOTIATE = "negotiate"  # govshare_negotiation_open
    ESCALATE = "escalate"  # govshare_request_escalate
    GRANT = "grant"  # govshare_escalation_decide
    DENY = "deny"
    COMMENT = "comment"  # govshare_request_comment


NEW = None  # the "state" before a request exists


@dataclass(frozen=True)
class Transition:
    source: str | None
    action: Action
    target: str
    roles: frozenset[Role]


def _t(source: str | None, action: Action, target: str, *roles: Role) -> Transition:
    return Transition(source, action, target, frozenset({*roles, Role.SYSADMIN}))


R, P, A, C, S = Role.REQUESTER, Role.PROVIDER, Role.AUTHORITY, Role.CONFERENCE, Role.SYSTEM

TRANSITIONS: tuple[Transition, ...] = (
    _t(NEW, Action.SUBMIT, SUBMITTED, R),
    _t(SUBMITTED, Action.APPROVE, APPROVED, P),
    _t(SUBMITTED, Action.REJECT, REJECTED, P),
    _t(SUBMITTED, Action.RETURN, RETURNED, P),
    _t(RETURNED, Action.RESUBMIT, SUBMITTED, R),
    _t(SUBMITTED, Action.WITHDRAW, WITHDRAWN, R),
    _t(RETURNED, Action.WITHDRAW, WITHDRAWN, R),
    _t(SUBMITTED, Action.EXPIRE, EXPIRED, S),
    _t(RETURNED, Action.EXPIRE, EXPIRED, S),
    # An overdue request goes up to the authority (workflows.md: "shown and escalated").
    _t(SUBMITTED, Action.ESCALATE, ESCALATED_AUTHORITY, R),
    # Not shared, or refused: negotiate, then escalate.
    _t(NEW, Action.NEGOTIATE, NEGOTIATING, R),
    _t(REJECTED, Action.NEGOTIATE, NEGOTIATING, R),
    _t(NEGOTIATING, Action.APPROVE, GRANTED, P),
    _t(NEGOTIATING, Action.ESCALATE, ESCALATED_AUTHORITY, R, P),
    _t(ESCALATED_AUTHORITY, Action.ESCALATE, ESCALATED_CONFERENCE, R, P, A),
    _t(ESCALATED_AUTHORITY, Action.GRANT, GRANTED, A),
    _t(ESCALATED_AUTHORITY, Action.DENY, DENIED, A),
    _t(ESCALATED_CONFERENCE, Action.GRANT, GRANTED, C),
    _t(ESCALATED_CONFERENCE, Action.DENY, DENIED, C),
    _t(NEGOTIATING, Action.WITHDRAW, WITHDRAWN, R),
    _t(ESCALATED_AUTHORITY, Action.WITHDRAW, WITHDRAWN, R),
    _t(ESCALATED_CONFERENCE, Action.WITHDRAW, WITHDRAWN, R),
)
_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}

# Who may write in a request's thread, by state: the parties, and whoever it is escalated to.
_COMMENTERS: dict[str, frozenset[Role]] = {
    state: frozenset({R, P, Role.SYSADMIN}) for state in STATES
}
_COMMENTERS[ESCALATED_AUTHORITY] = frozenset({R, P, A, Role.SYSADMIN})
_COMMENTERS[ESCALATED_CONFERENCE] = frozenset({R, P, A, C, Role.SYSADMIN})

STATE_LABELS: dict[str, tuple[str, str]] = {
    SUBMITTED: ("Submitted", "已提交"),
    RETURNED: ("Returned for more information", "退回补充材料"),
    APPROVED: ("Approved", "已同意"),
    REJECTED: ("Rejected", "已拒绝"),
    WITHDRAWN: ("Withdrawn", "已撤回"),
    EXPIRED: ("Expired", "已失效"),
    NEGOTIATING: ("Negotiating", "协商中"),
    ESCALATED_AUTHORITY: ("Escalated to the sharing authority", "已提请共享主管部门协调"),
    ESCALATED_CONFERENCE: ("Escalated to the joint conference", "已提请部际联席会议决定"),
    GRANTED: ("Granted", "已准予共享"),
    DENIED: ("Denied", "不予共享"),
}


class Refused(Exception):
    """A transition that may not happen; ``message`` is in both languages.

    ``field`` names the input at fault, when there is one, so actions can turn it into a
    field-level validation error; ``forbidden`` means the role is the problem (403, not 409).
    """

    def __init__(self, msg: str, *, field: str = "status", forbidden: bool = False) -> None:
        super().__init__(msg)
        self.message = msg
        self.field = field
        self.forbidden = forbidden


def _state_label(state: str | None) -> tuple[str, str]:
    return STATE_LABELS.get(state or "", ("new", "新建"))


def allowed_actions(state: str | None, roles: Iterable[Role], **conditions: bool) -> list[Action]:
    """The actions these roles may take on a request in ``state`` (for pages and the API)."""
    roles = frozenset(roles)
    result = []
    for action in Action:
        try:
            transition(state, action, roles, **conditions)
        except Refused:
            continue
        result.append(action)
    return result


def transition(
    state: str | None,
    action: Action | str,
    roles: Iterable[Role],
    *,
    overdue: bool = False,
    central_involved: bool = False,
) -> str:
    """The state after ``action``, or :class:`Refused`.

    ``overdue``: the provider's due date has passed (an overdue request may be escalated).
    ``central_involved``: the requesting or providing department is a central one, which is
    what lets a dispute go on to the joint conference.
    """
    action = Action(action)
    roles = frozenset(roles)
    if action is Action.COMMENT:
        if state is None:
            raise Refused(message("There is no request to comment on", "申请不存在，无法留言"))
        if roles & _COMMENTERS[state]:
            return state
        raise Refused(
            message(
                "Only the two departments, and whoever the request is escalated to, may write "
                "in its thread",
                "只有申请方、提供方以及受理协调的部门可以留言",
            ),
            forbidden=True,
        )
    found = _BY_KEY.get((state, action))
    if found is None:
        en, zh = _state_label(state)
        raise Refused(
            message(
                f"A request that is {en.lower()} cannot be {_DONE[action][0]}",
                f"处于“{zh}”状态的申请不能{_DONE[action][1]}",
            )
        )
    if not roles & found.roles:
        raise Refused(_WHO[action], forbidden=True)
    if state == SUBMITTED and action is Action.ESCALATE and not overdue:
        raise Refused(
            message(
                "A request can be escalated only once its due date has passed unanswered; "
                "until then the provider decides",
                "申请超过答复期限仍未答复的，方可提请协调；期限内由提供方答复",
            )
        )
    if action is Action.ESCALATE and found.target == ESCALATED_CONFERENCE and not central_involved:
        raise Refused(
            message(
                "Only a dispute that involves a central department goes on to the joint "
                "conference; the sharing authority's decision is final here",
                "仅涉及中央部门的争议可提请部际联席会议，本争议以共享主管部门的决定为准",
            )
        )
    return found.target


# What each action does, for "cannot be …" messages.
_DONE: dict[Action, tuple[str, str]] = {
    Action.SUBMIT: ("submitted", "提交"),
    Action.APPROVE: ("approved", "同意"),
    Action.REJECT: ("rejected", "拒绝"),
    Action.RETURN: ("returned for more information", "退回补充材料"),
    Action.RESUBMIT: ("resubmitted", "重新提交"),
    Action.WITHDRAW: ("withdrawn", "撤回"),
    Action.EXPIRE: ("expired", "置为失效"),
    Action.NEGOTIATE: ("taken to negotiation", "发起协商"),
    Action.ESCALATE: ("escalated", "提请协调"),
    Action.GRANT: ("granted", "准予共享"),
    Action.DENY: ("denied", "决定不予共享"),
    Action.COMMENT: ("commented on", "留言"),
}

# Who may take each action, for "only … may" messages.
_WHO: dict[Action, str] = {
    Action.SUBMIT: message(
        "Only a member of the requesting department may apply for it",
        "只有申请部门的成员可以提交申请",
    ),
    Action.APPROVE: message(
        "Only a data officer of the providing department may decide this request",
        "只有提供部门的数据管理员可以答复该申请",
    ),
    Action.REJECT: message(
        "Only a data officer of the providing department may decide this request",
        "只有提供部门的数据管理员可以答复该申请",
    ),
    Action.RETURN: message(
        "Only a data officer of the providing department may decide this request",
        "只有提供部门的数据管理员可以答复该申请",
    ),
    Action.RESUBMIT: message(
        "Only the requesting department may resubmit its request",
        "只有申请部门可以重新提交申请",
    ),
    Action.WITHDRAW: message(
        "Only the requesting department may withdraw its request",
        "只有申请部门可以撤回申请",
    ),
    Action.EXPIRE: message("Only the platform expires requests", "申请只能由平台置为失效"),
    Action.NEGOTIATE: message(
        "Only a member of the requesting department may open a negotiation",
        "只有申请部门的成员可以发起协商",
    ),
    Action.ESCALATE: message(
        "Only the two departments (and, from the sharing authority, the authority itself) may "
        "escalate a dispute",
        "只有争议双方（以及提请部际联席会议时的共享主管部门）可以提请协调",
    ),
    Action.GRANT: message(
        "Only the body the dispute is escalated to may decide it: the sharing authority, or "
        "the joint conference",
        "只有受理争议的共享主管部门或部际联席会议可以作出决定",
    ),
    Action.DENY: message(
        "Only the body the dispute is escalated to may decide it: the sharing authority, or "
        "the joint conference",
        "只有受理争议的共享主管部门或部际联席会议可以作出决定",
    ),
    Action.COMMENT: message(
        "Only the two departments, and whoever the request is escalated to, may write in its "
        "thread",
        "只有申请方、提供方以及受理协调的部门可以留言",
    ),
}
