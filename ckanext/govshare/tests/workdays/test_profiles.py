"""Deadline profiles and their config overrides (local dates: ``tests/core/test_clock.py``)."""

from __future__ import annotations

import pytest

from ckanext.govshare.workdays import profiles


def test_the_2016_measures_profile():
    # The suites' baseline (tests/conftest.py); the platform's default is regulation-2025.
    assert profiles.profile_name() == "measures-2016"
    assert profiles.deadlines() == {"unconditional": None, "conditional": 10, "delivery": None}


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
def test_the_2025_regulation_profile():
    assert profiles.profile_name() == "regulation-2025"
    assert profiles.deadlines() == {"unconditional": 1, "conditional": 10, "delivery": 20}


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
@pytest.mark.ckan_config("ckanext.govshare.deadline.conditional", 15)
@pytest.mark.ckan_config("ckanext.govshare.deadline.delivery", None)
def test_each_number_can_be_overridden():
    assert profiles.deadline_days("conditional") == 15
    assert profiles.deadline_days("delivery") == 20  # empty (None): the profile's number
    assert profiles.deadline_days("unconditional") == 1


@pytest.mark.ckan_config("ckanext.govshare.deadline.unconditional", 2)
def test_an_override_sets_a_deadline_the_profile_lacks():
    assert profiles.deadline_days("unconditional") == 2


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError):
        profiles.deadline_days("express")

