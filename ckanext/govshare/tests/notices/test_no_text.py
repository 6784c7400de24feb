"""Notices hold no comment text (issue 14, item 10): not in what is stored, not in what the
action, the dashboard or the email hands out, also for notices stored by earlier versions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare.notices import stored
from ckanext.govshare.notices.model import notice_table
from ckanext.govshare.tests.access.conftest import World, request_form, world  # noqa: F401

from .conftest import Mailbox, notices

SECRET_TEXT = "身份证号清单见附件 110101199003071234"


@pytest.mark.unit
def test_only_ids_codes_dates_and_counts_are_kept() -> None:
    params = {
        "request_id": "4f1c-aa",
        "package_id": "p-1",
        "status": "approved",
        "due_date": "2026-10-16",
        "overdue_since": "2026-10-17T08:00:00+00:00",
        "workdays_left": 3,
        "year": 2025,
        "link": "/govshare/requests/4f1c-aa",
        "reason": SECRET_TEXT,
        "message": SECRET_TEXT,
        "entry_title": "人口基础信息",
        "requesting_org": "公安局",
        "kind_zh": "错误",
    }
    assert stored.kept(params) == {
        "request_id": "4f1c-aa",
        "package_id": "p-1",
        "status": "approved",
        "due_date": "2026-10-16",
        "overdue_since": "2026-10-17T08:00:00+00:00",
        "workdays_left": 3,
        "year": 2025,
        "link": "/govshare/requests/4f1c-aa",
    }
    # A kept key holding text (a caller's mistake) is dropped too.
    assert stored.kept({"status": SECRET_TEXT, "request_id": ["a"], "link": None}) == {"link": None}
    assert stored.kept(None) == {}


@pytest.fixture
def mailbox(smtp: Mailbox) -> Mailbox:
    return smtp


@pytest.mark.usefixtures("with_request_context")
def test_a_comment_in_a_thread_leaves_no_text_in_its_notices(
    world: World,  # noqa: F811
    mailbox: Mailbox,
) -> None:
    form = request_form(world, package_id=world.not_shared["id"], message="请协商共享")
    negotiation = world.call("requester", "govshare_negotiation_open", **form)
    model.Session.commit()
    world.call("requester", "govshare_request_comment", id=negotiation["id"], message=SECRET_TEXT)
    model.Session.commit()
    made = [n for n in notices() if n["kind"] == "request_comment"]
    officer = world.users["provider_officer"]
    assert officer["id"] in {n["user_id"] for n in made}  # the other party heard of it
    for notice in made:
        assert notice["params"]["request_id"] == negotiation["id"]
        assert set(notice["params"]) <= stored.KEPT
        assert SECRET_TEXT not in str(notice["params"])
        assert SECRET_TEXT not in notice["subject"] + notice["body"]
    listed = helpers.call_action(
        "govshare_notice_list", {"user": officer["name"], "ignore_auth": False}
    )
    assert any(n["kind"] == "request_comment" for n in listed["results"])
    assert SECRET_TEXT not in str(listed)
    sent = mailbox.to(officer["email"])
    assert any("新留言" in str(m["Subject"]) for m in sent)
    assert all(SECRET_TEXT not in Mailbox.text(m) for m in sent)
    # The thread itself still has it, for those who may read it.
    thread = world.call("provider_officer", "govshare_request_show", id=negotiation["id"])
    assert thread["history"][-1]["message"] == SECRET_TEXT


def test_a_notice_stored_by_an_earlier_version_is_read_without_its_text(
    app: Any, clean_db: Any
) -> None:
    """Earlier versions kept the comment as ``reason`` (and titles) in the notice's params."""
    user = factories.UserWithToken()
    model.Session.execute(
        sa.insert(notice_table).values(
            id=str(uuid.uuid4()),
            user_id=user["id"],
            kind="request_comment",
            key="comment:old",
            subject="共享申请有新留言：人口基础信息 / New message on a request: 人口基础信息",
            body="关于“人口基础信息”的共享申请有一条新留言，请登录平台查看。",
            link="/govshare/requests/r-old",
            params={
                "request_id": "r-old",
                "entry_title": "人口基础信息",
                "reason": SECRET_TEXT,
                "link": "/govshare/requests/r-old",
            },
            created_at=dt.datetime.now(dt.timezone.utc),
        )
    )
    model.Session.commit()
    assert notices()[0]["params"]["reason"] == SECRET_TEXT  # as the old version left it
    listed = helpers.call_action(
        "govshare_notice_list", {"user": user["name"], "ignore_auth": False}
    )
    (notice,) = listed["results"]
    assert notice["params"] == {"request_id": "r-old", "link": "/govshare/requests/r-old"}
    api = app.get(
        "/api/3/action/govshare_notice_list", headers={"Authorization": user["token"]}
    ).get_data(as_text=True)
    assert "r-old" in api and "身份证号" not in api
    page = app.get("/en/dashboard/notices/", headers={"Authorization": user["token"]})
    html = page.get_data(as_text=True)
    # Stored in both languages: shown in the reader's only (the site's, zh_Hans_CN: issue 19).
    assert page.status_code == 200 and "共享申请有新留言" in html
    assert "New message on a request" not in html
    assert "身份证号" not in html
