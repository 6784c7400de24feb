"""The catalogue spreadsheet of a department: its data officers download it and upload it
again (art. 8: each department compiles and maintains its catalogue).

``catalogue/importer.py`` does the work: every row goes through ``package_create`` or
``package_update`` as the importing user, so the same rules, permissions and audit apply as
in the form.
"""

from __future__ import annotations

import base64
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...catalogue import importer
from ..schema.catalogue import catalogue_export_schema, catalogue_import_schema

__all__ = ["govshare_catalogue_export", "govshare_catalogue_import"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@tk.side_effect_free
@validate(catalogue_export_schema)
def govshare_catalogue_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The department's catalogue as the two-sheet workbook the import reads (art. 8).

    :param id: the department (id or name)
    :returns: ``{"filename", "mimetype", "encoding": "base64", "content"}``
    """
    tk.check_access("govshare_catalogue_export", context, data_dict)
    org = data_dict["id"]
    body = importer.export_workbook(org["id"], context.get("user") or "")
    return {
        "filename": f"{org['name']}-catalogue.xlsx",
        "mimetype": XLSX,
        "encoding": "base64",
        "content": base64.b64encode(body).decode("ascii"),
    }


@validate(catalogue_import_schema)
def govshare_catalogue_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create or update the department's entries from an uploaded workbook (art. 8), all or
    nothing unless ``partial``.

    :param id: the department (id or name)
    :param spreadsheet: the ``.xlsx`` workbook (multipart upload)
    :param partial: keep the rows that pass even if others fail (default false)
    :returns: ``{"created": [names], "updated": [names], "errors": [{"sheet", "row",
        "field", "message"}], "committed": bool}``
    """
    tk.check_access("govshare_catalogue_import", context, data_dict)
    upload = data_dict["spreadsheet"]
    report = importer.import_workbook(
        upload.stream,
        user=context.get("user") or "",
        org=data_dict["id"]["id"],
        partial=data_dict["partial"],
    )
    return {
        "created": report.created,
        "updated": report.updated,
        "errors": [
            {"sheet": sheet, "row": row, "field": field, "message": text}
            for sheet, row, field, text in report.errors
        ],
        "committed": report.committed,
    }
