"""Mail in development (issue 19, item 10): the SMTP sink ``make run`` starts keeps every
message CKAN sends under ``var/mail/``; sysadmins list and read them at ``/govshare/mail``
(``govshare_mail_list``, ``govshare_mail_show``), nobody else; mail that cannot be sent is one
log line, not a traceback.
"""

from __future__ import annotations

import configparser
import email
import io
import logging
import pathlib
import socket
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.lib import mailer
from ckan.tests import factories, helpers

from ckanext.govshare.mail import quiet, sink, store

TEMPLATE = pathlib.Path(__file__).resolve().parents[4] / "config" / "ckan.ini.template"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mail_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sink's directory, where the page reads too."""
    directory = tmp_path / "mail"
    monkeypatch.setattr(store, "mail_dir", lambda: directory)
    return directory


@pytest.fixture
def running_sink(
    mail_dir: Path, ckan_config: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[int]:
    """A sink on a free port, and CKAN's ``smtp.server`` pointing at it."""
    port = _free_port()
    controller = sink.controller(mail_dir, "127.0.0.1", port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "govshare@localhost")
    try:
        yield port
    finally:
        controller.stop()


def _send(subject: str = "共享申请已批准 Request approved", body: str = "您的申请已批准。") -> None:
    mailer.mail_recipient("张伟", "zhang.wei@example.gov.cn", subject, body)


def _token(user: dict[str, Any]) -> dict[str, str]:
    token = helpers.call_action(
        "api_token_create",
        context={"user": user["name"], "ignore_auth": True},
        user=user["name"],
        name="mail",
    )["token"]
    return {"Authorization": token}


def test_the_sink_stores_a_message_sent_through_ckans_mailer(running_sink: int, mail_dir: Path):
    _send()
    [path] = list(mail_dir.glob("*.eml"))
    assert store.MESSAGE_ID.match(path.stem)
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert str(message["Subject"]) == "共享申请已批准 Request approved"
    assert "zhang.wei@example.gov.cn" in str(message["To"])
    assert message["X-Envelope-To"] == "zhang.wei@example.gov.cn"
    assert "您的申请已批准。" in message.get_body(preferencelist=("plain",)).get_content()
    assert not list(mail_dir.glob(".*.part"))  # written whole, then renamed
    _send(subject="第二封 Second")
    assert len(list(mail_dir.glob("*.eml"))) == 2


def test_sysadmins_list_and_read_the_mail(app: Any, running_sink: int, mail_dir: Path):
    _send()
    _send(subject="第二封 Second", body="第二封正文 <b>not html</b>")
    admin = factories.Sysadmin()
    found = helpers.call_action("govshare_mail_list", context={"user": admin["name"]})
    assert (found["count"], found["limit"], found["offset"]) == (2, 50, 0)
    newest, oldest = found["results"]
    assert newest["subject"] == "第二封 Second"  # newest first
    assert oldest["subject"] == "共享申请已批准 Request approved"
    assert "zhang.wei@example.gov.cn" in oldest["to"] and oldest["time"].endswith("+00:00")
    shown = helpers.call_action(
        "govshare_mail_show", context={"user": admin["name"]}, id=oldest["id"]
    )
    assert "您的申请已批准。" in shown["body"]
    paged = helpers.call_action(
        "govshare_mail_list", context={"user": admin["name"]}, limit=1, offset=1
    )
    assert paged["count"] == 2 and [m["id"] for m in paged["results"]] == [oldest["id"]]

    headers = _token(admin)
    # The sysadmin pages' tabs lead to it.
    assert 'href="/en/govshare/mail"' in app.get("/en/ckan-admin", headers=headers).body
    page = app.get("/en/govshare/mail", headers=headers)
    assert page.status_code == 200
    assert "共享申请已批准 Request approved" in page.body and "第二封 Second" in page.body
    assert "zhang.wei@example.gov.cn" in page.body
    assert f"/govshare/mail/{oldest['id']}" in page.body
    read = app.get(f"/en/govshare/mail/{newest['id']}", headers=headers)
    assert read.status_code == 200
    assert "第二封正文 &lt;b&gt;not html&lt;/b&gt;" in read.body  # the text, escaped
    assert (
        app.get(
            "/en/govshare/mail/20260101T000000000000Z-000000000000", headers=headers
        ).status_code
        == 404
    )


def test_no_mail_yet_is_said(app: Any, mail_dir: Path):
    page = app.get("/en/govshare/mail", headers=_token(factories.Sysadmin()))
    assert page.status_code == 200 and "No mail yet." in page.body


def test_nobody_but_sysadmins_reads_the_mail(app: Any, running_sink: int, mail_dir: Path):
    _send()
    [path] = list(mail_dir.glob("*.eml"))
    user = factories.User()
    for action, data in (("govshare_mail_list", {}), ("govshare_mail_show", {"id": path.stem})):
        with pytest.raises(tk.NotAuthorized) as refused:
            helpers.call_action(
                action, context={"user": user["name"], "ignore_auth": False}, **data
            )
        assert "只有系统管理员" in str(refused.value) and "system administrators" in str(
            refused.value
        )
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action(action, context={"user": "", "ignore_auth": False}, **data)
    headers = _token(user)
    assert app.get("/govshare/mail", headers=headers).status_code == 403
    assert app.get(f"/govshare/mail/{path.stem}", headers=headers).status_code == 403
    anonymous = app.get("/govshare/mail", follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]


def test_a_message_id_is_a_file_name_and_nothing_else(mail_dir: Path, tmp_path: Path):
    admin = factories.Sysadmin()
    (tmp_path / "secret.eml").write_text("Subject: secret\n\nno")
    for wrong in ("../secret", "..%2Fsecret", "20260101T000000000000Z-00000000000g"):
        with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
            helpers.call_action("govshare_mail_show", context={"user": admin["name"]}, id=wrong)


def _template_formatter() -> logging.Formatter:
    """The formatter the committed configuration's log handler uses."""
    parser = configparser.RawConfigParser()
    parser.read(TEMPLATE, encoding="utf-8")
    section = parser["formatter_generic"]
    module, _, name = section["class"].rpartition(".")
    formatter_class = getattr(__import__(module, fromlist=[name]), name)
    return formatter_class(section["format"])


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the configured handler writes for ``ckan`` and ``ckanext`` loggers."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(_template_formatter())
    loggers = [logging.getLogger(n) for n in ("ckan", "ckanext")]
    for logger in loggers:
        logger.addHandler(handler)
    # A test that loaded the ini's logging section (a CLI command) leaves the loggers that
    # existed then disabled (fileConfig's disable_existing_loggers): these two log here.
    mailer_logger = logging.getLogger("ckan.lib.mailer")
    example = logging.getLogger("ckanext.govshare.example")
    disabled = [(lg, lg.disabled) for lg in (mailer_logger, example)]
    for lg, _ in disabled:
        lg.disabled = False
    try:
        yield out
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        for lg, was in disabled:
            lg.disabled = was


def test_a_failing_smtp_server_logs_one_line_without_a_traceback(
    log_lines: io.StringIO, ckan_config: Any, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{_free_port()}")  # nobody there
    with pytest.raises(mailer.MailerException):
        _send()
    lines = log_lines.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    assert "[ckan.lib.mailer] Mail not sent:" in lines[0]
    assert "ConnectionRefusedError" in lines[0]
    # Any other error keeps its traceback.
    try:
        raise KeyError("not mail")
    except KeyError:
        logging.getLogger("ckanext.govshare.example").exception("something else")
    assert "Traceback" in log_lines.getvalue() and "KeyError: 'not mail'" in log_lines.getvalue()


def test_the_committed_configuration_points_at_the_sink():
    parser = configparser.RawConfigParser()
    parser.read(TEMPLATE, encoding="utf-8")
    assert parser["app:main"]["smtp.server"] == f"{sink.HOST}:{sink.PORT}"
    assert parser["formatter_generic"]["class"] == "ckanext.govshare.mail.quiet.Formatter"
    assert quiet.Formatter is not None
