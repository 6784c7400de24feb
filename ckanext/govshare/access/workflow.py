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

Under the 2025 Regulations (the ``regulation-2025`` profile; the caller passes what the
profile says as conditions):

- internal sign-off (art. 20, ``signoff_required``): a request drafted by a department's staff
  waits in ``awaiting_signoff`` for a data officer of that department (``signoff`` →
  ``submitted``, the clock starts; ``signoff_return`` → ``signoff_returned``, the drafter
  changes it and sends it again). An answer drafted by the provider's staff
  (``draft_answer``) leaves the request ``submitted`` until the provider's officer signs it
  off (the drafted decision is then taken) or returns the draft (``signoff_return``);
- extensions (art. 21): the provider asks (``extend``), the authority decides
  (``extension_decide``); the request stays ``submitted``, its due date moves;
- the dispute path (art. 28, ``dispute_path="upper_authority"``): ``escalated_authority`` →
  ``escalated_upper_authority`` (cross-level or cross-region disputes, ``cross_level``) →
  ``escalated_government`` (the people's government decides; the authority enters its
  decision) → ``granted`` | ``denied``. The joint conference is the 2016 path only.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
# 2025 art. 20: a request drafted by staff waits for the department's head; returned by them.
AWAITING_SIGNOFF = "awaiting_signoff"
SIGNOFF_RETURNED = "signoff_returned"
# 2025 art. 28: the common upper authority; the people's government at that level.
ESCALATED_UPPER = "escalated_upper_authority"
ESCALATED_GOVERNMENT = "escalated_government"

