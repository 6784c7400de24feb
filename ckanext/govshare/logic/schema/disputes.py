"""Input of ``govshare_dispute_list`` (issue 19 item 5)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import Schema

from ...access import disputes, workflow
from .fields import one_of, paging_fields

__all__ = ["dispute_list_schema"]

#: A status of the state machine, or ``open`` / ``decided``.
STATUSES = (disputes.OPEN, disputes.DECIDED, *workflow.STATES)


def dispute_list_schema() -> Schema:
    """``govshare_dispute_list``: ``status`` (optional), paging."""
    optional = tk.get_validator("ignore_missing")
    return {
        "status": [optional, one_of(STATUSES)],
        **paging_fields(),
        "__extras": [optional],
        "__junk": [optional],
    }
