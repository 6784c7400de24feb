"""The yearly sharing report and the compliance findings (art. 16–18, 24; issue 8).

Read-only actions: access is checked first (a refusal is recorded in the audit trail), then
the input (errors in both languages), then the report is computed from the records.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ...access.roles import Person
from ...audit import who
from ...reports import build
from ...reports import data as year_data
from ..auth.reports import organization_id, reads_everything
from ..guard import lookup_key
from ..schema import reports as schema
from ..schema.fields import validate

__all__ = ["govshare_findings_list", "govshare_report_list", "govshare_report_show"]


def _check(action: str, context: Any, data_dict: Any) -> None:
    org = lookup_key((data_dict or {}).get("organization")) or None
    with who.recording_refusals(
        action,
        context,
        object_type="report",
        object_id=f"{org or build.PLATFORM}:{lookup_key((data_dict or {}).get('year'))}",
        object_department=organization_id(org),
    ):
        tk.check_access(action, context, data_dict)


def _report(data: dict[str, Any]) -> dict[str, Any]:
    org = data.get("organization")
    if org is None:
        return build.platform_report(data["year"])
    return build.department_report(org, data["year"])


@tk.side_effect_free
def govshare_report_show(context: Any, data_dict: Any) -> dict[str, Any]:
    """A department's yearly report, or the platform-wide one (art. 16–18, workflows.md).

    :param year: the year reported on (2016 to this year; local calendar years)
    :param organization: the department (id or name); leave it out for the platform-wide
        report (sharing authority and sysadmins only)
    :returns: the measures: ``entries``, ``obligations``, ``requests_received``,
        ``requests_made``, ``grants``, ``downloads``, ``feedback``, ``findings`` (with their
        evidence) and ``findings_by_kind``; the platform report adds ``departments`` (one row
        each). See docs/api.md.
    """
    _check("govshare_report_show", context, data_dict)
    data = validate(data_dict, schema.report_show_schema(), context)
    return _report(data)


@tk.side_effect_free
def govshare_findings_list(context: Any, data_dict: Any) -> dict[str, Any]:
    """The compliance findings (art. 24) of a department's year, or of the whole platform.

    :param year: the year
    :param organization: the department (id or name); leave it out for every department
    :param kind: only findings of this kind (catalogue_overdue, answer_late, answer_missing,
        feedback_overdue, stale_data, refused_attempts)
    :returns: ``{"count", "by_kind", "results"}``
    """
    _check("govshare_findings_list", context, data_dict)
    data = validate(data_dict, schema.findings_list_schema(), context)
    report = _report(data)
    found = [f for f in report["findings"] if not data.get("kind") or f["kind"] == data["kind"]]
    return {"count": len(found), "by_kind": report["findings_by_kind"], "results": found}


@tk.side_effect_free
def govshare_report_list(context: Any, data_dict: Any) -> dict[str, Any]:
    """The reports the caller may read: the platform's (``platform``) and departments'.

    :returns: ``{"platform": bool, "departments": [{"id", "name", "title"}], "years": [...],
        "current_year"}``; years run from 2016 to this year, newest first.
    """
    tk.check_access("govshare_report_list", context, data_dict)
    person = Person.of(context)
    everything = reads_everything(person)
    departments = [d for d in year_data.departments() if everything or d["id"] in person.officer_of]
    this_year = build.today().year
    return {
        "platform": everything,
        "departments": departments,
        "years": list(range(this_year, schema.FIRST_YEAR - 1, -1)),
        "current_year": this_year,
    }