#: Dispute paths: the 2016 Measures' (art. 12) and the 2025 Regulations' (art. 28).
JOINT_CONFERENCE_PATH = "joint_conference"
UPPER_AUTHORITY_PATH = "upper_authority"

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
    AWAITING_SIGNOFF,
    SIGNOFF_RETURNED,
    ESCALATED_UPPER,
    ESCALATED_GOVERNMENT,
)
# Open: someone still has to act. Final: nothing but comments (and, for a rejection, a
# negotiation) follows.
OPEN_STATES = frozenset(
    {
        SUBMITTED,
        RETURNED,
        NEGOTIATING,
        ESCALATED_AUTHORITY,
        ESCALATED_CONFERENCE,
        AWAITING_SIGNOFF,
        SIGNOFF_RETURNED,
        ESCALATED_UPPER,
        ESCALATED_GOVERNMENT,
    }
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
    SIGNOFF = "signoff"  # govshare_request_signoff, decision approve (2025 art. 20)
    SIGNOFF_RETURN = "signoff_return"  # govshare_request_signoff, decision return
    DRAFT_ANSWER = "draft_answer"  # govshare_request_decide by the provider's staff
    EXTEND = "extend"  # govshare_request_extend (2025 art. 21)
    EXTENSION_DECIDE = "extension_decide"  # govshare_extension_decide


NEW = None  # the "state" before a request exists


@dataclass(frozen=True)
class Transition:
    source: str | None
    action: Action
    target: str
    roles: frozenset[Role]
    # Only on this dispute path (None: on both).
    path: str | None = None


def _t(
    source: str | None, action: Action, target: str, *roles: Role, path: str | None = None
) -> Transition:
    return Transition(source, action, target, frozenset({*roles, Role.SYSADMIN}), path)


R, P, A, C, S = Role.REQUESTER, Role.PROVIDER, Role.AUTHORITY, Role.CONFERENCE, Role.SYSTEM
RO, PS = Role.REQUESTER_OFFICER, Role.PROVIDER_STAFF
JC, UA = JOINT_CONFERENCE_PATH, UPPER_AUTHORITY_PATH

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
    _t(ESCALATED_AUTHORITY, Action.ESCALATE, ESCALATED_CONFERENCE, R, P, A, path=JC),
    _t(ESCALATED_AUTHORITY, Action.GRANT, GRANTED, A),
    _t(ESCALATED_AUTHORITY, Action.DENY, DENIED, A),
    _t(ESCALATED_CONFERENCE, Action.GRANT, GRANTED, C),
    _t(ESCALATED_CONFERENCE, Action.DENY, DENIED, C),
    _t(NEGOTIATING, Action.WITHDRAW, WITHDRAWN, R),
    _t(ESCALATED_AUTHORITY, Action.WITHDRAW, WITHDRAWN, R),
    _t(ESCALATED_CONFERENCE, Action.WITHDRAW, WITHDRAWN, R),
    # 2025 art. 28: the same-level authority, then (cross-level or cross-region) the common
    # upper authority, then the people's government; the authority enters their outcomes.
    # The target of escalating from the authority depends on ``cross_level`` (see below).
    _t(ESCALATED_AUTHORITY, Action.ESCALATE, ESCALATED_UPPER, R, P, A, path=UA),
    _t(ESCALATED_UPPER, Action.ESCALATE, ESCALATED_GOVERNMENT, R, P, A, path=UA),
    # A dispute that reached a body is decided (or withdrawn) there on either path, as one at
    # the joint conference is: a change of profile leaves no request without a way out.
    _t(ESCALATED_UPPER, Action.GRANT, GRANTED, A),
    _t(ESCALATED_UPPER, Action.DENY, DENIED, A),
    _t(ESCALATED_GOVERNMENT, Action.GRANT, GRANTED, A),
    _t(ESCALATED_GOVERNMENT, Action.DENY, DENIED, A),
    _t(ESCALATED_UPPER, Action.WITHDRAW, WITHDRAWN, R),
    _t(ESCALATED_GOVERNMENT, Action.WITHDRAW, WITHDRAWN, R),
    # 2025 art. 20: the requesting department's head signs off what its staff drafted (the
    # target of submitting is ``awaiting_signoff`` when ``signoff_required``, see below).
    _t(AWAITING_SIGNOFF, Action.SIGNOFF, SUBMITTED, RO),
    _t(AWAITING_SIGNOFF, Action.SIGNOFF_RETURN, SIGNOFF_RETURNED, RO),
    _t(SIGNOFF_RETURNED, Action.RESUBMIT, SUBMITTED, R),
    _t(AWAITING_SIGNOFF, Action.WITHDRAW, WITHDRAWN, R),
    _t(SIGNOFF_RETURNED, Action.WITHDRAW, WITHDRAWN, R),
    # The period of use asked for ends while the request waits for its head: it expires too.
    _t(AWAITING_SIGNOFF, Action.EXPIRE, EXPIRED, S),
    _t(SIGNOFF_RETURNED, Action.EXPIRE, EXPIRED, S),
    # ... and the provider's head what its staff drafted: the drafted decision is then taken
    # as the head's (``approve``/``reject``/``return`` by the provider), or the draft goes
    # back (``signoff_return``, only while a draft waits: ``answer_drafted``). Staff draft one
    # answer at a time; data officers answer themselves (their own sign-off).
    _t(SUBMITTED, Action.DRAFT_ANSWER, SUBMITTED, PS),
    _t(SUBMITTED, Action.SIGNOFF_RETURN, SUBMITTED, P),
    # 2025 art. 21: the provider asks the authority for more time; the authority decides.
    _t(SUBMITTED, Action.EXTEND, SUBMITTED, P),
    _t(SUBMITTED, Action.EXTENSION_DECIDE, SUBMITTED, A),
)
_BY_KEY = {(t.source, t.action, t.path): t for t in TRANSITIONS}

# Who may write in a request's thread, by state: the parties, and whoever it is escalated to.
_COMMENTERS: dict[str, frozenset[Role]] = {
    state: frozenset({R, P, Role.SYSADMIN}) for state in STATES
}
_COMMENTERS[ESCALATED_AUTHORITY] = frozenset({R, P, A, Role.SYSADMIN})
_COMMENTERS[ESCALATED_CONFERENCE] = frozenset({R, P, A, C, Role.SYSADMIN})
_COMMENTERS[ESCALATED_UPPER] = frozenset({R, P, A, Role.SYSADMIN})
_COMMENTERS[ESCALATED_GOVERNMENT] = frozenset({R, P, A, Role.SYSADMIN})
# While a request waits for its own department's head, only that department writes in it.
_COMMENTERS[AWAITING_SIGNOFF] = frozenset({R, Role.SYSADMIN})
_COMMENTERS[SIGNOFF_RETURNED] = frozenset({R, Role.SYSADMIN})

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
    AWAITING_SIGNOFF: ("Awaiting the department head's sign-off", "待本部门负责人审核"),
    SIGNOFF_RETURNED: ("Returned by the department head", "本部门负责人退回修改"),
    ESCALATED_UPPER: ("Referred to the common upper authority", "已提请共同上级共享主管部门协调"),
    ESCALATED_GOVERNMENT: ("Referred to the people's government", "已报请本级人民政府决定"),
}


