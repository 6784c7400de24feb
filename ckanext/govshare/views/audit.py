"""``/govshare/audit``: the audit trail for those who may read it, with filters, paging and CSV.

The page calls ``govshare_audit_list``; the CSV is ``govshare_audit_export``'s file, sent as
it is (the action checks who reads and what they may see).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ..core import clock
from ._shared import context as _context
from ._shared import page_number, pager, send_file

__all__ = ["audit"]

audit = Blueprint("govshare_audit", __name__, url_prefix="/govshare/audit")

# ``department`` (either side) is the filter's name before issue 15: old links keep working.
FILTERS = ("actor", "actor_org", "object_org", "object_id", "action", "since", "until")
OLD_FILTERS = ("department",)
PAGE_SIZE = 50


def _zone() -> str:
    """The platform's time zone (``ckanext.govshare.timezone``) as the time column says it:
    ``UTC+08:00``."""
    offset = clock.now().astimezone(clock.timezone()).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


@audit.route("/")
def index() -> Any:
    args = tk.request.args
    filters = {
        k: args[k].strip() for k in (*FILTERS, *OLD_FILTERS) if args.get(k, "").strip()
    }
    try:
        tk.check_access("govshare_audit_list", _context(), {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see the audit trail"))
    number = page_number(PAGE_SIZE)  # 400 past the deepest page (issue 14)
    errors: dict[str, Any] = {}
    try:
        if args.get("format") == "csv":
            # The reading columns in the page's language (issue 19 item 5).
            language = "zh_Hans_CN" if str(tk.h.lang()).startswith("zh") else "en"
            exported = tk.get_action("govshare_audit_export")(
                _context(), {**filters, "language": language}
            )
            return send_file(exported)
        result = tk.get_action("govshare_audit_list")(
            _context(), {**filters, "limit": PAGE_SIZE, "offset": (number - 1) * PAGE_SIZE}
        )
    except tk.ValidationError as error:
        errors = error.error_dict
        result = {"count": 0, "results": []}
    return tk.render(
        "govshare/audit/index.html",
        {
            "events": result["results"],
            "count": result["count"],
            "filters": filters,
            "errors": errors,
            "page": pager(result, number, "govshare_audit.index", PAGE_SIZE, **filters),
            "zone": _zone(),
        },
    )
