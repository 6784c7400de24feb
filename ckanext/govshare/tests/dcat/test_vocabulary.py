"""The DCAT actions' refusal in both languages (issue 15: every refusal, 404s included)."""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from ckanext.govshare.tests import factories as gs

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def bilingual(text: Any) -> bool:
    en, _, zh = str(text).partition(" | ")
    return bool(en.strip()) and bool(CHINESE.search(zh))


@pytest.fixture
def not_shared(clean_db: Any) -> dict[str, Any]:
    return gs.CatalogueEntry(
        share_type="not_shared", open_to_public="not_open", legal_basis="《保守国家秘密法》第九条"
    )


@pytest.mark.ckan_config("ckanext.govshare.export_not_shared", False)
def test_a_left_out_entry_is_a_bilingual_404(not_shared):
    for key in (not_shared["id"], not_shared["name"]):
        with pytest.raises(tk.ObjectNotFound) as error:
            helpers.call_action("dcat_dataset_show", id=key, _format="ttl")
        assert bilingual(error.value)


def test_while_exported_it_is_found(not_shared):
    graph = helpers.call_action("dcat_dataset_show", id=not_shared["id"], _format="ttl")
    assert not_shared["id"] in graph


@pytest.mark.parametrize("key", [[1, 2], {"a": 1}, -1.5, "\x00", "x" * 300])
def test_an_id_that_cannot_be_one_is_a_bilingual_field_error(clean_db, key):
    """ckanext-dcat handed it to package_show, which failed in the database (a 500)."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("dcat_dataset_show", id=key, _format="ttl")
    assert bilingual(error.value.error_dict["id"][0])
