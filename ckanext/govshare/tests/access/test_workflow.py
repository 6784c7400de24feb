"""The state machine, exhaustively: every state × action × role (workflows.md)."""

from __future__ import annotations

import itertools

import pytest

from ckanext.govshare.access import workflow
from ckanext.govshare.access.workflow import Action, Refused, Role

pytestmark = pytest.mark.unit

R, P, A, C, S, X = (
    Role.REQUESTER,
    Role.PROVIDER,
    Role.AUTHORITY,
    Role.CONFERENCE,
    Role.SYSTEM,
    Role.SYSADMIN,
)

# The spec, written out from workflows.md and issue 5 (not derived from the module):
# (state, action) -> (next state, roles that may take it). Sysadmins may take every human step.
EXPECTED: dict[tuple[str | None, Action], tuple[str, set[Role]]] = {
    (None, Action.SUBMIT): ("submitted", {R, X}),
    ("submitted", Action.APPROVE): ("approved", {P, X}),
    ("submitted", Action.REJECT): ("rejected", {P, X}),
    ("submitted", Action.RETURN): ("returned", {P, X}),
    ("returned", Action.RESUBMIT): ("submitted", {R, X}),
    ("submitted", Action.WITHDRAW): ("withdrawn", {R, X}),
    ("returned", Action.WITHDRAW): ("withdrawn", {R, X}),
    ("submitted", Action.EXPIRE): ("expired", {S, X}),
    ("returned", Action.EXPIRE): ("expired", {S, X}),
    ("submitted", Action.ESCALATE): ("escalated_authority", {R, X}),  # only when overdue
    (None, Action.NEGOTIATE): ("negotiating", {R, X}),
    ("rejected", Action.NEGOTIATE): ("negotiating", {R, X}),
    ("negotiating", Action.APPROVE): ("granted", {P, X}),
    ("negotiating", Action.ESCALATE): ("escalated_authority", {R, P, X}),
    ("escalated_authority", Action.ESCALATE): ("escalated_joint_conference", {R, P, A, X}),
    ("escalated_authority", Action.GRANT): ("granted", {A, X}),
    ("escalated_authority", Action.DENY): ("denied", {A, X}),
    ("escalated_joint_conference", Action.GRANT): ("granted", {C, X}),
    ("escalated_joint_conference", Action.DENY): ("denied", {C, X}),
    ("negotiating", Action.WITHDRAW): ("withdrawn", {R, X}),
    ("escalated_authority", Action.WITHDRAW): ("withdrawn", {R, X}),
    ("escalated_joint_conference", Action.WITHDRAW): ("withdrawn", {R, X}),
}
COMMENTERS = {
    **{state: {R, P, X} for state in workflow.STATES},
    "escalated_authority": {R, P, A, X},
    "escalated_joint_conference": {R, P, A, C, X},
}

CASES = list(
    itertools.product(
        [None, *workflow.STATES], [a for a in Action if a is not Action.COMMENT], Role
    )
)


@pytest.mark.parametrize(("state", "action", "role"), CASES)
def test_every_state_action_and_role(state: str | None, action: Action, role: Role):
    expected = EXPECTED.get((state, action))
    conditions = {"overdue": True, "central_involved": True}
    if expected is None:
        with pytest.raises(Refused) as raised:
            workflow.transition(state, action, {role}, **conditions)
        assert not raised.value.forbidden  # the state is the problem: 409, not 403
        assert " | " in raised.value.message
        return
    target, roles = expected
    if role in roles:
        assert workflow.transition(state, action, {role}, **conditions) == target
    else:
        with pytest.raises(Refused) as raised:
            workflow.transition(state, action, {role}, **conditions)
        assert raised.value.forbidden


@pytest.mark.parametrize(("state", "role"), itertools.product(workflow.STATES, Role))
def test_who_may_comment(state: str, role: Role):
    if role in COMMENTERS[state]:
        assert workflow.transition(state, Action.COMMENT, {role}) == state
    else:
        with pytest.raises(Refused):
            workflow.transition(state, Action.COMMENT, {role})


def test_a_request_is_escalated_only_once_overdue():
    with pytest.raises(Refused) as raised:
        workflow.transition("submitted", Action.ESCALATE, {R}, overdue=False)
    assert not raised.value.forbidden
    assert workflow.transition("submitted", Action.ESCALATE, {R}, overdue=True) == (
        "escalated_authority"
    )


def test_only_disputes_involving_a_central_department_reach_the_joint_conference():
    with pytest.raises(Refused):
        workflow.transition("escalated_authority", Action.ESCALATE, {A}, central_involved=False)
    assert (
        workflow.transition("escalated_authority", Action.ESCALATE, {A}, central_involved=True)
        == "escalated_joint_conference"
    )


def test_allowed_actions_follow_the_table():
    assert set(workflow.allowed_actions("submitted", {P})) == {
        Action.APPROVE,
        Action.REJECT,
        Action.RETURN,
        Action.COMMENT,
    }
    assert set(workflow.allowed_actions("submitted", {R})) == {Action.WITHDRAW, Action.COMMENT}
    assert set(workflow.allowed_actions("approved", {R})) == {Action.COMMENT}


def test_every_state_has_labels_in_both_languages():
    assert workflow.STATES
    for state in workflow.STATES:
        en, zh = workflow.STATE_LABELS[state]
        assert en and zh and en != zh
