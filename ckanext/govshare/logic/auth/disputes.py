"""Auth functions: The dispute path (2016 art. 12, 2025 art. 28): the authority's queue."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...access import disputes
from ...core.membership import Person
from ...core.messages import message

__all__ = ["govshare_dispute_list"]

ONLY_BODIES = message(
    "Only the sharing authority and the joint conference decide disputes",
    "只有共享主管部门和联席会议可以处理争议",
)


@tk.auth_disallow_anonymous_access
def govshare_dispute_list(context: Context, data_dict: DataDict) -> AuthResult:
    if disputes.may_see_queue(Person.of(context)):
        return {"success": True}
    return {"success": False, "msg": ONLY_BODIES}
