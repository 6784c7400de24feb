"""Notices and emails in the recipient's language only (issue 19, item 7).

A user's language is their setting (``govshare_user_settings_update``), else the site's
``ckan.locale_default`` (zh_Hans_CN in the test configuration).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import mailer
from ckan.tests import factories, helpers

from ckanext.govshare import notices as api
from ckanext.govshare.audit.model import event_table
from ckanext.govshare.notices.model import notice_table

from .conftest import notices

PARAMS = {
    "request_id": "r-1",
    "package_id": "p-1",
    "entry_title": "人口基础信息",
    "requesting_org": "公安局",
    "provider_org": "统计局",
    "link": "/govshare/requests/r-1",
    "status": "rejected",
    "reason": "不符合共享条件",
}
ZH_SUBJECT = "共享申请已拒绝：人口基础信息"
EN_SUBJECT = "Request rejected: 人口基础信息"
ZH_BODY = "统计局已拒绝公安局对“人口基础信息”的共享申请。理由：不符合共享条件"
EN_BODY = "统计局 has rejected the request of 公安局 for “人口基础信息”. Reason: 不符合共享条件"


def as_user(user: dict[str, Any]) -> dict[str, Any]:
    return {"user": user["name"], "ignore_auth": False}


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The emails the mailer was asked to send (nothing leaves the machine)."""
    outbox: list[dict[str, Any]] = []

    def mail_recipient(name: str, email: str, subject: str, body: str, **kwargs: Any) -> None:
        outbox.append({"name": name, "email": email, "subject": subject, "body": body})

    monkeypatch.setattr(mailer, "mail_recipient", mail_recipient)
    return outbox


