"""Actions: The dispute path (2016 art. 12, 2025 art. 28): the authority's dispute queue."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...access import disputes
from ...core.membership import Person
from ..schema.disputes import dispute_list_schema

__all__ = ["govshare_dispute_list"]


@tk.side_effect_free
@validate(dispute_list_schema)
def govshare_dispute_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The disputes the caller's body carries, open and decided (2016 art. 12(3), 2025
    art. 28; issue 19 item 5): the sharing authority and sysadmins see every escalated
    request, a member of the joint conference those that reached the conference. A decided
    dispute stays in the queue.

    :param status: a request status (e.g. ``granted``), or ``open`` (still before a body) or
        ``decided`` (optional; default every dispute)
    :param limit: page size (default 50, at most 1000)
    :param offset: disputes to skip
    :returns: ``{"count", "results", "limit", "offset", "counts"}``: open disputes first, then
        decided ones newest first; each result is a request as ``govshare_request_list``
        answers it with ``escalation_level_label``, ``escalated_at`` and ``decided``;
        ``counts`` is ``{"open", "decided", "statuses": [{"status", "status_label",
        "count"}]}`` over all the caller's disputes
    """
    tk.check_access("govshare_dispute_list", context, data_dict)
    return disputes.page(Person.of(context), data_dict)
