"""``/ckan-admin/govshare/calendar``: sysadmins read, correct and load the working-day table.

A year's State Council schedule (published each November) is loaded here or with
``ckan govshare calendar load`` without a release (workflows.md). The page only calls the
calendar actions: the uploaded file is read by ``govshare_calendar_load``, the export is
``govshare_calendar_export``'s.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from ..core import clock
from ._shared import context as _context
from ._shared import send_file

__all__ = ["calendar"]

calendar = Blueprint("govshare_calendar", __name__, url_prefix="/ckan-admin/govshare/calendar")

DAY_FIELDS = ("day", "is_workday", "name", "note")


def _this_year() -> int:
    return clock.today().year


def _year(value: Any) -> int:
    try:
        year = int(str(value))
    except (TypeError, ValueError):
        year = 0
    return year if 1949 <= year <= 2099 else _this_year()


def _flatten(errors: Any, prefix: str = "") -> list[str]:
    """Field errors of a load (a list per day) as lines: ``row 3, day: …``."""
    lines: list[str] = []
    if isinstance(errors, dict):
        for field, value in errors.items():
            lines += _flatten(value, f"{prefix}{field}: ")
    elif isinstance(errors, list):
        for index, value in enumerate(errors, start=1):
            if isinstance(value, (dict, list)):
                if value:
                    row = tk._("row {number}").format(number=index)
                    lines += _flatten(value, f"{row}, ")
            else:
                lines.append(f"{prefix}{value}")
    else:
        lines.append(f"{prefix}{errors}")
    return lines


def _post(year: int) -> tuple[dict[str, Any], dict[str, Any], list[str]] | None:
    """Run the form's action; ``None`` on success, else (form data, field errors, lines)."""
    op = request.form.get("op", "")
    form = {k: request.form.get(k, "").strip() for k in DAY_FIELDS}
    form["is_workday"] = request.form.get("is_workday", "")
    action = {
        "set": "govshare_calendar_day_set",
        "delete": "govshare_calendar_day_delete",
        "upload": "govshare_calendar_load",
    }.get(op)
    if action is None:
        return form, {}, [tk._("Unknown operation")]
    try:
        if op == "upload":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                return form, {"file": [tk._("Choose a file")]}, []
            result = tk.get_action(action)(_context(), {"file": upload})
            tk.h.flash_success(
                tk._("Loaded {count} days for {years}.").format(
                    count=result["loaded"], years=", ".join(map(str, result["years"]))
                )
            )
        elif op == "delete":
            tk.get_action(action)(_context(), {"day": form["day"]})
            tk.h.flash_success(tk._("Day removed from the table: {day}").format(day=form["day"]))
        else:
            tk.get_action(action)(_context(), form)
            tk.h.flash_success(tk._("Day saved: {day}").format(day=form["day"]))
    except tk.ValidationError as error:
        errors = error.error_dict
        if op == "upload":
            return form, {"file": errors.get("file") or _flatten(errors)}, []
        return form, errors, []
    except tk.ObjectNotFound as error:
        return form, {"day": [str(error) or tk._("Not found")]}, []
    return None


@calendar.route("", methods=["GET", "POST"])
def index() -> Any:
    try:
        tk.check_access("govshare_calendar_day_set", _context(), {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only sysadmins may change the working-day calendar"))
    year = _year(request.values.get("year"))
    form: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    messages: list[str] = []
    if request.method == "POST":
        failed = _post(year)
        if failed is None:
            return tk.redirect_to("govshare_calendar.index", year=year)
        form, errors, messages = failed
    result = tk.get_action("govshare_calendar_show")(_context(), {"year": year})
    return tk.render(
        "govshare/calendar/index.html",
        {
            "calendar": result,
            "year": year,
            "form": form,
            "errors": errors,
            "messages": messages,
            "years": list(range(_this_year() - 2, _this_year() + 3)),
        },
    )


@calendar.route("/export.csv")
def export() -> Any:
    """The year's notable days as a loadable CSV, to edit and upload again."""
    year = _year(request.args.get("year"))
    try:
        answer = tk.get_action("govshare_calendar_export")(_context(), {"year": year})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only sysadmins may change the working-day calendar"))
    return send_file(answer)
