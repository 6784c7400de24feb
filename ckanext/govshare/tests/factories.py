"""Factories for departments and catalogue entries that pass the catalogue's rules."""

from __future__ import annotations

import random
import string

import factory
from ckan.tests import factories

from ckanext.govshare.catalogue import credit_code

_rng = random.Random(2016)


def provider_code() -> str:
    """A valid, distinct unified social credit code."""
    body = "11" + "".join(_rng.choice(credit_code.ALPHABET) for _ in range(15))
    return credit_code.with_check_character(body)


class Department(factories.Organization):
    provider_code = factory.LazyFunction(provider_code)
    department_level = "provincial"


class CatalogueEntry(factories.Dataset):
    owner_org = factory.LazyFunction(lambda: Department()["id"])
    resource_category = "departmental"
    format_type = "spreadsheet"
    share_type = "unconditional"
    share_methods = factory.LazyFunction(lambda: ["file_download"])
    open_to_public = "open"
    update_cycle = "monthly"
    release_date = "2026-01-15"
    data_items = factory.LazyFunction(
        lambda: [{"name": "编号", "data_type": "string", "length": "18"}]
    )


def entry_fields() -> dict[str, object]:
    """The catalogue fields of a valid entry, for calling package_create directly."""
    return {
        "resource_category": "departmental",
        "format_type": "spreadsheet",
        "share_type": "unconditional",
        "share_methods": ["file_download"],
        "open_to_public": "open",
        "update_cycle": "monthly",
        "release_date": "2026-01-15",
        "data_items": [{"name": "编号", "data_type": "string"}],
    }


def unique_name(prefix: str) -> str:
    return prefix + "-" + "".join(_rng.choice(string.ascii_lowercase) for _ in range(8))
