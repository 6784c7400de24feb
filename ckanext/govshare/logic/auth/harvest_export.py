"""What an upper platform's harvesting account may read (issue 7 item 3, art. 8, 11)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ...core.messages import message
from ...dcat import export

__all__ = ["package_show"]

WITHHELD = message(
    "This platform does not export entries that are not shared",
    "本平台不向上级平台报送不予共享的信息资源",
)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(next_auth: Any, context: Any, data_dict: Any) -> dict[str, Any]:
    """A not-shared entry is refused to a harvesting account when
    ``ckanext.govshare.export_not_shared`` is false, as the DCAT endpoints leave it out."""
    result = next_auth(context, data_dict)
    if not result.get("success") or not export.withheld_from(context.get("user")):
        return result
    package = context.get("package") or model.Package.get((data_dict or {}).get("id") or "")
    if package is not None and package.extras.get("share_type") == "not_shared":
        return {"success": False, "msg": WITHHELD}
    return result
