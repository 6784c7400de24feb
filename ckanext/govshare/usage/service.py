"""Usage records, disposal and service filings (2025 Regulations art. 27, 29): what the
actions do once they checked input and access.

Everything is written through ``model.Session`` in the caller's transaction (the action's,
``core.transaction.atomic``), each change with its audit event and its notices.

This package reads the access domain's grants; the access domain never imports it (the
packages may not import each other both ways). So a step of the access domain that needs a
filing — a provider terminating a grant — asks :func:`filing_covers` from the action layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model

from ..core import clock
from ..core.messages import message
from . import rules
from .model import filing_table

__all__ = [
    "filing_covers",
    "filing_problem",
    "load_filing",
]


def load_filing(filing_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    """One service filing's row, or ``None``."""
    query = sa.select(filing_table).where(filing_table.c.id == filing_id)
    if for_update:
        query = query.with_for_update()
    row = model.Session.execute(query).first()
    return dict(row._mapping) if row else None


def filing_problem(filing_id: str | None, grant: Mapping[str, Any]) -> str | None:
    """Why no filing ``filing_id`` covers ending ``grant`` (a bilingual message); ``None``
    when it does (art. 27; ``rules.filing_problem``)."""
    filing = load_filing(filing_id) if filing_id else None
    if filing is None:
        return message(
            "No such service filing: file the end of the service with the authority first "
            "(govshare_service_filing_create)",
            "备案不存在：请先向共享主管部门报备终止共享服务（govshare_service_filing_create）",
        )
    return rules.filing_problem(filing, grant, clock.today())


def filing_covers(filing_id: str | None, grant: Mapping[str, Any]) -> bool:
    """Whether the service filing ``filing_id`` covers ending ``grant`` (2025 art. 27: a
    provider ends a service only after consulting its holders and filing with the authority):
    the grant's provider filed the *end* of a service on the grant's entry, the filing names
    the grant, and its ``effective_date`` has come. ``grant``: the grant's row (or its API
    answer: ``id``, ``package_id``, ``provider_org_id``)."""
    return filing_problem(filing_id, grant) is None