@pytest.fixture
def readers(clean_db: Any, sent: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A user who reads Chinese (the site's language, chosen by no one), and one who chose
    English."""
    zh = factories.UserWithToken(email="zh@example.org")
    en = factories.UserWithToken(email="en@example.org")
    helpers.call_action("govshare_user_settings_update", as_user(en), locale="en")
    return {"zh": zh, "en": en}


def _notify_both(readers: dict[str, dict[str, Any]]) -> None:
    api.notify(
        "request_decided",
        recipients=[readers["zh"]["id"], readers["en"]["id"]],
        key="decided:r-1",
        params=PARAMS,
    )
    model.Session.commit()


def test_each_reader_gets_the_same_event_in_their_language_only(app, readers, sent):
    _notify_both(readers)
    zh = helpers.call_action("govshare_notice_list", as_user(readers["zh"]))["results"]
    en = helpers.call_action("govshare_notice_list", as_user(readers["en"]))["results"]
    assert [(n["subject"], n["body"], n["locale"]) for n in zh] == [
        (ZH_SUBJECT, ZH_BODY, "zh_Hans_CN")
    ]
    assert [(n["subject"], n["body"], n["locale"]) for n in en] == [(EN_SUBJECT, EN_BODY, "en")]
    # The notice page, whatever the page's own language.
    for path in ("/dashboard/notices/", "/en/dashboard/notices/"):
        zh_page = app.get(path, headers={"Authorization": readers["zh"]["token"]}).body
        en_page = app.get(path, headers={"Authorization": readers["en"]["token"]}).body
        assert ZH_SUBJECT in zh_page and EN_SUBJECT not in zh_page and "has rejected" not in zh_page
        assert EN_SUBJECT in en_page and ZH_SUBJECT not in en_page and "已拒绝" not in en_page
        assert 'lang="en"' in en_page
    # The emails.
    by_address = {m["email"]: m for m in sent}
    assert set(by_address) == {"zh@example.org", "en@example.org"}
    zh_mail, en_mail = by_address["zh@example.org"], by_address["en@example.org"]
    assert zh_mail["subject"] == ZH_SUBJECT
    assert zh_mail["body"].startswith(ZH_BODY) and "has rejected" not in zh_mail["body"]
    assert "查看：" in zh_mail["body"] and "本邮件由系统自动发送，请勿回复。" in zh_mail["body"]
    assert "View" not in zh_mail["body"] and "automatically" not in zh_mail["body"]
    assert en_mail["subject"] == EN_SUBJECT
    assert en_mail["body"].startswith(EN_BODY) and "已拒绝" not in en_mail["body"]
    assert "View: " in en_mail["body"] and "do not reply" in en_mail["body"]
    assert "查看" not in en_mail["body"] and "请勿回复" not in en_mail["body"]
    assert "/govshare/requests/r-1" in en_mail["body"]


def test_the_setting_applies_to_notices_queued_after_it(readers, sent):
    helpers.call_action("govshare_user_settings_update", as_user(readers["zh"]), locale="en")
    _notify_both(readers)
    assert {n["subject"] for n in notices()} == {EN_SUBJECT}
    assert {m["subject"] for m in sent} == {EN_SUBJECT}
    # Back to the site's language.
    helpers.call_action("govshare_user_settings_update", as_user(readers["zh"]), locale="")
    api.notify("request_decided", recipients=[readers["zh"]["id"]], key="again", params=PARAMS)
    model.Session.commit()
    (again,) = notices(key="again")
    assert again["subject"] == ZH_SUBJECT and again["params"]["locale"] == "zh_Hans_CN"


def test_a_notice_stored_in_both_languages_is_read_and_retried_in_the_readers(readers, sent):
    """Notices from before issue 19 hold both languages: each reader sees and gets theirs."""
    both_subject = f"{ZH_SUBJECT} / {EN_SUBJECT}"
    both_body = f"{ZH_BODY}\n\n{EN_BODY}"
    for name in ("zh", "en"):
        model.Session.execute(
            sa.insert(notice_table).values(
                id=str(uuid.uuid4()),
                user_id=readers[name]["id"],
                kind="request_decided",
                key="old",
                subject=both_subject,
                body=both_body,
                link="/govshare/requests/r-1",
                params={"request_id": "r-1", "status": "rejected"},
                created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1),
            )
        )
    model.Session.commit()
    (zh,) = helpers.call_action("govshare_notice_list", as_user(readers["zh"]))["results"]
    (en,) = helpers.call_action("govshare_notice_list", as_user(readers["en"]))["results"]
    assert (zh["subject"], zh["body"]) == (ZH_SUBJECT, ZH_BODY)
    assert (en["subject"], en["body"]) == (EN_SUBJECT, EN_BODY)
    # The retry pass of ``remind`` emails them in the reader's language too.
    unsent = api.unsent(older_than=dt.timedelta(minutes=5), within=dt.timedelta(days=2))
    assert api.deliver(unsent)["sent"] == 2
    by_address = {m["email"]: m for m in sent}
    assert by_address["zh@example.org"]["subject"] == ZH_SUBJECT
    assert by_address["en@example.org"]["subject"] == EN_SUBJECT
    assert "已拒绝" not in by_address["en@example.org"]["body"]


def test_settings_show_and_update_are_audited(clean_db):
    user = factories.User()
    shown = helpers.call_action("govshare_user_settings_show", as_user(user))
    assert shown["locale"] == "zh_Hans_CN" and shown["chosen"] is None
    assert shown["site_default"] == "zh_Hans_CN"
    assert [lang["value"] for lang in shown["languages"]] == ["zh_Hans_CN", "en"]
    assert shown["languages"][1]["label"] == {"en": "English", "zh_Hans_CN": "英文"}
    changed = helpers.call_action("govshare_user_settings_update", as_user(user), locale="en")
    assert (changed["locale"], changed["chosen"]) == ("en", "en")
    assert model.User.get(user["id"]).plugin_extras == {"govshare": {"locale": "en"}}
    with model.meta.engine.connect() as conn:
        events = conn.execute(
            sa.select(event_table).where(
                event_table.c.action == "govshare_user_settings_update",
                event_table.c.object_id == user["id"],
            )
        ).all()
    assert len(events) == 1
    event = events[0]._mapping
    assert event["actor_id"] == user["id"] and event["detail"]["locale"] == "en"
    # Saving the same choice again changes nothing and records nothing.
    helpers.call_action("govshare_user_settings_update", as_user(user), locale="en")
    with model.meta.engine.connect() as conn:
        again = conn.execute(
            sa.select(sa.func.count())
            .select_from(event_table)
            .where(
                event_table.c.action == "govshare_user_settings_update",
                event_table.c.object_id == user["id"],
            )
        ).scalar_one()
    assert again == 1


def test_other_plugin_extras_are_kept(clean_db):
    user = factories.User()
    obj = model.User.get(user["id"])
    obj.plugin_extras = {"other": {"x": 1}, "govshare": {"kept": True}}
    model.Session.commit()
    helpers.call_action("govshare_user_settings_update", as_user(user), locale="en")
    helpers.call_action("govshare_user_settings_update", as_user(user), locale="")
    model.Session.expire_all()
    assert model.User.get(user["id"]).plugin_extras == {
        "other": {"x": 1},
        "govshare": {"kept": True},
    }


@pytest.mark.parametrize("value", ["fr", "zh_Hant_TW", 3])
def test_a_language_notices_are_not_written_in_is_refused_in_both_languages(clean_db, value):
    user = factories.User()
    with pytest.raises(helpers.logic.ValidationError) as raised:
        helpers.call_action("govshare_user_settings_update", as_user(user), locale=value)
    (problem,) = raised.value.error_dict["locale"]
    assert "Not one of the allowed values" in problem and "取值无效" in problem
    with pytest.raises(helpers.logic.ValidationError) as raised:
        helpers.call_action("govshare_user_settings_update", as_user(user))
    assert "缺少必填项" in raised.value.error_dict["locale"][0]


@pytest.mark.parametrize("action", ["govshare_user_settings_show", "govshare_user_settings_update"])
def test_anonymous_callers_have_no_settings(clean_db, action):
    with pytest.raises(helpers.logic.NotAuthorized) as raised:
        helpers.call_action(action, {"user": "", "ignore_auth": False}, locale="en")
    assert "Log in" in str(raised.value) and "请登录" in str(raised.value)


def test_the_settings_page(app, clean_db):
    user = factories.UserWithToken()
    headers = {"Authorization": user["token"]}
    page = app.get("/en/dashboard/notices/settings", headers=headers).body
    assert "Language of notices" in page
    assert 'value="en"' in page and 'value="zh_Hans_CN"' in page
    assert 'id="locale-site" value="" checked' in page
    app.post("/en/dashboard/notices/settings", data={"locale": "en"}, headers=headers)
    assert helpers.call_action("govshare_user_settings_show", as_user(user))["chosen"] == "en"
    page = app.get("/en/dashboard/notices/settings", headers=headers).body
    assert 'id="locale-en" value="en" checked' in page
    refused = app.post("/en/dashboard/notices/settings", data={"locale": "fr"}, headers=headers)
    assert "Not one of the allowed values" in refused.body and "取值无效" not in refused.body
    notices_page = app.get("/en/dashboard/notices/", headers=headers).body
    assert "Your notices and emails are written in English." in notices_page
    assert "/dashboard/notices/settings" in notices_page
    # Visitors are sent to log in.
    response = app.get("/en/dashboard/notices/settings", follow_redirects=False)
    assert response.status_code == 302 and "/user/login" in response.headers["Location"]
