"""A harvested entry's page names the service interfaces its resources are offered through on
the source platform (issue 20, item 2): a department of the upper platform finds the interface
and applies at the source. Never a link to the data itself."""

from __future__ import annotations

import json

from ckan.tests import helpers

from ckanext.govshare.tests.access.conftest import World

SOURCE = "https://lower.example"
ENDPOINT = f"{SOURCE}/govshare/query/0f0e"
SERVICE = {
    "title": "Service interface of 企业登记",
    "title_zh": "企业登记的服务接口",
    "endpoint_url": [ENDPOINT],
    "verify_url": f"{SOURCE}/govshare/verify/0f0e",
    "endpoint_description": f"{SOURCE}/govshare/interface/openapi.json",
    "data_items": ["统一社会信用代码", "企业名称"],
}
DATA_LINK = f"{SOURCE}/secret/0f0e.csv"


def _harvested(world: World, services: object) -> dict:
    """The world's conditional entry as a harvester keeps it: origins and a resource whose
    interface on the source platform was read from its DCAT export."""
    entry = world.conditional
    resources = [{**r} for r in entry["resources"]]
    resources[0]["url"] = DATA_LINK
    resources[0]["access_services"] = json.dumps(services, ensure_ascii=False)
    return helpers.call_action(
        "package_patch",
        context={"user": world.users["sysadmin"]["name"], "ignore_auth": True},
        id=entry["id"],
        source_platform="下级平台",
        source_platform_url=SOURCE,
        source_department="市场监管局",
        source_apply_url=f"{SOURCE}/govshare/requests/new?package_id=x",
        resources=resources,
    )


def _page(app, world: World, headers, lang: str) -> str:
    return app.get(f"{lang}/dataset/{world.conditional['name']}", headers=headers).body


def test_a_department_finds_the_source_interface_and_where_to_apply(app, world, as_user):
    _harvested(world, [SERVICE])
    for lang, title, heading in (
        ("/en", SERVICE["title"], "Service interfaces on the source platform"),
        ("/zh_Hans_CN", SERVICE["title_zh"], "来源平台的服务接口"),
    ):
        page = _page(app, world, as_user("requester"), lang)
        assert heading in page and title in page
        assert ENDPOINT in page and SERVICE["verify_url"] in page
        assert "统一社会信用代码、企业名称" in page
        assert f"{SOURCE}/govshare/requests/new" in page  # apply at the source
        assert DATA_LINK not in page


def test_an_interface_naming_the_data_link_is_not_shown(app, world, as_user):
    _harvested(world, [{**SERVICE, "endpoint_url": [DATA_LINK]}])
    page = _page(app, world, as_user("requester"), "/en")
    assert "Service interfaces on the source platform" not in page
    assert DATA_LINK not in page


def test_an_entry_without_interfaces_shows_none(app, world, as_user):
    _harvested(world, [])
    page = _page(app, world, as_user("requester"), "/en")
    assert "Service interfaces on the source platform" not in page
