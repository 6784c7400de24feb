"""Uploaded files with Chinese names keep a name, a media type and a format (issue 20, item 1):
CKAN alone stores 人口数据.csv as ``.csv``, whose type it cannot guess."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from ckan.lib.munge import munge_filename
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage
from hypothesis import given, settings
from hypothesis import strategies as st

from ckanext.govshare.catalogue.upload_names import storable_name
from ckanext.govshare.tests import factories as gs_factories

CSV = "统一社会信用代码,企业名称\n9131,某某公司\n".encode()


@pytest.mark.parametrize(
    ("uploaded", "stored"),
    [
        ("人口数据.csv", "ren-kou-shu-ju.csv"),
        ("2024年人口 数据v2.csv", "2024-nian-ren-kou-shu-ju-v2.csv"),
        ("重庆市长.CSV", "chong-qing-shi-zhang.csv"),  # by phrase: chong, not zhong
        ("人口（2024）.xlsx", "ren-kou-2024.xlsx"),  # full-width brackets
        ("ｄａｔａ表.json", "data-biao.json"),  # full-width letters
        ("人口.tar.gz", "ren-kou.tar.gz"),
        ("C:\\用户\\人口.csv", "ren-kou.csv"),  # a path some browsers send
        ("【】.csv", "file.csv"),  # nothing of its own left
        ("\xa0.csv", "file.csv"),  # a space (NFKC) before the extension: nothing left
        ("registrations.csv", "registrations.csv"),  # ASCII: as CKAN has it
    ],
)
def test_names_as_stored(uploaded: str, stored: str) -> None:
    assert munge_filename(storable_name(uploaded)) == stored


_name = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(stem=_name, ext=st.sampled_from(["", ".csv", ".xlsx", ".JSON", ".表格"]))
def test_a_non_ascii_name_always_keeps_a_stem_and_its_extension(stem: str, ext: str) -> None:
    uploaded = stem + ext
    if uploaded.isascii():
        return  # CKAN's own handling, unchanged
    stored = munge_filename(storable_name(uploaded))
    assert stored.isascii()
    assert not stored.startswith("."), "a file with a name"
    last = os.path.splitext(uploaded.replace("\\", "/").rsplit("/", 1)[-1])[1]
    if last in (".csv", ".xlsx", ".JSON") and "/" not in stem and "\\" not in stem:
        assert stored.endswith(last.lower())


@pytest.fixture
def officer(clean_db: Any, tmp_path: Any, ckan_config: Any, monkeypatch: Any) -> dict[str, Any]:
    """A department's officer (an admin of it) with an entry, uploads stored under tmp_path."""
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    user = factories.User()
    org = gs_factories.Department(users=[{"name": user["name"], "capacity": "admin"}])
    entry = call_action(
        "package_create",
        {"user": user["name"]},
        **gs_factories.entry_fields(),
        name=gs_factories.unique_name("upload"),
        title="上传",
        notes="摘要",
        owner_org=org["id"],
    )
    return {"context": {"user": user["name"]}, "entry": entry}


def _file(name: str) -> FakeFileStorage:
    return FakeFileStorage(io.BytesIO(CSV), name)


def _stored(resource: dict[str, Any], path: str, mimetype: str, fmt: str | None) -> None:
    assert resource["url_type"] == "upload"
    assert resource["url"].endswith(f"/download/{path}"), resource["url"]
    assert resource["mimetype"] == mimetype
    if fmt is not None:
        assert resource["format"] == fmt


def _create(officer: dict[str, Any], filename: str, **fields: Any) -> dict[str, Any]:
    return call_action(
        "resource_create",
        dict(officer["context"]),
        package_id=officer["entry"]["id"],
        upload=_file(filename),
        **fields,
    )


def test_resource_create_through_the_api(officer: dict[str, Any]) -> None:
    made = _create(officer, "人口数据.csv")
    _stored(made, "ren-kou-shu-ju.csv", "text/csv", "CSV")
    assert made["name"] == "人口数据.csv", "named after the file, as the form does"
    named = _create(officer, "企业登记信息.csv", name="企业登记")
    _stored(named, "qi-ye-deng-ji-xin-xi.csv", "text/csv", "CSV")
    assert named["name"] == "企业登记", "a name given is kept"


def test_odd_names_a_browser_may_send(officer: dict[str, Any]) -> None:
    """A NUL byte (PostgreSQL stores none) or a name of 100,000 characters: stored, named."""
    with_nul = _create(officer, "人口\x00数据.csv")
    _stored(with_nul, "ren-kou-shu-ju.csv", "text/csv", "CSV")
    assert with_nul["name"] == "人口数据.csv"
    huge = _create(officer, "人" * 100_000 + ".csv")
    assert huge["url"].endswith(".csv") and huge["mimetype"] == "text/csv"
    assert len(huge["name"]) == 200


def test_resource_update_with_a_new_file(officer: dict[str, Any]) -> None:
    made = _create(officer, "统计.csv", name="统计")
    updated = call_action(
        "resource_update",
        dict(officer["context"]),
        id=made["id"],
        name="统计",
        upload=_file("二〇二四年统计.json"),
    )
    # CKAN guesses a format for new resources only: the edit keeps the one it had.
    _stored(updated, "er-ling-er-si-nian-tong-ji.json", "application/json", None)


def test_package_update_with_an_upload(officer: dict[str, Any]) -> None:
    entry = call_action("package_show", id=officer["entry"]["id"])
    entry["resources"] = [{"name": "名录", "upload": _file("企业名录.csv"), "url": ""}]
    updated = call_action("package_update", dict(officer["context"]), **entry)
    _stored(updated["resources"][0], "qi-ye-ming-lu.csv", "text/csv", "CSV")