#: The sides of internal sign-off (2025 art. 20): the requesting department's head signs off
#: the request, the provider's head the answer.
REQUEST_SIDE = "request"
ANSWER_SIDE = "answer"


def internal_side(action: str | None, from_state: str | None) -> str | None:
    """The department a history row is internal to (2025 art. 20): a head's return of what
    their staff drafted, and a drafted answer, stay with that department (``request`` side or
    ``answer`` side); ``None``: both parties (and whoever the request reached) see it."""
    if action == Action.DRAFT_ANSWER.value:
        return ANSWER_SIDE
    if action == Action.SIGNOFF_RETURN.value:
        return ANSWER_SIDE if from_state == SUBMITTED else REQUEST_SIDE
    return None


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


def allowed_actions(state: str | None, roles: Iterable[Role], **conditions: Any) -> list[Action]:
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
    dispute_path: str = JOINT_CONFERENCE_PATH,
    cross_level: bool = False,
    signoff_required: bool = False,
    answer_drafted: bool = False,
) -> str:
    """The state after ``action``, or :class:`Refused`.

    ``overdue``: the provider's due date has passed (an overdue request may be escalated).
    ``central_involved``: the requesting or providing department is a central one, which is
    what lets a dispute go on to the joint conference (2016 path).
    ``dispute_path``: ``joint_conference`` (2016 art. 12) or ``upper_authority`` (2025
    art. 28). ``cross_level``: the two departments are of different levels or regions, which
    is what takes a 2025 dispute to the common upper authority before the government.
    ``signoff_required``: the one submitting is staff whose head must sign off (2025 art. 20):
    submitting then waits in ``awaiting_signoff``. ``answer_drafted``: the provider's staff
    drafted an answer that waits for their head (2025 art. 20): the head may return it, and
    no second draft is made until then.
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
    found = _BY_KEY.get((state, action, dispute_path)) or _BY_KEY.get((state, action, None))
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
    if state == SUBMITTED and action is Action.SIGNOFF_RETURN and not answer_drafted:
        raise Refused(
            message(
                "There is no drafted answer waiting for sign-off on this request",
                "该申请没有待审核的拟办答复",
            )
        )
    if action is Action.DRAFT_ANSWER and answer_drafted:
        raise Refused(
            message(
                "A drafted answer already waits for the head's sign-off; it must be signed off "
                "or returned first",
                "已有拟办答复待负责人审核，须先审核通过或退回",
            )
        )
    if found.target == ESCALATED_UPPER and not cross_level:
        # Art. 28: within one level and region, the people's government decides next.
        return ESCALATED_GOVERNMENT
    if (
        signoff_required
        and found.target == SUBMITTED
        and action in (Action.SUBMIT, Action.RESUBMIT)
    ):
        return AWAITING_SIGNOFF
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
    Action.SIGNOFF: ("signed off", "审核通过"),
    Action.SIGNOFF_RETURN: ("returned by the head", "审核退回"),
    Action.DRAFT_ANSWER: ("answered", "拟办答复"),
    Action.EXTEND: ("extended", "申请延期"),
    Action.EXTENSION_DECIDE: ("extended", "决定延期"),
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
    Action.SIGNOFF: message(
        "Only a data officer (the sharing-work head) of the department concerned may sign it off",
        "只有本部门数据管理员（共享工作机构负责人）可以审核",
    ),
    Action.SIGNOFF_RETURN: message(
        "Only a data officer (the sharing-work head) of the department concerned may sign it off",
        "只有本部门数据管理员（共享工作机构负责人）可以审核",
    ),
    Action.DRAFT_ANSWER: message(
        "Only the providing department's staff draft answers; its data officers answer themselves",
        "只有提供部门的工作人员拟办答复，数据管理员直接答复",
    ),
    Action.EXTEND: message(
        "Only a data officer of the providing department may ask for more time",
        "只有提供部门的数据管理员可以申请延长答复期限",
    ),
    Action.EXTENSION_DECIDE: message(
        "Only the sharing authority may decide an extension",
        "只有共享主管部门可以决定是否延长答复期限",
    ),
}
