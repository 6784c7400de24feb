"""CKAN's own resource download route (``/dataset/<id>/resource/<id>/download``), judged and
recorded (issue 6, item 4; art. 14).

Open data (``open_to_public`` = ``open``) downloads as in stock CKAN; other entries only for
the providing department and sysadmins (``hooks.may_download_raw``): grant holders download
through ``/govshare/download/<resource_id>``, where each download is checked and counted.
Every download here is recorded (``ckan_resource_download``), refused or not, so that open-data
downloads count in the yearly report. The action ``govshare_ckan_download_authorize`` calls
:func:`judge` in one transaction.
"""

from __future__ import annotations

from ckan import model

from ..audit import store
from ..core import membership
from . import hooks
from .policy import Viewer

__all__ = ["judge"]


def judge(
    resource_id: str, viewer: Viewer, *, actor_name: str | None, route: str | None
) -> dict[str, bool]:
    """``{"found", "allowed"}``: whether the resource and its entry exist (CKAN answers 404
    otherwise, nothing recorded) and whether ``viewer`` may download it by CKAN's route;
    the decision is recorded in the audit trail, in the caller's transaction."""
    resource = model.Resource.get(resource_id)
    package = resource.package if resource is not None else None
    if resource is None or package is None:
        return {"found": False, "allowed": False}
    allowed = hooks.may_download_raw(package, viewer)
    store.record(
        "ckan_resource_download",
        actor_id=viewer.user_id,
        actor_name=actor_name,
        actor_department=membership.acting_department(viewer.user_id, None),
        object_type="resource",
        object_id=resource.id,
        object_department=package.owner_org,
        outcome="success" if allowed else "refused",
        detail={
            "package_id": package.id,
            "route": route,
            "open_data": (package.extras or {}).get("open_to_public") == "open",
        },
    )
    return {"found": True, "allowed": allowed}
