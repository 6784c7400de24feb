"""Input of the report actions: a year, and optionally a department.

Error messages are in English and Chinese in one string (``rules.message``), as everywhere.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ...catalogue.rules import message
from ...reports import findings
from .fields import one_of, reference, required

FIRST_YEAR = 2016  # the Interim Measures (国发〔2016〕51号)

NOT_A_YEAR = message(
    f"Give the year as a number from {FIRST_YEAR} to this year, e.g. 2026",
    f"请填写{FIRST_YEAR}年至今年之间的年份，如 2026",
)
NO_SUCH_DEPARTMENT = message("No such department", "部门不存在")


def report_year(value: Any, context: Any) -> int:
    """A whole year from 2016 to the current local year."""
    from ...reports.build import today

    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise tk.Invalid(NOT_A_YEAR) from None
    if not FIRST_YEAR <= year <= today().year:
        raise tk.Invalid(NOT_A_YEAR)
    return year


def department(value: Any, context: Any) -> dict[str, Any] | None:
    """An organization's id or name → ``{"id", "name", "title"}``; empty → ``None``."""
    from ckan import model

    if value in (None, ""):
        return None
    group = model.Group.get(str(value).strip())
    if group is None or not group.is_organization or group.state != "active":
        raise tk.Invalid(NO_SUCH_DEPARTMENT)
    return {"id": group.id, "name": group.name, "title": group.title or group.name}


def report_show_schema() -> dict[str, Any]:
    ignore_missing = tk.get_validator("ignore_missing")
    return {
        "year": [required, report_year],
        "organization": [ignore_missing, reference, department],
        "__extras": [ignore_missing],
    }


def findings_list_schema() -> dict[str, Any]:
    ignore_missing = tk.get_validator("ignore_missing")
    ignore_empty = tk.get_validator("ignore_empty")
    return {
        **report_show_schema(),
        "kind": [ignore_empty, one_of(findings.KINDS)],
        "__extras": [ignore_missing],
    }
