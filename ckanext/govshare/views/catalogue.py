"""The catalogue spreadsheet on a department's page: data officers download and upload it.

Both routes call actions (``govshare_catalogue_export``, ``govshare_catalogue_import``),
which check who may maintain the department's catalogue (art. 8) and do the work.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from ._shared import context as _context
from ._shared import send_file

catalogue = Blueprint("govshare_catalogue", __name__)


def _department(id: str) -> dict[str, Any]:
    """The department, once the user is known to maintain its catalogue (art. 8)."""
    try:
        org = tk.get_action("organization_show")(_context(), {"id": id})
        tk.check_access("govshare_catalogue_import", _context(), {"id": org["id"]})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Department not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the department's data officers maintain its catalogue"))
    return org


@catalogue.route("/organization/<id>/catalogue.xlsx")
def export(id: str) -> Any:
    org = _department(id)
    return send_file(tk.get_action("govshare_catalogue_export")(_context(), {"id": org["id"]}))


@catalogue.route("/organization/<id>/catalogue/import", methods=["GET", "POST"])
def upload(id: str) -> Any:
    org = _department(id)
    report = None
    if request.method == "POST":
        upload = request.files.get("spreadsheet")
        if upload is None or not upload.filename:
            report = {
                "created": [],
                "updated": [],
                "errors": [
                    {
                        "sheet": "",
                        "row": 0,
                        "field": "spreadsheet",
                        "message": tk._("Choose a file"),
                    }
                ],
                "committed": False,
            }
        else:
            report = tk.get_action("govshare_catalogue_import")(
                _context(),
                {
                    "id": org["id"],
                    "spreadsheet": upload,
                    "partial": bool(request.form.get("partial")),
                },
            )
    return tk.render(
        "govshare/catalogue/import.html",
        {"group_dict": org, "group_type": "organization", "report": report},
    )
