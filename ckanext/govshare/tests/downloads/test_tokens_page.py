"""/govshare/tokens (issue 19 item 8): one's tokens listed without secrets, a new one's secret
shown once in the POST's answer (never in a URL), rotate and revoke with confirmations."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.govshare.downloads import tokens
from ckanext.govshare.downloads.model import token_table

from .conftest import Shared, events

SECRET = re.compile(r"gsd_[A-Za-z0-9_-]{40,}")


def _rows() -> list[dict[str, Any]]:
    with model.meta.engine.connect() as conn:
        query = sa.select(token_table).order_by(token_table.c.created_at)
        return [dict(r._mapping) for r in conn.execute(query)]


def test_the_list_shows_tokens_never_their_secrets(app: Any, shared: Shared, as_user: Any) -> None:
    made = shared.token(max_uses=5)
    shared.world.call("requester_officer", "govshare_token_create", grant_id=shared.grant["id"])
    page = app.get("/en/govshare/tokens", headers=as_user("requester")).get_data(as_text=True)
    assert page.count('class="govshare-token-row"') == 1  # a colleague's token is not listed
    assert f'data-token-id="{made["id"]}"' in page
    assert made["token"] not in page and not SECRET.search(page)
    assert shared.world.unconditional["title"] in page and "市场监管局" in page
    assert "0 / 5" in page
    assert 'data-govshare-confirm="Revoke this token?' in page
    assert 'data-govshare-confirm="Replace this token' in page
    # the create form offers the department's live grant
    assert f'<option value="{shared.grant["id"]}"' in page


def test_create_shows_the_secret_once(app: Any, shared: Shared, as_user: Any) -> None:
    staff = as_user("requester")
    response = app.post(
        "/govshare/tokens",
        data={"grant_id": shared.grant["id"], "expires_days": "2", "max_uses": "3"},
        headers=staff,
        follow_redirects=False,
    )
    assert response.status_code == 200  # the answer itself: no redirect, no secret in a URL
    assert response.headers["Cache-Control"].startswith("no-store")
    page = response.get_data(as_text=True)
    (secret,) = set(SECRET.findall(page))
    (row,) = _rows()
    assert row["token_hash"] == tokens.digest(secret) and row["max_uses"] == 3
    assert row["user_id"] == shared.world.users["requester"]["id"]
    assert "/govshare/bulk" in page and "$TOKEN" in page
    assert 47 * 3600 < (row["expires_at"] - row["created_at"]).total_seconds() < 48 * 3600 + 1
    # the list afterwards does not show it again
    again = app.get("/govshare/tokens", headers=staff).get_data(as_text=True)
    assert secret not in again and not SECRET.search(again)
    (event,) = events(action="govshare_token_create", object_id=row["id"])
    assert secret not in str(event["detail"])


def test_create_refusals(app: Any, shared: Shared, as_user: Any) -> None:
    """Another department's grant, a bad number of days, anonymous: no token made."""
    other = app.post(
        "/govshare/tokens", data={"grant_id": shared.grant["id"]}, headers=as_user("other")
    )
    assert other.status_code == 403
    assert "只有持有该授权的部门的成员才能申请下载令牌" in other.get_data(as_text=True)
    bad = app.post(
        "/govshare/tokens",
        data={"grant_id": shared.grant["id"], "expires_days": "soon"},
        headers=as_user("requester"),
    )
    assert bad.status_code == 409 and "govshare-form-errors" in bad.get_data(as_text=True)
    anonymous = app.post("/govshare/tokens", data={"grant_id": shared.grant["id"]})
    assert anonymous.status_code in (400, 403)  # no session: CSRF or login refusal
    assert _rows() == []


def test_an_ended_grant_offers_no_token(app: Any, shared: Shared, as_user: Any) -> None:
    shared.world.call(
        "provider_officer",
        "govshare_grant_revoke",
        id=shared.grant["id"],
        reason="违规使用",
        **shared.world.filing(shared.grant),
    )
    staff = as_user("requester")
    page = app.get("/govshare/tokens", headers=staff).get_data(as_text=True)
    assert "govshare-token-no-grant" in page
    refused = app.post("/govshare/tokens", data={"grant_id": shared.grant["id"]}, headers=staff)
    assert refused.status_code == 409 and _rows() == []


def test_revoke_and_rotate(app: Any, shared: Shared, as_user: Any) -> None:
    staff = as_user("requester")
    first, second = shared.token(), shared.token()
    response = app.post(
        f"/govshare/tokens/{first['id']}/revoke", headers=staff, follow_redirects=False
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/govshare/tokens")
    rows = {r["id"]: r for r in _rows()}
    assert rows[first["id"]]["revoked_at"] is not None
    page = app.get("/govshare/tokens?status=revoked", headers=staff).get_data(as_text=True)
    assert (
        page.count('class="govshare-token-row"') == 1 and f'data-token-id="{first["id"]}"' in page
    )
    assert "govshare-token-revoke" not in page  # a revoked token offers nothing more

    rotated = app.post(f"/govshare/tokens/{second['id']}/rotate", headers=staff)
    assert rotated.status_code == 200 and rotated.headers["Cache-Control"].startswith("no-store")
    (secret,) = set(SECRET.findall(rotated.get_data(as_text=True)))
    assert secret != second["token"]
    rows = {r["id"]: r for r in _rows()}
    assert rows[second["id"]]["revoked_at"] is not None
    (new,) = [r for r in rows.values() if r["token_hash"] == tokens.digest(secret)]
    assert new["revoked_at"] is None

    # someone else's token: refused, nothing changes
    mine = shared.world.call(
        "requester_officer", "govshare_token_create", grant_id=shared.grant["id"]
    )
    refused = app.post(f"/govshare/tokens/{mine['id']}/rotate", headers=staff)
    assert refused.status_code == 200 and "只有令牌持有人" in refused.get_data(as_text=True)
    assert {r["id"]: r for r in _rows()}[mine["id"]]["revoked_at"] is None
