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
RO, PS = Role.REQUESTER_OFFICER, Role.PROVIDER_STAFF
JC, UA = "joint_conference", "upper_authority"

# The spec, written out from workflows.md, issue 5 and issue 18 (2025 art. 20, 21, 28), not
# derived from the module: (state, action) -> (next state, roles that may take it), on both
# dispute paths. Sysadmins may take every human step.
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
    ("escalated_authority", Action.GRANT): ("granted", {A, X}),
    ("escalated_authority", Action.DENY): ("denied", {A, X}),
    ("escalated_joint_conference", Action.GRANT): ("granted", {C, X}),
    ("escalated_joint_conference", Action.DENY): ("denied", {C, X}),
    ("negotiating", Action.WITHDRAW): ("withdrawn", {R, X}),
    ("escalated_authority", Action.WITHDRAW): ("withdrawn", {R, X}),
    ("escalated_joint_conference", Action.WITHDRAW): ("withdrawn", {R, X}),
    # 2025 art. 20: the requesting department's head signs off what its staff drafted ...
    ("awaiting_signoff", Action.SIGNOFF): ("submitted", {RO, X}),
    ("awaiting_signoff", Action.SIGNOFF_RETURN): ("signoff_returned", {RO, X}),
    ("signoff_returned", Action.RESUBMIT): ("submitted", {R, X}),
    ("awaiting_signoff", Action.WITHDRAW): ("withdrawn", {R, X}),
    ("signoff_returned", Action.WITHDRAW): ("withdrawn", {R, X}),
    ("awaiting_signoff", Action.EXPIRE): ("expired", {S, X}),
    ("signoff_returned", Action.EXPIRE): ("expired", {S, X}),
    # ... and the provider's head the answer its staff drafted (a return only of a draft).
    ("submitted", Action.DRAFT_ANSWER): ("submitted", {PS, X}),
    ("submitted", Action.SIGNOFF_RETURN): ("submitted", {P, X}),  # only with a draft
    # 2025 art. 21: the provider asks for more time, the authority decides.
    ("submitted", Action.EXTEND): ("submitted", {P, X}),
    ("submitted", Action.EXTENSION_DECIDE): ("submitted", {A, X}),
    # A dispute that reached the upper authority or the government ends there on either path.
    ("escalated_upper_authority", Action.GRANT): ("granted", {A, X}),
    ("escalated_upper_authority", Action.DENY): ("denied", {A, X}),
    ("escalated_upper_authority", Action.WITHDRAW): ("withdrawn", {R, X}),
    ("escalated_government", Action.GRANT): ("granted", {A, X}),
    ("escalated_government", Action.DENY): ("denied", {A, X}),
    ("escalated_government", Action.WITHDRAW): ("withdrawn", {R, X}),
}
# Escalations that differ by dispute path: 2016 art. 12 (the joint conference) and 2025
# art. 28 (the common upper authority when cross-level or cross-region, else the people's
# government).
BY_PATH: dict[tuple[str, bool], dict[tuple[str | None, Action], tuple[str, set[Role]]]] = {
    (JC, False): {
        ("escalated_authority", Action.ESCALATE): ("escalated_joint_conference", {R, P, A, X}),
    },
    (JC, True): {
        ("escalated_authority", Action.ESCALATE): ("escalated_joint_conference", {R, P, A, X}),
    },
    (UA, False): {
        ("escalated_authority", Action.ESCALATE): ("escalated_government", {R, P, A, X}),
        ("escalated_upper_authority", Action.ESCALATE): ("escalated_government", {R, P, A, X}),
    },
    (UA, True): {
        ("escalated_authority", Action.ESCALATE): ("escalated_upper_authority", {R, P, A, X}),
        ("escalated_upper_authority", Action.ESCALATE): ("escalated_government", {R, P, A, X}),
    },
}
# With ``signoff_required`` (staff submitting under 2025 art. 20), sending waits for the head.
SIGNOFF_TARGETS = {
    (None, Action.SUBMIT): "awaiting_signoff",
    ("returned", Action.RESUBMIT): "awaiting_signoff",
    ("signoff_returned", Action.RESUBMIT): "awaiting_signoff",
}
COMMENTERS = {
    **{state: {R, P, X} for state in workflow.STATES},
    "escalated_authority": {R, P, A, X},
    "escalated_joint_conference": {R, P, A, C, X},
    "escalated_upper_authority": {R, P, A, X},
    "escalated_government": {R, P, A, X},
    # While the request waits for its own department's head, only that department writes.
    "awaiting_signoff": {R, X},
    "signoff_returned": {R, X},
}

SCENARIOS = [
    pytest.param(
        {"dispute_path": path, "cross_level": cross, "signoff_required": signoff},
        id=f"{path}-{'cross' if cross else 'same'}-{'signoff' if signoff else 'direct'}",
    )
    for path, cross, signoff in itertools.product((JC, UA), (False, True), (False, True))
]
STEPS = list(
    itertools.product([None, *workflow.STATES], [a for a in Action if a is not Action.COMMENT])
)


