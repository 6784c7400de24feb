"""The rule profile in force (issue 18, item 2): ``govshare_rule_profile_show`` for anyone,
the footer of every page, and the ``/govshare/rules`` table."""

from __future__ import annotations

import pytest
from ckan.tests import helpers

from ckanext.govshare.tests.profiles import rule_profile  # noqa: F401

pytestmark = pytest.mark.usefixtures("with_request_context")

TITLES = {
    "regulation-2025": ("Government Data Sharing Regulations", "政务数据共享条例"),
    "measures-2016": (
        "Interim Measures for Government Information Resource",
        "政务信息资源共享管理暂行办法",
    ),
}


def _show(user: str = "") -> dict:
    return helpers.call_action(
        "govshare_rule_profile_show", context={"user": user, "ignore_auth": False}
    )


def test_anyone_reads_the_profile_in_force(rule_profile: str):  # noqa: F811
    found = _show()  # anonymous
    assert found["name"] == rule_profile
    assert found["title"]["en"].startswith(TITLES[rule_profile][0])
    assert found["title"]["zh_Hans_CN"].startswith(TITLES[rule_profile][1])
    feedback = found["numbers"]["feedback"]
    if rule_profile == "regulation-2025":
        assert feedback["value"] == 10 and feedback["article"] == "art. 26"
        assert found["rules"]["upper_authority"] == {
            "on": True,
            "article": "art. 28",
            "label": found["rules"]["upper_authority"]["label"],
        }
        assert found["rules"]["joint_conference"]["on"] is False
        assert found["numbers"]["delivery"]["value"] == 20
    else:
        assert feedback["value"] == 5 and feedback["article"] == "art. 15"
        assert found["rules"]["upper_authority"]["on"] is False
        assert found["rules"]["joint_conference"]["on"] is True
        assert found["numbers"]["delivery"]["value"] is None
    assert feedback["option"] == "ckanext.govshare.deadline.feedback"


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
@pytest.mark.ckan_config("ckanext.govshare.deadline.feedback", "7")
def test_an_override_is_shown_beside_the_profiles_value():
    feedback = _show()["numbers"]["feedback"]
    assert (feedback["value"], feedback["profile_value"]) == (7, 10)


def test_every_page_names_the_profile_in_its_footer(app, rule_profile: str):  # noqa: F811
    en, zh = TITLES[rule_profile]
    for url in ("/en/", "/en/dataset/", "/en/no-such-page"):
        page = app.get(url, status=None).body
        assert f'data-profile="{rule_profile}"' in page, url
        assert f"Rules: {en}" in page, url
        assert "/govshare/rules" in page, url
    chinese = app.get("/").body  # the site's default language
    assert f"规则：{zh}" in chinese


@pytest.mark.ckan_config("ckanext.govshare.rule_profile", "regulation-2025")
def test_the_rules_page_shows_numbers_rules_and_articles(app):
    page = app.get("/en/govshare/rules").body
    assert "Government Data Sharing Regulations" in page
    assert 'data-key="feedback"' in page and "10 working days" in page
    assert "art. 28" in page and 'data-key="upper_authority"' in page
    assert "ckanext.govshare.deadline.delivery" in page
    chinese = app.get("/govshare/rules").body
    assert "政务数据共享条例" in chinese
