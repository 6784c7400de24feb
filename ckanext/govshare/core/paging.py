"""Paging of list actions, written once (issue 15; docs/api.md, "Conventions").

Every list action takes ``limit`` (default ``DEFAULT_LIMIT``, served at most ``MAX_LIMIT``)
and ``offset`` (at most ``MAX_OFFSET``) and answers ``{"count", "results", "limit",
"offset"}``: ``count`` is every matching row, ``results`` the page. The schema fields are
``logic.schema.fields.paging()``, built from these numbers; ``page`` reads one page of a
table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from ckan import model

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MAX_OFFSET", "answer", "bounds", "page"]

#: Rows of a page when the caller does not say.
DEFAULT_LIMIT = 50
#: Rows of a page at most, whatever the caller asks (a larger limit is served this many).
MAX_LIMIT = 1000
#: Rows a caller may skip at most (deeper pages are refused: narrow the filters instead).
MAX_OFFSET = 100_000

Rows = list[dict[str, Any]]


def bounds(data: Mapping[str, Any]) -> tuple[int, int]:
    """``(limit, offset)`` of validated input: the defaults when absent, the limit capped."""
    limit = data.get("limit")
    offset = data.get("offset")
    return min(DEFAULT_LIMIT if limit is None else int(limit), MAX_LIMIT), int(offset or 0)


def answer(count: int, results: list[Any], limit: int, offset: int) -> dict[str, Any]:
    """The one shape of a list action's answer."""
    return {"count": count, "results": results, "limit": limit, "offset": offset}


def page(
    table: sa.Table,
    where: sa.sql.ColumnElement[sa.Boolean],
    order_by: Iterable[Any],
    data: Mapping[str, Any],
    as_dicts: Callable[[Rows], list[Any]] | None = None,
) -> dict[str, Any]:
    """One page of ``table``'s rows matching ``where``, in ``order_by`` (end it with a unique
    column, so pages neither repeat nor skip a row); ``as_dicts`` turns the rows into the
    answer's items (by default the rows themselves)."""
    limit, offset = bounds(data)
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(table).where(where)
    ).scalar_one()
    rows = model.Session.execute(
        sa.select(table).where(where).order_by(*order_by).limit(limit).offset(offset)
    ).all()
    found: Rows = [dict(r._mapping) for r in rows]
    return answer(count, as_dicts(found) if as_dicts else found, limit, offset)
