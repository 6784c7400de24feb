"""CKAN's own resource download route, closed to those who may not have the data.

Open data (``open_to_public`` = ``open``) downloads as in stock CKAN; for other entries only
the providing department and sysadmins use this route. Grant holders download through
``/govshare/download/<resource_id>``, where each download is checked, counted and audited.
Every download here is judged and recorded in the audit trail by the action
``govshare_ckan_download_authorize`` (``ckan_resource_download``), refused or not, so
open-data downloads count in the yearly report.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from ..logic.auth.downloads import route_context
from . import _shared

datalinks = Blueprint("govshare_datalinks", __name__)


@datalinks.before_app_request
def guard_ckan_download() -> Any:
    endpoint = request.endpoint or ""
    if not endpoint.endswith("resource.download"):
        return None
    try:
        judged = tk.get_action("govshare_ckan_download_authorize")(
            route_context(_shared.context().get("user", ""), endpoint),
            {"resource_id": (request.view_args or {}).get("resource_id") or "", "route": endpoint},
        )
    except tk.ValidationError:
        return None  # no such resource id: CKAN answers 404
    if not judged["found"] or judged["allowed"]:
        return None  # CKAN answers 404, or serves it (recorded: open data counts too)
    # The action says why in both languages (not open data, partly shared, a column that
    # matches no data item); the page shows its language's half.
    zh = (tk.h.lang() or "").startswith("zh")
    said = judged.get("message_zh" if zh else "message_en")
    return tk.abort(
        403,
        said
        or tk._(
            "This data is shared only through the platform: obtain access or apply for it on "
            "the entry's page, then download it there"
        ),
    )