def _expected(state: str | None, action: Action, scenario: dict) -> tuple[str, set[Role]] | None:
    key = (state, action)
    found = BY_PATH[(scenario["dispute_path"], scenario["cross_level"])].get(key) or EXPECTED.get(
        key
    )
    if found is not None and scenario["signoff_required"] and key in SIGNOFF_TARGETS:
        return SIGNOFF_TARGETS[key], found[1]
    return found


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize(("state", "action"), STEPS)
def test_every_state_action_and_role(state: str | None, action: Action, scenario: dict):
    """Every role, one at a time: the target, a 403 (the role) or a 409 (the state)."""
    conditions = {"overdue": True, "central_involved": True, "answer_drafted": False, **scenario}
    if action is Action.SIGNOFF_RETURN and state == "submitted":
        conditions["answer_drafted"] = True  # the provider's head returns a drafted answer
    expected = _expected(state, action, scenario)
    outcome: dict[Role, str] = {}
    for role in Role:
        try:
            outcome[role] = workflow.transition(state, action, {role}, **conditions)
        except Refused as refused:
            assert " | " in refused.message
            outcome[role] = "403" if refused.forbidden else "409"
    if expected is None:
        want = {role: "409" for role in Role}  # the state is the problem: 409, not 403
    else:
        target, roles = expected
        want = {role: target if role in roles else "403" for role in Role}
    assert outcome == want


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
        Action.EXTEND,
        Action.COMMENT,
    }
    assert set(workflow.allowed_actions("submitted", {P}, answer_drafted=True)) == {
        Action.APPROVE,
        Action.REJECT,
        Action.RETURN,
        Action.SIGNOFF_RETURN,
        Action.EXTEND,
        Action.COMMENT,
    }
    assert set(workflow.allowed_actions("submitted", {PS})) == {Action.DRAFT_ANSWER}
    assert set(workflow.allowed_actions("submitted", {PS}, answer_drafted=True)) == set()
    assert set(workflow.allowed_actions("submitted", {R})) == {Action.WITHDRAW, Action.COMMENT}
    assert set(workflow.allowed_actions("awaiting_signoff", {R, RO})) == {
        Action.SIGNOFF,
        Action.SIGNOFF_RETURN,
        Action.WITHDRAW,
        Action.COMMENT,
    }
    assert set(workflow.allowed_actions("awaiting_signoff", {R})) == {
        Action.WITHDRAW,
        Action.COMMENT,
    }
    assert set(workflow.allowed_actions("awaiting_signoff", {P, A})) == set()
    assert set(workflow.allowed_actions("approved", {R})) == {Action.COMMENT}


def test_staff_submitting_waits_for_the_head_and_the_head_sends_at_once():
    assert workflow.transition(None, Action.SUBMIT, {R}, signoff_required=True) == (
        "awaiting_signoff"
    )
    assert workflow.transition(None, Action.SUBMIT, {R, RO}, signoff_required=False) == (
        "submitted"
    )
    # Negotiations (not-shared entries) need no sign-off.
    assert workflow.transition(None, Action.NEGOTIATE, {R}, signoff_required=True) == (
        "negotiating"
    )


def test_the_head_returns_only_a_drafted_answer_and_staff_draft_one_at_a_time():
    with pytest.raises(Refused) as raised:
        workflow.transition("submitted", Action.SIGNOFF_RETURN, {P})
    assert not raised.value.forbidden
    assert workflow.transition("submitted", Action.SIGNOFF_RETURN, {P}, answer_drafted=True) == (
        "submitted"
    )
    with pytest.raises(Refused) as raised:
        workflow.transition("submitted", Action.DRAFT_ANSWER, {PS}, answer_drafted=True)
    assert not raised.value.forbidden
    with pytest.raises(Refused) as raised:
        workflow.transition("submitted", Action.DRAFT_ANSWER, {P})
    assert raised.value.forbidden  # officers answer themselves


def test_a_2025_dispute_goes_to_the_upper_authority_only_across_levels():
    kwargs = {"dispute_path": UA, "central_involved": True}
    assert (
        workflow.transition("escalated_authority", Action.ESCALATE, {R}, **kwargs)
        == "escalated_government"
    )
    assert (
        workflow.transition("escalated_authority", Action.ESCALATE, {R}, cross_level=True, **kwargs)
        == "escalated_upper_authority"
    )
    # The joint conference is the 2016 path only.
    assert "escalated_joint_conference" not in {
        workflow.transition("escalated_authority", Action.ESCALATE, {A}, cross_level=c, **kwargs)
        for c in (False, True)
    }


def test_every_state_has_labels_in_both_languages():
    assert workflow.STATES
    for state in workflow.STATES:
        en, zh = workflow.STATE_LABELS[state]
        assert en and zh and en != zh
