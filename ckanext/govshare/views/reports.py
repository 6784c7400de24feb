"""The yearly report pages (art. 16–18, issue 8): an index, a department's report, the platform's.

``/govshare/reports/<org-name>/<year>`` shows a department's report with its charts;
the same path with ``.xlsx`` or ``.pdf`` downloads it. ``/govshare/reports/<year>`` (and
``.xlsx``, ``.pdf``) is the platform-wide report of the sharing authority. Every page calls
``govshare_report_show`` (the files ``govshare_report_export``) and the template helpers for
its labels and charts; none reads the model.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ._shared import abort_for as _abort_for
from ._shared import context as _context
from ._shared import logged_in as _logged_in
from ._shared import login as _login
from ._shared import send_file

__all__ = ["reports"]

reports = Blueprint("govshare_reports", __name__)


def _call(action: str, data: dict[str, Any]) -> Any:
    """The action's answer; a refusal is a 403 page, a bad year or department a 404."""
    try:
        return tk.get_action(action)(_context(), data)
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Not authorized"))
    except (tk.ValidationError, tk.ObjectNotFound) as error:
        found = (getattr(error, "error_dict", None) or {}).values()
        messages = "; ".join(str(m) for v in found for m in (v if isinstance(v, list) else [v]))
        return tk.abort(404, messages or str(error) or tk._("Not found"))


def _show(org: str | None, year: int, suffix: str | None) -> Any:
    if not _logged_in():
        return _login()
    data: dict[str, Any] = {"year": year}
    if org:
        data["organization"] = org
    if suffix:
        return send_file(_call("govshare_report_export", {**data, "format": suffix}))
    report = _call("govshare_report_show", data)
    return tk.render(
        "govshare/reports/report.html",
        {
            "report": report,
            "L": tk.h.govshare_report_label,
            "charts": tk.h.govshare_report_charts(report),
            "names": tk.h.govshare_report_names(report),
        },
    )


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


# --- mail in development (issue 19, item 10): what the local SMTP sink kept, sysadmins only --


@reports.route("/govshare/mail")
def mail() -> Any:
    if not _logged_in():
        return _login()
    try:
        offset = max(int(tk.request.args.get("offset", 0)), 0)
    except ValueError:
        offset = 0
    try:
        found = tk.get_action("govshare_mail_list")(_context(), {"limit": 50, "offset": offset})
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError) as error:
        return _abort_for(error)
    return tk.render("govshare/mail/index.html", {"found": found})


@reports.route("/govshare/mail/<message_id>")
def mail_read(message_id: str) -> Any:
    if not _logged_in():
        return _login()
    try:
        item = tk.get_action("govshare_mail_show")(_context(), {"id": message_id})
    except tk.ValidationError:
        return tk.abort(404, tk._("Not found"))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _abort_for(error)
    return tk.render("govshare/mail/read.html", {"item": item})
