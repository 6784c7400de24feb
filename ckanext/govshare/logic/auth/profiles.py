"""Auth functions: The rule profile in force: govshare_rule_profile_show (issue 18).

Anyone may read which rules the platform follows, anonymous visitors included: every page's
footer names the profile.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["govshare_rule_profile_show"]


@tk.auth_allow_anonymous_access
def govshare_rule_profile_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}
