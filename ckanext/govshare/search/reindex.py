"""Index entries again inside the caller's transaction, on CKAN 2.11 and 2.12.

Not ``search.rebuild``, which commits the session in the middle of an action: CKAN's own
``package_update`` indexes before its commit, and so do the platform's changes that alter what
an entry's index document holds (a review's permission labels, a department's new title).
CKAN 2.12's index takes both schemas' answers (``logic.index_update_package``); 2.11's takes
``package_show``'s.
"""

from __future__ import annotations

from collections.abc import Iterable

import ckan.plugins.toolkit as tk
from ckan import logic, model
from ckan.lib import search
from ckan.types import Context


def entries(package_ids: Iterable[str], *, defer_commit: bool = False) -> int:
    """Index each entry again; how many. ``defer_commit``: leave the index's commit to the
    caller (the embedded backend writes in the session either way)."""
    both = getattr(logic, "index_update_package", None)
    index = search.index_for(model.Package)
    count = 0
    for package_id in package_ids:
        context: Context = {"ignore_auth": True, "validate": False, "use_cache": False}
        if both is not None:  # CKAN 2.12
            both(context, package_id, defer_commit)
        else:
            pkg_dict = tk.get_action("package_show")(context, {"id": package_id})
            index.update_dict(pkg_dict, defer_commit=defer_commit)
        count += 1
    return count
