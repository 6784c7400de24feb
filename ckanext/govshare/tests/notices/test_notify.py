"""``notify``: idempotent rows in the caller's transaction, emailed after it commits."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.govshare import notices as api
from ckanext.govshare.notices import core, texts
from ckanext.govshare.notices.model import notice_table

from .conftest import Mailbox, notices

PARAMS = {
    "request_id": "r-1",
    "package_id": "p-1",
    "entry_title": "人口基础信息",
    "requesting_org": "公安局",
    "provider_org": "统计局",
    "link": "/govshare/requests/r-1",
    "due_date": "2026-10-16",
}


def test_notify_is_idempotent_per_user_and_key(people, smtp):
    officer, clerk = people["officer"]["id"], people["clerk"]["id"]
    assert api.notify("request_received", recipients=[officer], key="k1", params=PARAMS) == 1
    model.Session.commit()
    # Again, with one more recipient (and a duplicate): only the new pair is added.
    again = api.notify(
        "request_received", recipients=[officer, clerk, clerk], key="k1", params=PARAMS
    )
    model.Session.commit()
    assert again == 1
    assert sorted(n["user_id"] for n in notices(key="k1")) == sorted([officer, clerk])
    assert len(smtp.to("officer@example.org")) == 1
    assert len(smtp.to("clerk@example.org")) == 1


def test_recipients_by_name_unknown_and_deleted_users_are_skipped(people, smtp):
    recipients = [people["officer"]["name"], "nobody-at-all", ""]
    assert api.notify("request_received", recipients=recipients, key="k", params=PARAMS) == 1
    model.Session.commit()
    assert [n["user_id"] for n in notices()] == [people["officer"]["id"]]


def test_unknown_kind_or_empty_key_is_a_programming_error(people):
    with pytest.raises(ValueError):
        api.notify("no_such_kind", recipients=[people["officer"]["id"]], key="k", params=PARAMS)
    with pytest.raises(ValueError):
        api.notify("request_received", recipients=[people["officer"]["id"]], key="", params={})


def test_a_rolled_back_transaction_leaves_no_notice_and_sends_nothing(people, smtp):
    api.notify("request_received", recipients=[people["officer"]["id"]], key="k", params=PARAMS)
    model.Session.rollback()
    model.Session.commit()  # a later commit must not send the dropped notice
    assert notices() == []
    assert smtp.messages == []


def test_email_in_the_sites_language_with_an_absolute_link_and_no_token(people, smtp, ckan_config):
    """A user who chose no language reads the site's (zh_Hans_CN here), and only it (issue 19)."""
    api.notify(
        "request_decided",
        recipients=[people["requester"]["id"]],
        key="decided:r-1",
        params={**PARAMS, "status": "approved", "reason": "同意，限用于人口核对"},
    )
    assert smtp.messages == []  # nothing before the commit
    model.Session.commit()
    (message,) = smtp.to("requester@example.org")
    assert message["Subject"] == "共享申请已批准：人口基础信息"
    assert message["Auto-Submitted"] == "auto-generated"
    body = Mailbox.text(message)
    assert "统计局已批准公安局" in body and "has approved" not in body
    assert "本邮件由系统自动发送，请勿回复。" in body and "automatically" not in body
    assert "同意，限用于人口核对" in body
    site = ckan_config["ckan.site_url"].rstrip("/")
    assert f"{site}/govshare/requests/r-1" in body
    assert "token" not in body.lower() and "download" not in body.lower()
    (stored,) = notices()
    assert stored["emailed_at"] is not None and stored["email_error"] is None
    assert stored["link"] == "/govshare/requests/r-1"


def test_comment_text_stays_on_the_platform(people, smtp):
    api.notify(
        "request_comment",
        recipients=[people["officer"]["id"]],
        key="comment:1",
        params={**PARAMS, "reason": "身份证号清单见附件"},
    )
    model.Session.commit()
    (message,) = smtp.messages
    assert "身份证号清单" not in Mailbox.text(message)
    assert "身份证号清单" not in notices()[0]["body"]


def test_a_user_without_email_gets_the_dashboard_notice_only(people, smtp):
    assert (
        api.notify("grant_created", recipients=[people["nomail"]["id"]], key="g", params=PARAMS)
        == 1
    )
    model.Session.commit()
    assert smtp.messages == []
    (stored,) = notices()
    assert stored["emailed_at"] is None and stored["email_error"] == core.NO_ADDRESS


