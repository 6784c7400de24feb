"""Which sections a role gives, and how a grant's use is counted (plain Python)."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.govshare.workbench import rules

pytestmark = pytest.mark.unit


def _roles(**on: bool) -> rules.Roles:
    fields = dict.fromkeys(
        (
            "member",
            "officer",
            "authority",
            "conference",
            "sysadmin",
            "internal_signoff",
            "catalogue_review",
        ),
        False,
    )
    return rules.Roles(**{**fields, **on})


def test_a_user_without_department_sees_only_notices():
    assert rules.sections_for(_roles()) == [rules.NOTICES]


def test_a_provider_officer_answers_requests_feedback_and_obligations():
    sections = rules.sections_for(_roles(member=True, officer=True))
    assert sections == [
        rules.REQUESTS_TO_ANSWER,
        rules.FEEDBACK_TO_ANSWER,
        rules.OBLIGATIONS_DUE,
        rules.REQUESTS_RETURNED,
        rules.FEEDBACK_TO_VERIFY,
        rules.GRANTS,
        rules.NOTICES,
    ]


def test_staff_draft_answers_and_heads_sign_off_under_2025():
    staff = rules.sections_for(_roles(member=True, internal_signoff=True))
    assert rules.REQUESTS_TO_ANSWER in staff and rules.SIGNOFF not in staff
    head = rules.sections_for(
        _roles(member=True, officer=True, internal_signoff=True, catalogue_review=True)
    )
    assert {rules.SIGNOFF, rules.ENTRIES_RETURNED} <= set(head)


def test_the_authority_decides_disputes_extensions_and_reviews():
    sections = rules.sections_for(_roles(member=True, authority=True, catalogue_review=True))
    assert {rules.DISPUTES, rules.EXTENSIONS, rules.CATALOGUE_REVIEWS} <= set(sections)
    assert rules.REQUESTS_TO_ANSWER not in sections
    assert rules.CATALOGUE_REVIEWS not in rules.sections_for(_roles(member=True, authority=True))


def test_grant_use_counts_what_is_left():
    use = rules.grant_use(
        {"downloads_used": 3, "max_downloads": 5}, {"today": 7, "max_calls_per_day": 5}
    )
    assert (use["downloads_left"], use["calls_today"], use["calls_left_today"]) == (2, 7, 0)
    unlimited = rules.grant_use({"downloads_used": 0, "max_downloads": None}, None)
    assert unlimited["downloads_left"] is None and unlimited["calls_today"] is None


def test_recently_answered_keeps_the_last_thirty_days_newest_first():
    today = dt.date(2026, 12, 5)
    items = [
        {"id": "old", "resolved_at": "2026-10-01T08:00:00+00:00"},
        {"id": "a", "resolved_at": "2026-11-20T08:00:00+00:00"},
        {"id": "b", "resolved_at": "2026-12-04T08:00:00+00:00"},
        {"id": "open", "resolved_at": None},
    ]
    recent = rules.recently_answered(items, rules.answered_since(today))
    assert [i["id"] for i in recent] == ["b", "a"]
