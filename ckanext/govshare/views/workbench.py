"""``/govshare/workbench``: the workbench (工作台, issue 19 item 2), the landing page after
login (``ckan.auth.route_after_login``, defaulted in ``plugin.update_config``).

It renders ``govshare_workbench_show``'s answer and nothing else.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, g

from ._shared import abort_for, logged_in, login
from ._shared import context as _context

__all__ = ["workbench", "ROUTE"]

workbench = Blueprint("govshare_workbench", __name__)

#: The endpoint users land on after logging in.
ROUTE = "govshare_workbench.index"


@workbench.route("/govshare/workbench")
def index() -> Any:
    """What waits for the logged-in user, section by section; visitors log in first."""
    if not logged_in():
        return login()
    try:
        board = tk.get_action("govshare_workbench_show")(_context(), {})
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return abort_for(error)
    # The header's badge reads the same count (``views/notices.py``): one query, not two.
    g.govshare_unread_notices = board["unread_notices"]
    return tk.render("govshare/workbench/index.html", {"board": board})
