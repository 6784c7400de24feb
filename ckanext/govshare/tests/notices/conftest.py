"""Fixtures of the notice tests: a local SMTP server, departments with people, and access
requests and grants written straight into the access tables (as the access actions would)."""

from __future__ import annotations

import datetime as dt
import email
import socket
import uuid
from email import policy
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from ckan import model
from ckan.tests import factories

from ckanext.govshare.access.model import event_table, grant_table, request_table
from ckanext.govshare.tests import factories as gs_factories


class Mailbox:
    """What the local SMTP server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]

    @staticmethod
    def text(message: email.message.EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A local SMTP server that ``smtp.server`` points to for the test."""
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "govshare@localhost")
    yield mailbox
    controller.stop()


@pytest.fixture
def no_smtp(ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``smtp.server`` points to a port where nothing listens: every email fails."""
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{_free_port()}")


@pytest.fixture
def people(module_world: Any) -> dict[str, Any]:
    """The people, made once per test module on a reset database (``module_world``); what a
    test writes (notices, requests, emails' records) is gone for the next."""
    return module_world(build_people)


def build_people() -> dict[str, Any]:
    """A provider with an officer and a plain member, a requesting department with two
    members, the sharing authority with one member, and an outsider."""
    users = {
        name: factories.User(name=f"{name}-{uuid.uuid4().hex[:6]}", email=f"{name}@example.org")
        for name in ("officer", "clerk", "requester", "colleague", "authority", "outsider")
    }
    # CKAN requires an address on sign-up; an account may still have none (e.g. SSO).
    users["nomail"] = factories.User()
    model.Session.execute(
        sa.update(model.User.__table__)
        .where(model.User.__table__.c.id == users["nomail"]["id"])
        .values(email=None)
    )
    model.Session.commit()
    provider = gs_factories.Department(
        title="统计局",
        users=[
            {"name": users["officer"]["name"], "capacity": "editor"},
            {"name": users["clerk"]["name"], "capacity": "member"},
        ],
    )
    requesting = gs_factories.Department(
        title="公安局",
        users=[
            {"name": users["requester"]["name"], "capacity": "member"},
            {"name": users["colleague"]["name"], "capacity": "member"},
            {"name": users["nomail"]["name"], "capacity": "member"},
        ],
    )
    authority = gs_factories.Department(
        name="sharing-authority",
        title="共享主管部门",
        users=[{"name": users["authority"]["name"], "capacity": "member"}],
    )
    entry = gs_factories.CatalogueEntry(
        title="人口基础信息",
        owner_org=provider["id"],
        share_type="conditional",
        share_conditions="仅限政务部门用于核对",
    )
    return {
        **users,
        "provider": provider,
        "requesting": requesting,
        "authority_org": authority,
        "entry": entry,
    }


def make_request(people: dict[str, Any], **values: Any) -> str:
    """An access request row; ``due_date`` etc. as given. Committed."""
    now = dt.datetime.now(dt.timezone.utc)
    row = {
        "id": str(uuid.uuid4()),
        "kind": "request",
        "status": "submitted",
        "package_id": people["entry"]["id"],
        "provider_org_id": people["provider"]["id"],
        "requesting_org_id": people["requesting"]["id"],
        "requester_id": people["requester"]["id"],
        "purpose": "work_reference",
        "purpose_detail": "核对人口数据",
        "resource_ids": [],
        "data_items": [],
        "pledge": True,
        "submitted_at": now,
        "last_submitted_at": now,
        "updated_at": now,
        **values,
    }
    model.Session.execute(sa.insert(request_table).values(**row))
    model.Session.commit()
    return row["id"]


def add_event(request_id: str, to_state: str, at: dt.datetime) -> None:
    model.Session.execute(
        sa.insert(event_table).values(
            request_id=request_id,
            time=at,
            role="provider",
            action="return",
            from_state="submitted",
            to_state=to_state,
        )
    )
    model.Session.commit()


def make_grant(people: dict[str, Any], **values: Any) -> str:
    row = {
        "id": str(uuid.uuid4()),
        "package_id": people["entry"]["id"],
        "provider_org_id": people["provider"]["id"],
        "organization_id": people["requesting"]["id"],
        "source": "approval",
        "purpose": "work_reference",
        "purpose_detail": "核对人口数据",
        "status": "active",
        "created_at": dt.datetime.now(dt.timezone.utc),
        **values,
    }
    model.Session.execute(sa.insert(grant_table).values(**row))
    model.Session.commit()
    return row["id"]


def row(table: sa.Table, row_id: str) -> dict[str, Any]:
    with model.meta.engine.connect() as conn:
        return dict(conn.execute(sa.select(table).where(table.c.id == row_id)).one()._mapping)


def notices(**where: Any) -> list[dict[str, Any]]:
    """Committed notices (read on a fresh connection), oldest first."""
    from ckanext.govshare.notices.model import notice_table

    query = sa.select(notice_table).order_by(notice_table.c.created_at, notice_table.c.user_id)
    for name, value in where.items():
        query = query.where(notice_table.c[name] == value)
    with model.meta.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
