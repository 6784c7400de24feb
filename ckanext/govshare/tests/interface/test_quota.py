"""A grant's daily call quota (issue 16, item 6): 429 with Retry-After to the next local
midnight, counted exactly once under concurrency, refused calls not counted, a caller's 409
given back; the grant page's use figures."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import threading
from typing import Any

import pytest
import requests
from ckan import model

from ckanext.govshare.core import clock
from ckanext.govshare.interface import quota
from ckanext.govshare.tests.interface.conftest import (
    IWorld,
    calls,
    patch_grant,
    quota_calls,
)


def _get(app: Any, iw: IWorld, headers: dict[str, str], **params: Any) -> Any:
    return app.get(f"/govshare/query/{iw.resource_id}", query_string=params, headers=headers)


@pytest.fixture
def late_evening(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """The platform's clock at 23:00 local time today: an hour to midnight."""
    moment = dt.datetime.combine(clock.today(), dt.time(23, 0), tzinfo=clock.timezone())
    monkeypatch.setattr(clock, "now", lambda: moment.astimezone(dt.timezone.utc))
    return moment


def test_over_the_quota_is_a_429_until_the_next_local_midnight(
    app: Any, iw: IWorld, bearer: Any, late_evening: dt.datetime
) -> None:
    patch_grant(iw.grant["id"], max_calls_per_day=2)
    headers = bearer(iw.token())
    assert [_get(app, iw, headers).status_code for _ in range(2)] == [200, 200]
    response = _get(app, iw, headers)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3600"
    body = response.json
    assert body["reason"] == "quota_exceeded"
    assert body["message_en"] and body["message_zh"] and "records" not in body
    assert quota_calls(iw.grant["id"]) == 2  # the refused call did not count
    row = calls(method="query")[-1]
    assert (row["outcome"], row["reason"], row["status_code"]) == ("refused", "quota_exceeded", 429)


def test_the_action_api_answers_a_used_up_quota_with_a_403_saying_so(iw: IWorld) -> None:
    import ckan.plugins.toolkit as tk

    patch_grant(iw.grant["id"], max_calls_per_day=1)
    data = {"resource_id": iw.resource_id, "grant_id": iw.grant["id"]}
    iw.call("requester", "govshare_data_query", **data)
    with pytest.raises(tk.NotAuthorized) as error:
        iw.call("requester", "govshare_data_query", **data)
    assert error.value.refusal["retry_after"] > 0  # type: ignore[attr-defined]
    assert "quota" in str(error.value)


def test_refused_calls_and_input_errors_do_not_count(app: Any, iw: IWorld, bearer: Any) -> None:
    patch_grant(iw.grant["id"], max_calls_per_day=1)
    headers = bearer(iw.token())
    assert _get(app, iw, headers, fields="注册资本").status_code == 403  # not granted
    assert _get(app, iw, headers, limit="x").status_code == 409  # the schema's
    assert _get(app, iw, headers, cursor="!!").status_code == 409  # after the unit was taken
    assert quota_calls(iw.grant["id"]) == 0
    assert _get(app, iw, headers).status_code == 200
    assert _get(app, iw, headers).status_code == 429
    assert quota_calls(iw.grant["id"]) == 1


def test_a_grant_without_a_quota_is_counted_for_its_use(iw: IWorld) -> None:
    for _ in range(3):
        iw.call(
            "requester",
            "govshare_data_query",
            resource_id=iw.resource_id,
            grant_id=iw.grant["id"],
            limit=1,
        )
    assert quota.usage(iw.grant["id"]) == {"max_calls_per_day": None, "today": 3, "this_month": 3}
    patch_grant(iw.grant["id"], max_calls_per_day=10)
    assert quota.usage(iw.grant["id"])["max_calls_per_day"] == 10


def test_usage_counts_today_and_this_month(iw: IWorld) -> None:
    today = clock.today()
    earlier = today.replace(day=1) if today.day > 1 else today
    quota.take(iw.grant["id"], None, earlier)
    quota.take(iw.grant["id"], None, today - dt.timedelta(days=40))  # another month
    quota.take(iw.grant["id"], None, today)
    usage = quota.usage(iw.grant["id"])
    assert usage["today"] == (2 if earlier == today else 1)
    assert usage["this_month"] == 2


def test_fifty_threads_take_exactly_ten_units(iw: IWorld) -> None:
    """Each thread has its own connection (``quota.take`` commits on one of its own)."""
    day = clock.today()
    start = threading.Barrier(50)

    def take(_: int) -> int | None:
        start.wait()
        try:
            return quota.take(iw.grant["id"], 10, day)
        finally:
            model.Session.remove()

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        taken = list(pool.map(take, range(50)))
    assert sorted(t for t in taken if t is not None) == list(range(1, 11))
    assert taken.count(None) == 40
    assert quota_calls(iw.grant["id"]) == 10


def test_fifty_parallel_http_calls_against_a_quota_of_ten(iw: IWorld, live_server: str) -> None:
    """50 requests at once on a threaded server: exactly 10 answered, 40 refused with 429,
    the counter at 10, and 50 rows in the call log."""
    patch_grant(iw.grant["id"], max_calls_per_day=10)
    secret = iw.token()
    before = len(calls(grant_id=iw.grant["id"]))
    start = threading.Barrier(50)
    url = f"{live_server}/govshare/query/{iw.resource_id}"

    def call(_: int) -> tuple[int, Any]:
        start.wait()
        response = requests.get(
            url,
            params={"limit": 5, "filters": json.dumps({"企业名称": "x"})},
            headers={"Authorization": f"Bearer {secret}"},
            timeout=120,
        )
        return response.status_code, response.headers.get("Retry-After")

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(call, range(50)))
    statuses = [status for status, _ in answers]
    assert statuses.count(200) == 10, statuses
    assert statuses.count(429) == 40, statuses
    assert all(int(after) > 0 for status, after in answers if status == 429)
    assert quota_calls(iw.grant["id"]) == 10
    rows = calls(grant_id=iw.grant["id"])[before:]
    assert len(rows) == 50
    assert sorted(r["status_code"] for r in rows) == [200] * 10 + [429] * 40
