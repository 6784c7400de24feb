"""``/govshare/audit``: the audit trail for those who may read it, with filters, paging and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page
from flask import Blueprint, Response

from .. import cells
from ..audit import chain
from .guard import page_number as page_number_of

__all__ = ["audit"]

audit = Blueprint("govshare_audit", __name__, url_prefix="/govshare/audit")

FILTERS = ("actor", "department", "object_id", "action", "since", "until")
PAGE_SIZE = 50
CSV_PAGE = 1000
CSV_COLUMNS = (*chain.FIELDS, "prev_hash", "hash")


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _csv(filters: dict[str, str]) -> Response:
    """Every matching event (newest first), fetched a page at a time through the action."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    offset = 0
    while True:
        page = tk.get_action("govshare_audit_list")(
            _context(), {**filters, "limit": CSV_PAGE, "offset": offset}
        )
        for event in page["results"]:
            event = {**event, "detail": json.dumps(event["detail"], ensure_ascii=False)}
            writer.writerow(cells.csv_row(event.get(c) for c in CSV_COLUMNS))  # item 6
        offset += CSV_PAGE
        if offset >= page["count"] or not page["results"]:
            break
    return Response(
        "\ufeff" + buffer.getvalue(),  # a BOM, so that spreadsheet programs read UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="govshare-audit.csv"'},
    )


@audit.route("/")
def index() -> Any:
    args = tk.request.args
    filters = {k: args[k].strip() for k in FILTERS if args.get(k, "").strip()}
    try:
        tk.check_access("govshare_audit_list", _context(), {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see the audit trail"))
    page_number = page_number_of(PAGE_SIZE)  # 400 past the deepest page (issue 14)
    errors: dict[str, Any] = {}
    try:
        if args.get("format") == "csv":
            return _csv(filters)
        result = tk.get_action("govshare_audit_list")(
            _context(),
            {**filters, "limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE},
        )
    except tk.ValidationError as error:
        errors = error.error_dict
        result = {"count": 0, "results": []}
    page = Page(
        collection=result["results"],
        page=page_number,
        item_count=result["count"],
        items_per_page=PAGE_SIZE,
        presliced_list=True,
        url=lambda q=None, page=None: tk.h.url_for("govshare_audit.index", **filters, page=page),
    )
    return tk.render(
        "govshare/audit/index.html",
        {
            "events": result["results"],
            "count": result["count"],
            "filters": filters,
            "errors": errors,
            "page": page,
        },
    )
