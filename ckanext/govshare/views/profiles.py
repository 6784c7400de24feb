"""``/govshare/rules``: the rule profile in force, as a table (issue 18).

Which text the platform follows (2025 Regulations or 2016 Measures), every number with its
value, the option that overrides it and its article, and every rule on or off with its
article. Anyone may read it; the footer of every page links here. The page calls
``govshare_rule_profile_show`` only.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ._shared import context

__all__ = ["rules"]

rules = Blueprint("govshare_rules", __name__)


@rules.route("/govshare/rules")
def index() -> Any:
    """The profile in force: numbers and rules with their articles."""
    profile = tk.get_action("govshare_rule_profile_show")(context(), {})
    return tk.render("govshare/rules/index.html", {"profile": profile})
