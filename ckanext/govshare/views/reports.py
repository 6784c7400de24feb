"""The yearly report pages (art. 16–18, issue 8): an index, a department's report, the platform's.

``/govshare/reports/<org-name>/<year>`` shows a department's report with its charts;
the same path with ``.xlsx`` or ``.pdf`` downloads it. ``/govshare/reports/<year>`` (and
``.xlsx``, ``.pdf``) is the platform-wide report of the sharing authority. Every page calls
``govshare_report_show``; none reads the model.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, request

from ..reports import charts, export, labels

__all__ = ["reports"]

reports = Blueprint("govshare_reports", __name__)

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _context() -> dict[str, Any]:
    user = tk.current_user
    return {"user": user.name if user and user.is_authenticated else ""}


def _logged_in() -> bool:
    return bool(tk.current_user and tk.current_user.is_authenticated)


def _login() -> Any:
    return tk.redirect_to("user.login", came_from=request.full_path.rstrip("?"))


def _report(org: str | None, year: int) -> dict[str, Any]:
    data: dict[str, Any] = {"year": year}
    if org:
        data["organization"] = org
    try:
        return tk.get_action("govshare_report_show")(_context(), data)
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Not authorized"))
    except tk.ValidationError as error:
        found = (error.error_dict or {}).values()
        messages = "; ".join(str(m) for v in found for m in (v if isinstance(v, list) else [v]))
        return tk.abort(404, messages or tk._("Not found"))


def _download(report: dict[str, Any], suffix: str) -> Response:
    body = export.xlsx(report) if suffix == "xlsx" else export.pdf(report)
    return Response(
        body,
        mimetype=MIMETYPES[suffix],
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename(report, suffix)}"'
        },
    )


def _page(report: dict[str, Any]) -> Any:
    label = labels.for_language(tk.h.lang())
    drawings = charts.all_charts(report, label, label)
    return tk.render(
        "govshare/reports/report.html",
        {
            "report": report,
            "L": label,
            "charts": [charts.to_svg(d) for d in drawings],
            "names": export.department_names(report),
        },
    )


def _show(org: str | None, year: int, suffix: str | None) -> Any:
    if not _logged_in():
        return _login()
    report = _report(org, year)
    if suffix:
        return _download(report, suffix)
    return _page(report)


@reports.route("/govshare/reports")
def index() -> Any:
    if not _logged_in():
        return _login()
    readable = tk.get_action("govshare_report_list")(_context(), {})
    return tk.render("govshare/reports/index.html", {"readable": readable})


@reports.route("/govshare/reports/<int:year>")
def platform(year: int) -> Any:
    return _show(None, year, None)


@reports.route("/govshare/reports/<int:year>.xlsx")
def platform_xlsx(year: int) -> Any:
    return _show(None, year, "xlsx")


@reports.route("/govshare/reports/<int:year>.pdf")
def platform_pdf(year: int) -> Any:
    return _show(None, year, "pdf")


@reports.route("/govshare/reports/<org>/<int:year>")
def department(org: str, year: int) -> Any:
    return _show(org, year, None)


@reports.route("/govshare/reports/<org>/<int:year>.xlsx")
def department_xlsx(org: str, year: int) -> Any:
    return _show(org, year, "xlsx")


@reports.route("/govshare/reports/<org>/<int:year>.pdf")
def department_pdf(org: str, year: int) -> Any:
    return _show(org, year, "pdf")
