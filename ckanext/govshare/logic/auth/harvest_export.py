"""What an upper platform's harvesting account may read (issue 7 item 3, art. 8, 11)."""

from __future__ import annotations

from collections.abc import Callable

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...core.messages import message
from ...dcat import export
from ..guard import lookup_key

__all__ = ["package_show"]

WITHHELD = message(
    "This platform does not export entries that are not shared",
    "本平台不向上级平台报送不予共享的信息资源",
)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(
    next_auth: Callable[..., AuthResult], context: Context, data_dict: DataDict | None
) -> AuthResult:
    """A not-shared entry is refused to a harvesting account when
    ``ckanext.govshare.export_not_shared`` is false, as the DCAT endpoints leave it out."""
    result = next_auth(context, data_dict)
    if not result.get("success") or not export.withheld_from(context.get("user")):
        return result
    package = context.get("package")
    if package is not None:
        not_shared = (package.extras or {}).get("share_type") == "not_shared"
    else:
        not_shared = export.not_shared(lookup_key((data_dict or {}).get("id")))
    return {"success": False, "msg": WITHHELD} if not_shared else result
