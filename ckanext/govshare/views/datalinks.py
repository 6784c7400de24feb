"""CKAN's own resource download route, closed to those who may not have the data.

Open data (``open_to_public`` = ``open``) downloads as in stock CKAN; for other entries only
the providing department and sysadmins use this route. Grant holders download through
``/govshare/download/<resource_id>``, where each download is checked, counted and audited.
Every download here is recorded in the audit trail too (``ckan_resource_download``), refused
or not, so open-data downloads count in the yearly report.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint, request

from ..audit import store, who
from ..datalinks import hooks, stored

datalinks = Blueprint("govshare_datalinks", __name__)


@datalinks.before_app_request
def judge_stored_activities_for_this_request() -> None:
    """Activities a session still holds were shown to someone else or before a change: the
    next read judges them for this request's user (``datalinks/stored.py``)."""
    stored.reload_all()


@datalinks.before_app_request
def guard_ckan_download() -> Any:
    endpoint = request.endpoint or ""
    if not endpoint.endswith("resource.download"):
        return None
    resource = model.Resource.get((request.view_args or {}).get("resource_id") or "")
    package = resource.package if resource is not None else None
    if package is None:
        return None  # CKAN answers 404
    viewer = hooks.current_viewer()
    allowed = hooks.may_download_raw(package, viewer)
    store.record(
        "ckan_resource_download",
        actor_id=viewer.user_id,
        actor_name=who.current_user_name(),
        actor_department=who.acting_department(viewer.user_id, None),
        object_type="resource",
        object_id=resource.id,
        object_department=package.owner_org,
        outcome="success" if allowed else "refused",
        detail={
            "package_id": package.id,
            "route": endpoint,
            "open_data": (package.extras or {}).get("open_to_public") == "open",
        },
    )
    model.Session.commit()
    if allowed:
        return None  # counted: open data downloads count in the yearly report too
    return tk.abort(
        403,
        tk._(
            "This data is shared only through the platform: obtain access or apply for it on "
            "the entry's page, then download it there"
        ),
    )
