"""Data return pages (数据回流, 2025 Regulations art. 24; issue 17, item 4).

- ``POST /dataset/<id>/return``: the switch of the entry page's "Data return" panel
  (``govshare_return_update``), back to the entry page;
- ``/govshare/returns``: the sharing authority's view of return coverage per entry and region
  (``govshare_return_coverage``), gaps highlighted.

Pages call actions only.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from . import _shared as shared

regional = Blueprint("govshare_regional", __name__)

COVERAGE_PAGE = 50


@regional.route("/dataset/<id>/return", methods=["POST"])
def switch(id: str) -> Any:
    """Turn return on or off (the entry page's panel): ``enabled`` "true" or "false"."""
    if not shared.logged_in():
        return shared.login()
    enabled = request.form.get("enabled", "")
    try:
        answer = tk.get_action("govshare_return_update")(
            shared.context(), {"package_id": id, "enabled": enabled}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return shared.abort_for(error)
    except tk.ValidationError as error:
        for messages in shared.field_errors(error).values():
            for text in messages:
                tk.h.flash_error(text)
        return tk.redirect_to("dataset.read", id=id)
    if answer["enabled"]:
        text = tk._(
            "Data return is on: {count} lower-level departments receive the rows of their region."
        )
        tk.h.flash_success(text.format(count=len(answer["departments"])))
    else:
        tk.h.flash_success(tk._("Data return is off: the return grants are revoked."))
    return tk.redirect_to("dataset.read", id=answer["name"])


@regional.route("/govshare/returns")
def coverage() -> Any:
    """Return coverage per entry and region, for the sharing authority and sysadmins."""
    if not shared.logged_in():
        return shared.login()
    number = shared.page_number(COVERAGE_PAGE)
    filters = {
        key: request.args.get(key, "").strip()
        for key in ("provider_org", "region")
        if request.args.get(key, "").strip()
    }
    gaps_only = request.args.get("gaps_only") in ("1", "true", "on")
    data = {
        **filters,
        "gaps_only": gaps_only,
        "limit": COVERAGE_PAGE,
        "offset": (number - 1) * COVERAGE_PAGE,
    }
    errors: dict[str, list[str]] = {}
    try:
        result = tk.get_action("govshare_return_coverage")(shared.context(), data)
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return shared.abort_for(error)
    except tk.ValidationError as error:
        errors = shared.field_errors(error)
        result = {"count": 0, "results": [], "limit": COVERAGE_PAGE, "offset": 0}
    args = {**filters, **({"gaps_only": "1"} if gaps_only else {})}
    return tk.render(
        "govshare/regional/coverage.html",
        {
            "result": result,
            "filters": {**filters, "gaps_only": gaps_only},
            "errors": errors,
            "page": shared.pager(
                result, number, "govshare_regional.coverage", COVERAGE_PAGE, **args
            ),
        },
    )