def test_a_failed_email_is_kept_and_sent_once_later(people, no_smtp, ckan_config, monkeypatch):
    api.notify("request_received", recipients=[people["officer"]["id"]], key="k", params=PARAMS)
    model.Session.commit()
    (stored,) = notices()
    assert stored["emailed_at"] is None and stored["email_error"]
    # What `remind` does, once the server is back.
    from aiosmtpd.controller import Controller

    from .conftest import _free_port

    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
        import datetime as dt

        ids = core.unsent(older_than=dt.timedelta(0), within=dt.timedelta(days=1))
        assert ids == [stored["id"]]
        assert core.deliver(ids)["sent"] == 1
        assert core.deliver(ids)["sent"] == 0  # claimed: never twice
    finally:
        controller.stop()
    assert len(mailbox.messages) == 1
    (stored,) = notices()
    assert stored["emailed_at"] is not None and stored["email_error"] is None


def test_who_gets_notices(people):
    # (The factory's creator of each organization is one of its admins, too.)
    officers = api.officers_of(people["provider"]["id"])
    assert people["officer"]["id"] in officers and people["clerk"]["id"] not in officers
    members = api.members_of(people["provider"]["name"])
    assert {people["officer"]["id"], people["clerk"]["id"]} <= set(members)
    assert people["requester"]["id"] not in members
    assert people["authority"]["id"] in api.authority_members()
    assert people["officer"]["id"] not in api.authority_members()
    assert api.conference_members() == []  # no such organization in the test site


ASCII_PARAMS = {
    "request_id": "r-1",
    "entry_title": "Population",
    "requesting_org": "Police",
    "provider_org": "Statistics",
    "organization": "Statistics",
    "status": "rejected",
    "reason": "x",
}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_every_kind_renders_in_each_language_alone():
    """Chinese for a Chinese reader, English (no Chinese but what the params hold) for an
    English one (issue 19, item 7)."""
    assert texts.KINDS
    for kind in texts.KINDS:
        zh_subject, zh_body = texts.render(kind, ASCII_PARAMS, "zh_Hans_CN")
        en_subject, en_body = texts.render(kind, ASCII_PARAMS, "en")
        assert CJK.search(zh_subject) and CJK.search(zh_body), kind
        assert not CJK.search(en_subject + en_body), kind
        assert "{" not in zh_subject + zh_body + en_subject + en_body, kind


def test_a_notice_stored_in_both_languages_is_read_in_one():
    """Notices written before issue 19 hold "中文 / English" and "中文\n\nEnglish": each kind's
    is split into the reader's half, titles with " / " and reasons with blank lines included."""
    params = {**PARAMS, "entry_title": "人口 / 户籍", "status": "rejected", "reason": "a\n\nb"}
    for kind, (zh_s, en_s, zh_b, en_b) in texts.TEMPLATES.items():
        ctx = texts._context(kind, params)
        zh = (zh_s.format_map(ctx), zh_b.format_map(ctx))
        en = (en_s.format_map(ctx), en_b.format_map(ctx))
        both = (f"{zh[0]} / {en[0]}", f"{zh[1]}\n\n{en[1]}")
        assert texts.one_language(kind, *both, "zh_Hans_CN") == zh, kind
        assert texts.one_language(kind, *both, "en") == en, kind
    # The earlier wording of one subject doubled 数据; it reads right now.
    old = "收到数据数据错误反馈：人口 / Feedback on your data: 人口"
    subject, _ = texts.one_language("feedback_received", old, "", "zh_Hans_CN")
    assert subject == "收到数据错误反馈：人口"
    # Text of another shape is left as it is.
    assert texts.one_language("grant_created", "x", "y", "en") == ("x", "y")


def test_the_notice_table_constraint(people):
    """Two concurrent inserters cannot both add a pair: the database refuses the second."""
    c = notice_table.c
    constraint = [con for con in notice_table.constraints if isinstance(con, sa.UniqueConstraint)]
    assert [tuple(col.name for col in con.columns) for con in constraint] == [
        (c.user_id.name, c.key.name)
    ]


@pytest.mark.parametrize("kind", ["doubt", "error"])
def test_the_feedback_subject_names_its_kind_once(kind):
    """收到数据错误反馈, not 收到数据数据错误反馈 (issue 19, item 7)."""
    from ckanext.govshare.feedback.rules import KIND_LABELS

    en_label, zh_label = KIND_LABELS[kind]
    params = {**PARAMS, "kind_zh": zh_label, "kind_en": en_label.lower()}
    subject, body = texts.render("feedback_received", params, "zh_Hans_CN")
    assert subject == f"收到{zh_label}反馈：人口基础信息"
    assert "数据数据" not in subject + body


def test_no_chinese_notice_doubles_a_word():
    """Every kind, with each status it is sent with, reads without a doubled word."""
    doubled = re.compile(r"([\u4e00-\u9fff]{2,4})\1")
    found = {}
    for kind in texts.KINDS:
        for status in ("approved", "rejected", "granted", "denied", "escalated_government"):
            params = {**PARAMS, "status": status, "reason": "理由", "kind_zh": "数据错误"}
            subject, body = texts.render(kind, params, "zh_Hans_CN")
            match = doubled.search(subject + "\n" + body)
            if match:
                found[(kind, status)] = match.group(0)
    assert found == {}
