"""The download list (下载清单, issue 19 item 8): govshare_cart_add/_remove/_show/_clear, the
/govshare/cart page and its one ZIP through the bulk path."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.govshare.access.model import grant_table
from ckanext.govshare.downloads.model import download_table

from .conftest import FILE, LINKED, Shared, events


def _downloads() -> list[dict[str, Any]]:
    with model.meta.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(download_table))]


def _set_grant(shared: Shared, **values: Any) -> None:
    model.Session.execute(
        sa.update(grant_table).where(grant_table.c.id == shared.grant["id"]).values(**values)
    )
    model.Session.commit()


def _add(shared: Shared, *resources: dict[str, Any], who: str = "requester") -> dict[str, Any]:
    return shared.world.call(who, "govshare_cart_add", resource_ids=[r["id"] for r in resources])


# ---------------------------------------------------------------------------- the actions


def test_add_show_remove_clear(shared: Shared) -> None:
    added = _add(shared, shared.upload, shared.link)
    assert added["added"] == [shared.upload["id"], shared.link["id"]]
    assert added["count"] == 2 and added["available_count"] == 2
    item = added["results"][0]
    assert item["resource_id"] == shared.upload["id"] and item["available"] is True
    assert item["resource_name"] == "人口数据"
    assert item["package_title"] == shared.world.unconditional["title"]
    assert item["provider_org_title"] == "市场监管局"
    grant = item["grant"]
    assert grant["grant_id"] == shared.grant["id"]
    assert grant["purpose"] == "data_verification" and grant["downloads_left"] is None
    assert grant["requesting_org_title"] == "税务局"
    assert item["reason"] is None and item["whole_file"] is True and item["columns"] is None

    again = _add(shared, shared.upload)  # already listed: nothing added, nothing duplicated
    assert again["added"] == [] and again["count"] == 2

    removed = shared.world.call(
        "requester", "govshare_cart_remove", resource_ids=[shared.upload["id"]]
    )
    assert removed["removed"] == [shared.upload["id"]]
    assert [i["resource_id"] for i in removed["results"]] == [shared.link["id"]]
    # the list is the user's own: a colleague's is empty
    assert shared.world.call("requester_officer", "govshare_cart_show")["count"] == 0
    cleared = shared.world.call("requester", "govshare_cart_clear")
    assert cleared["removed"] == [shared.link["id"]] and cleared["count"] == 0

    actions = [e["action"] for e in events(object_type="download_list")]
    assert actions == ["govshare_cart_add", "govshare_cart_remove", "govshare_cart_clear"]
    assert events(action="govshare_cart_add")[0]["detail"]["resource_ids"] == [
        shared.upload["id"],
        shared.link["id"],
    ]


def test_a_whole_entry_goes_in_as_its_granted_resources(shared: Shared) -> None:
    entry = shared.world.unconditional
    added = shared.world.call("requester", "govshare_cart_add", package_ids=[entry["name"]])
    ids = {
        r.id
        for r in model.Session.query(model.Resource.id).filter_by(
            package_id=entry["id"], state="active"
        )
    }
    assert set(added["added"]) == ids and added["count"] == len(ids)


def test_anonymous_has_no_list(shared: Shared) -> None:
    for action, data in (
        ("govshare_cart_show", {}),
        ("govshare_cart_add", {"resource_ids": [shared.upload["id"]]}),
        ("govshare_cart_remove", {"resource_ids": [shared.upload["id"]]}),
        ("govshare_cart_clear", {}),
    ):
        with pytest.raises(tk.NotAuthorized) as refused:
            shared.world.call(None, action, **data)
        assert "请登录" in str(refused.value) and "Log in" in str(refused.value)


def test_another_departments_grant_is_refused(shared: Shared) -> None:
    """The other department holds no grant on the entry: nothing goes in, in both languages."""
    with pytest.raises(tk.ValidationError) as refused:
        _add(shared, shared.upload, who="other")
    (text,) = refused.value.error_dict["resource_ids"]
    assert "None of your departments" in text and "您所在部门没有" in text and "人口数据" in text
    assert shared.world.call("other", "govshare_cart_show")["count"] == 0
    with pytest.raises(tk.ValidationError):
        shared.world.call(
            "other", "govshare_cart_add", package_ids=[shared.world.unconditional["id"]]
        )


def test_refused_input(shared: Shared) -> None:
    with pytest.raises(tk.ValidationError) as nothing:
        shared.world.call("requester", "govshare_cart_add")
    assert "请至少选择" in nothing.value.error_dict["resource_ids"][0]
    with pytest.raises(tk.ValidationError) as unknown:
        shared.world.call("requester", "govshare_cart_add", resource_ids=["no-such-resource"])
    assert "no-such-resource" in unknown.value.error_dict["resource_ids"][0]
    with pytest.raises(tk.ValidationError) as absent:
        shared.world.call("requester", "govshare_cart_remove", resource_ids=[shared.link["id"]])
    assert "不在您的下载清单中" in absent.value.error_dict["resource_ids"][0]
    assert shared.world.call("requester", "govshare_cart_show")["count"] == 0


def test_the_list_is_bounded(shared: Shared, ckan_config: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(ckan_config, "ckanext.govshare.download.bulk_max_files", 1)
    _add(shared, shared.upload)
    with pytest.raises(tk.ValidationError) as full:
        _add(shared, shared.link)
    assert "最多可放 1 个资源" in full.value.error_dict["resource_ids"][0]
    assert shared.world.call("requester", "govshare_cart_show")["count"] == 1


def test_an_ended_grant_leaves_its_items_unavailable(shared: Shared) -> None:
    _add(shared, shared.upload, shared.link)
    shared.world.call(
        "provider_officer",
        "govshare_grant_revoke",
        id=shared.grant["id"],
        reason="违规使用",
        **shared.world.filing(shared.grant),
    )
    shown = shared.world.call("requester", "govshare_cart_show")
    assert shown["count"] == 2 and shown["available_count"] == 0
    assert shown["available_resource_ids"] == []
    for item in shown["results"]:
        assert item["available"] is False and item["reason"] == "grant_ended"
        assert item["reason_label"]["zh_Hans_CN"] == "涵盖该资源的授权已到期或已撤销"
    with pytest.raises(tk.ValidationError):  # and nothing more goes in under it
        _add(shared, shared.upload)


def test_a_used_up_limit_is_shared_by_the_items_of_a_grant(shared: Shared) -> None:
    _add(shared, shared.upload, shared.link)
    _set_grant(shared, max_downloads=3, downloads_used=2)
    shown = shared.world.call("requester", "govshare_cart_show")
    first, second = shown["results"]
    assert first["available"] and first["grant"]["downloads_left"] == 1
    assert not second["available"] and second["reason"] == "exhausted"
    assert second["reason_label"]["en"] == "The grant's download limit is used up"
    assert shown["available_resource_ids"] == [shared.upload["id"]]
    _set_grant(shared, downloads_used=3)
    shown = shared.world.call("requester", "govshare_cart_show")
    assert shown["available_count"] == 0
    assert {i["reason"] for i in shown["results"]} == {"exhausted"}


# ---------------------------------------------------------------------------- the pages


def _zip(response: Any) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    assert response.status_code == 200, response.get_data()[:500]
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    return archive, json.loads(archive.read("MANIFEST.json"))


def test_the_page_lists_the_items_and_downloads_one_zip(
    app: Any, shared: Shared, as_user: Any
) -> None:
    staff = as_user("requester")
    response = app.post(
        "/govshare/cart/add",
        data={"resource_ids": [shared.upload["id"], shared.link["id"]]},
        headers=staff,
        follow_redirects=False,
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/govshare/cart")
    page = app.get("/en/govshare/cart", headers=staff).get_data(as_text=True)
    assert page.count('class="govshare-cart-item') == 2
    assert "人口数据" in page and "市场监管局" in page and "The original file" in page
    assert "Download 2 files as one ZIP" in page
    assert 'data-govshare-confirm="Empty your download list?"' in page

    before = len(events(action="govshare_download", outcome="success"))
    archive, manifest = _zip(app.post("/govshare/cart/download", headers=staff))
    code = shared.world.unconditional["resource_code"]
    assert archive.namelist() == [f"{code}/人口数据.csv", f"{code}/linked.csv", "MANIFEST.json"]
    assert archive.read(f"{code}/人口数据.csv") == FILE
    assert archive.read(f"{code}/linked.csv") == LINKED
    assert {f["grant_id"] for f in manifest["files"]} == {shared.grant["id"]}
    assert manifest["refused"] == []
    rows = _downloads()
    assert sorted(r["resource_id"] for r in rows) == sorted(
        [shared.upload["id"], shared.link["id"]]
    )
    assert {r["route"] for r in rows} == {"bulk"}
    audited = events(action="govshare_download", outcome="success")[before:]
    assert sorted(e["object_id"] for e in audited) == sorted(
        [shared.upload["id"], shared.link["id"]]
    )
    # the list stays as it was: the page now says what is left
    assert shared.world.call("requester", "govshare_cart_show")["count"] == 2


def test_unavailable_items_are_shown_with_the_reason_and_left_out(
    app: Any, shared: Shared, as_user: Any
) -> None:
    _add(shared, shared.upload, shared.link)
    _set_grant(shared, max_downloads=1, downloads_used=0)
    staff = as_user("requester")
    page = app.get("/en/govshare/cart", headers=staff).get_data(as_text=True)
    assert "govshare-cart-unavailable" in page
    assert "Download 1 file as one ZIP" in page
    chinese = app.get("/govshare/cart", headers=staff).get_data(as_text=True)
    assert "该授权的下载次数已用完" in chinese and "将 1 个文件打包为 ZIP 下载" in chinese
    archive, manifest = _zip(app.post("/govshare/cart/download", headers=staff))
    assert [f["resource_id"] for f in manifest["files"]] == [shared.upload["id"]]
    assert manifest["refused"] == []  # left out, not asked for and refused
    assert len(_downloads()) == 1
    # now nothing is left: no ZIP, back to the list with the reason
    response = app.post("/govshare/cart/download", headers=staff, follow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/govshare/cart")
    assert len(_downloads()) == 1


def test_the_page_refuses_what_the_action_refuses(app: Any, shared: Shared, as_user: Any) -> None:
    other = as_user("other")
    response = app.post(
        "/govshare/cart/add", data={"resource_ids": shared.upload["id"]}, headers=other
    )
    assert response.status_code == 200
    assert "您所在部门没有涵盖以下资源的有效授权" in response.get_data(as_text=True)
    assert shared.world.call("other", "govshare_cart_show")["count"] == 0
    anonymous = app.get("/govshare/cart", follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]


def test_the_grant_pages_offer_the_list_and_name_departments_by_title(
    app: Any, shared: Shared, as_user: Any
) -> None:
    staff = as_user("requester")
    listing = app.get("/govshare/grants?direction=outgoing", headers=staff).get_data(as_text=True)
    assert "市场监管局" in listing and shared.world.provider["name"] not in listing
    assert "govshare-grant-cart-add" in listing
    incoming = app.get(
        "/govshare/grants?direction=incoming", headers=as_user("provider_officer")
    ).get_data(as_text=True)
    assert "税务局" in incoming and shared.world.requester_org["name"] not in incoming
    assert "govshare-grant-cart-add" not in incoming  # the provider downloads nothing here
    page = app.get(f"/govshare/grants/{shared.grant['id']}", headers=staff).get_data(as_text=True)
    assert "govshare-grant-cart" in page and f'value="{shared.upload["id"]}"' in page


def test_the_add_form_goes_back_to_the_page_it_came_from_on_this_site_only(
    app: Any, shared: Shared, as_user: Any
) -> None:
    """The "Add to download list" button beside a download button (``downloads/button.html``)
    comes back to its resource page; an address off the site is never followed."""
    url = f"/dataset/{shared.world.unconditional['name']}/resource/{shared.upload['id']}"
    response = app.post(
        "/govshare/cart/add",
        data={"resource_ids": shared.upload["id"], "came_from": url},
        headers=as_user("requester"),
        follow_redirects=False,
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    for elsewhere in ("//evil.example/x", "/\\evil.example/x", "https://evil.example/x"):
        outside = app.post(
            "/govshare/cart/add",
            data={"resource_ids": shared.link["id"], "came_from": elsewhere},
            headers=as_user("requester"),
            follow_redirects=False,
        )
        assert outside.headers["Location"].endswith("/govshare/cart")
    listed = shared.world.call("requester", "govshare_cart_show")["available_resource_ids"]
    assert listed == [shared.upload["id"], shared.link["id"]]
