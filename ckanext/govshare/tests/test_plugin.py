"""The govshare plugin itself: configuration, translations, commands, packaging."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import ckan.cli.cli
import ckan.plugins.toolkit as tk
import polib
import pytest
from babel.messages.extract import extract_from_dir

from ckanext.govshare.tests import factories as gs_factories

PACKAGE = Path(__file__).resolve().parents[1]
CATALOG = PACKAGE / "i18n" / "zh_Hans_CN" / "LC_MESSAGES" / "ckanext-govshare.po"


def test_config_options_are_declared_with_defaults(cli: Any):
    assert tk.config.get("ckanext.govshare.authority_org") == "sharing-authority"
    assert tk.config.get("ckanext.govshare.demo.seed") == 20161
    result = cli.invoke(ckan.cli.cli.ckan, ["config", "declaration", "govshare"])
    assert result.exit_code == 0, result.output
    assert "ckanext.govshare.joint_conference_org" in result.output


@pytest.mark.unit
def test_the_chinese_catalog_translates_every_message():
    method_map = [
        ("**/tests/**", "ignore"),
        ("**.py", "python"),
        ("**/templates/**.html", "ckan.lib.extract:extract_ckan"),
    ]
    extracted = {msg[2] for msg in extract_from_dir(str(PACKAGE), method_map)}
    extracted = {m if isinstance(m, str) else m[0] for m in extracted}
    catalog = polib.pofile(str(CATALOG))
    translated = {
        e.msgid
        for e in catalog
        if (e.msgstr or all(e.msgstr_plural.values()) and e.msgstr_plural) and not e.obsolete
    }
    assert extracted, "no translatable strings found: extraction is broken"
    assert sorted(extracted - translated) == []


def test_pages_in_both_languages(app: Any, clean_db: Any):
    assert "政务数据共享平台" in app.get("/").body
    assert "Government data sharing platform" in app.get("/en/").body


def test_plural_messages_are_chinese_on_chinese_pages(app: Any, clean_db: Any):
    org = gs_factories.Department()
    for title in ("人口一", "人口二", "人口三"):
        gs_factories.CatalogueEntry(title=title, owner_org=org["id"])
    page = app.get("/dataset/", query_string={"q": "人口"}).body
    assert "查找到匹配「人口」的3个数据集" in page
    english = app.get("/en/dataset/", query_string={"q": "人口"}).body
    assert "3 datasets found for &#34;人口&#34;" in english


def test_cli_group(cli: Any):
    result = cli.invoke(ckan.cli.cli.ckan, ["govshare", "--help"])
    assert result.exit_code == 0
    assert "demo" in result.output


@pytest.mark.unit
def test_the_wheel_carries_migrations_schemas_and_templates(tmp_path: Path):
    root = PACKAGE.parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(root),
        ],
        check=True,
    )
    wheel = next(tmp_path.glob("ckanext_govshare-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for chain in ("govshare", "govshare_search"):
        for name in ("alembic.ini", "env.py", "script.py.mako"):
            assert f"ckanext/govshare/migration/{chain}/{name}" in names
        assert any(n.startswith(f"ckanext/govshare/migration/{chain}/versions/") for n in names)
    for name in (
        "config_declaration.yaml",
        "schemas/dataset.yaml",
        "schemas/organization.yaml",
        "templates/home/snippets/promoted.html",
        "i18n/zh_Hans_CN/LC_MESSAGES/ckanext-govshare.po",
    ):
        assert f"ckanext/govshare/{name}" in names
    assert not any("/tests/" in n for n in names)
