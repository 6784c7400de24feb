"""Input of the report actions: a year, and optionally a department.

Error messages are in English and Chinese in one string (``core.messages.message``), as everywhere.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema

from ...core import clock
from ...core.messages import message
from ...reports import findings, service
from .fields import department, one_of, paging_fields, reference, required

__all__ = [
    "findings_list_schema",
    "mail_list_schema",
    "mail_show_schema",
    "report_export_schema",
    "report_list_schema",
    "report_show_schema",
]

FIRST_YEAR = service.FIRST_YEAR

NOT_A_YEAR = message(
    f"Give the year as a number from {FIRST_YEAR} to this year, e.g. 2026",
    f"请填写{FIRST_YEAR}年至今年之间的年份，如 2026",
)


def report_year(value: Any, context: Any) -> int:
    """A whole year from 2016 to the current local year."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise tk.Invalid(NOT_A_YEAR) from None
    if not FIRST_YEAR <= year <= clock.today().year:
        raise tk.Invalid(NOT_A_YEAR)
    return year


def report_show_schema() -> Schema:
    """The year, and the department (``organization``: left out, the platform-wide report)."""
    ignore_missing = tk.get_validator("ignore_missing")
    return {
        "year": [required, report_year],
        "organization": [ignore_missing, reference, department],
        "__extras": [ignore_missing],
    }


def report_export_schema() -> Schema:
    """A report, and the file it is written as: ``format`` ``xlsx`` or ``pdf``."""
    return {**report_show_schema(), "format": [required, one_of(service.FORMATS)]}


def findings_list_schema() -> Schema:
    """A report, the findings' ``kind`` (optional), and the paging every list takes."""
    ignore_empty = tk.get_validator("ignore_empty")
    return {
        **report_show_schema(),
        # Every kind of either profile; a kind the profile in force lacks finds nothing.
        "kind": [ignore_empty, one_of(findings.ALL_KINDS)],
        **paging_fields(),
    }


def report_list_schema() -> Schema:
    ignore_missing = tk.get_validator("ignore_missing")
    return {"__extras": [ignore_missing]}


def mail_list_schema() -> Schema:
    """The development sink's messages (issue 19, item 10): the paging every list takes."""
    ignore_missing = tk.get_validator("ignore_missing")
    return {**paging_fields(), "__extras": [ignore_missing]}


def mail_show_schema() -> Schema:
    """One stored message, by ``id`` (its file's name)."""
    return {"id": [required, reference]}
