"""The yearly reports as the actions hand them out (art. 16–18, 24; issue 8).

A department's report is read by its data officers (who compile and submit it, art. 18), the
sharing authority (which assesses every department, art. 16) and sysadmins; the platform-wide
one by the authority and sysadmins. ``build.py`` computes the reports, ``export.py`` writes
them as files; this picks which report, pages its findings and names the files.
"""

from __future__ import annotations

import base64
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ..core import clock
from ..core.messages import message
from . import build, export
from . import data as year_data

__all__ = [
    "FIRST_YEAR",
    "FORMATS",
    "department",
    "export_file",
    "findings",
    "readable",
    "report",
]

FIRST_YEAR = 2016  # the Interim Measures (国发〔2016〕51号)

NO_SUCH_DEPARTMENT = message("No such department", "部门不存在")

#: The files a report downloads as, and their media types.
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def department(org_id: str | None) -> dict[str, Any] | None:
    """``{"id", "name", "title"}`` of an active organization (``None``: none, or no such)."""
    group = model.Group.get(org_id) if org_id else None
    if group is None or not group.is_organization or group.state != "active":
        return None
    return {"id": group.id, "name": group.name, "title": group.title or group.name}


def report(org_id: str | None, year: int) -> dict[str, Any]:
    """The department's report on ``year`` (``org_id``), or the platform-wide one (``None``)."""
    if org_id is None:
        return build.platform_report(year)
    org = department(org_id)
    if org is None:
        raise tk.ObjectNotFound(NO_SUCH_DEPARTMENT)
    return build.department_report(org, year)


def findings(
    org_id: str | None, year: int, *, kind: str | None, limit: int, offset: int
) -> dict[str, Any]:
    """A page of the report's compliance findings (art. 24), of one ``kind`` or all:
    ``{"count", "by_kind", "results"}``."""
    whole = report(org_id, year)
    found = [f for f in whole["findings"] if not kind or f["kind"] == kind]
    return {
        "count": len(found),
        "by_kind": whole["findings_by_kind"],
        "results": found[offset : offset + limit],
    }


def readable(*, everything: bool, officer_of: set[str]) -> dict[str, Any]:
    """The reports a reader may open: the platform's when ``everything``, and departments'."""
    this_year = clock.today().year
    return {
        "platform": everything,
        "departments": [
            d for d in year_data.departments() if everything or d["id"] in officer_of
        ],
        "years": list(range(this_year, FIRST_YEAR - 1, -1)),
        "current_year": this_year,
    }


def export_file(org_id: str | None, year: int, file_format: str) -> dict[str, Any]:
    """The report as a file (``xlsx`` or ``pdf``): ``{"filename", "mimetype", "encoding":
    "base64", "content"}``; the bytes are base64 so that the action API can answer them."""
    whole = report(org_id, year)
    body = export.xlsx(whole) if file_format == "xlsx" else export.pdf(whole)
    return {
        "filename": export.filename(whole, file_format),
        "mimetype": FORMATS[file_format],
        "encoding": "base64",
        "content": base64.b64encode(body).decode("ascii"),
    }
