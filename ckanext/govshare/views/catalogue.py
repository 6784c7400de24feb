"""The catalogue spreadsheet on a department's page: data officers download and upload it."""

from __future__ import annotations

import io
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, request

from ..catalogue import importer, spreadsheet

catalogue = Blueprint("govshare_catalogue", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _department(id: str) -> dict[str, Any]:
    """The department, once the user is known to maintain its catalogue (art. 8)."""
    context = {"user": tk.current_user.name if tk.current_user else ""}
    try:
        org = tk.get_action("organization_show")(dict(context), {"id": id})
        tk.check_access("package_create", dict(context), {"owner_org": org["id"]})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Department not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the department's data officers maintain its catalogue"))
    return org


@catalogue.route("/organization/<id>/catalogue.xlsx")
def export(id: str) -> Response:
    org = _department(id)
    out = io.BytesIO()
    spreadsheet.write(importer.export_entries(org["id"], tk.current_user.name), out)
    return Response(
        out.getvalue(),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{org["name"]}-catalogue.xlsx"'},
    )


@catalogue.route("/organization/<id>/catalogue/import", methods=["GET", "POST"])
def upload(id: str) -> Any:
    org = _department(id)
    report = None
    if request.method == "POST":
        upload = request.files.get("spreadsheet")
        if upload is None or not upload.filename:
            report = importer.Report(errors=[("", 0, "spreadsheet", tk._("Choose a file"))])
        else:
            report = importer.import_workbook(
                upload.stream,
                user=tk.current_user.name,
                org=org["id"],
                partial=bool(request.form.get("partial")),
            )
    return tk.render(
        "govshare/catalogue/import.html",
        {"group_dict": org, "group_type": "organization", "report": report},
    )
