"""Reading the audit trail: who may see which events, a page of them, and the CSV export.

The sharing authority and sysadmins see every event. A data officer sees the events on
objects of their departments and the events acted for their departments *as recorded when
they happened* (``actor_department``), not by who belongs to a department today; a member of
the joint conference sees those of the joint conference. The platform's own user
(``ckan.site_id``) acts for every department (it is admin of each): its events are the
authority's and the sysadmins' only (issue 14, item 7). Everyone else sees nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .. import cells
from ..core import config, membership, paging
from ..core.roles import OFFICER_CAPACITIES
from . import chain
from .model import event_table

__all__ = ["CSV_COLUMNS", "Reader", "export_csv", "page"]


#: The columns of the CSV export: the hashed fields and the chain's links, so that a copy can
#: be verified outside the platform (docs/audit.md).
CSV_COLUMNS = (*chain.FIELDS, "prev_hash", "hash")

#: Rows fetched at a time for the CSV export (bounded memory per round trip).
CSV_BATCH = 1000

_c = event_table.c


def _org_id(name: str) -> str | None:
    org = model.Group.get(name) if name else None
    return org.id if org is not None and org.is_organization else None


@dataclass(frozen=True)
class Reader:
    """Who reads the trail, and for which departments (read once per call)."""

    user_id: str | None
    sysadmin: bool
    authority: bool
    departments: tuple[str, ...]

    @classmethod
    def of(cls, user_name: str | None) -> Reader:
        user = model.User.get(user_name) if user_name else None
        user_id = user.id if user else None
        orgs = set(membership.organizations_of(user_id))
        departments = list(membership.organizations_of(user_id, OFFICER_CAPACITIES))
        conference = _org_id(config.joint_conference_org())
        if conference and conference in orgs:
            departments.append(conference)
        authority = _org_id(config.authority_org())
        return cls(
            user_id=user_id,
            sysadmin=bool(user and user.sysadmin),
            authority=bool(authority and authority in orgs),
            departments=tuple(departments),
        )

    @property
    def reads_all(self) -> bool:
        return self.sysadmin or self.authority

    @property
    def may_read(self) -> bool:
        """The authority, sysadmins, data officers and the joint conference read the trail."""
        return self.reads_all or bool(self.departments)


def _site_user() -> tuple[str | None, str]:
    """The platform's own user (``ckan.site_id``): (id, name)."""
    name = tk.config.get("ckan.site_id") or ""
    user = model.User.get(name) if name else None
    return (user.id if user else None), name


def _visible(reader: Reader) -> sa.sql.ColumnElement[sa.Boolean] | None:
    """The events ``reader`` may see; ``None`` means all of them."""
    if reader.reads_all:
        return None
    site_id, site_name = _site_user()
    not_site = sa.and_(
        sa.or_(_c.actor_id.is_(None), _c.actor_id != (site_id or "")),
        sa.or_(_c.actor_name.is_(None), _c.actor_name != site_name),
    )
    departments = list(reader.departments)
    return sa.and_(
        sa.or_(_c.object_department.in_(departments), _c.actor_department.in_(departments)),
        not_site,
    )


def _where(reader: Reader, filters: Mapping[str, Any]) -> sa.sql.ColumnElement[sa.Boolean]:
    """What ``reader`` may see, narrowed by ``filters`` (``actor``, ``actor_org``,
    ``object_org``, ``department`` (either side), ``object_id``, ``action``, ``since``,
    ``until``); a filter never widens what the reader sees."""
    conditions: list[sa.sql.ColumnElement[sa.Boolean]] = []
    visible = _visible(reader)
    if visible is not None:
        conditions.append(visible)
    if filters.get("actor"):
        found = model.User.get(filters["actor"])
        conditions.append(
            sa.or_(
                _c.actor_id == (found.id if found else filters["actor"]),
                _c.actor_name == filters["actor"],
            )
        )
    for key, columns in (
        ("actor_org", (_c.actor_department,)),
        ("object_org", (_c.object_department,)),
        ("department", (_c.object_department, _c.actor_department)),
    ):
        if filters.get(key):
            org = model.Group.get(filters[key])
            org_id = org.id if org else filters[key]
            conditions.append(sa.or_(*(column == org_id for column in columns)))
    if filters.get("object_id"):
        conditions.append(_c.object_id == filters["object_id"])
    if filters.get("action"):
        conditions.append(_c.action == filters["action"])
    if filters.get("since"):
        conditions.append(_c.time >= filters["since"])
    if filters.get("until"):
        conditions.append(_c.time < filters["until"])
    return sa.and_(sa.true(), *conditions)


def _hashed(row: Any) -> dict[str, Any]:
    """An event under the names its hash covers (``chain.FIELDS``), time as hashed."""
    event = dict(getattr(row, "_mapping", row))
    event["time"] = chain.format_time(event["time"])
    return event


#: The API's names of hashed fields (hashed name -> name in answers; docs/api.md,
#: "Conventions": times are ``created``, departments ``<role>_org_id``).
API_NAMES = {
    "time": "created",
    "actor_department": "actor_org_id",
    "object_department": "object_org_id",
}


def as_dict(row: Any) -> dict[str, Any]:
    """An event as the API answers it: ``created`` (when it was recorded), ``actor_org_id``
    (the department acted for), ``object_org_id`` (the department owning the object)."""
    return {API_NAMES.get(key, key): value for key, value in _hashed(row).items()}


def page(reader: Reader, filters: Mapping[str, Any], *, limit: int, offset: int) -> dict[str, Any]:
    """Events ``reader`` may see, newest first: ``{"count", "results", "limit", "offset"}``."""
    bounds = {"limit": limit, "offset": offset}
    return paging.page(event_table, _where(reader, filters), [_c.seq.desc()], bounds, _as_dicts)


def _as_dicts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [as_dict(row) for row in rows]


#: Reading columns put in front of the hashed ones: their headers, and a batch of events (under
#: their hashed names) -> each event's cells (``audit.present.csv_rows``; issue 19 item 5).
ReadingColumns = tuple[Sequence[str], Callable[[list[dict[str, Any]]], list[list[str]]]]


def export_csv(
    reader: Reader, filters: Mapping[str, Any], reading: ReadingColumns | None = None
) -> dict[str, Any]:
    """Every event ``reader`` may see under ``filters``, newest first, as a CSV file: the
    hashed fields and the links (``CSV_COLUMNS``, by those names, so that the chain can be
    verified on them), after the ``reading`` columns if given (local time, names, labels,
    summary: not hashed), cells that cannot run as formulas (issue 14, item 6)."""
    where = _where(reader, filters)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    headers, cells_of = reading if reading is not None else ((), None)
    writer.writerow([*headers, *CSV_COLUMNS])
    last: int | None = None
    while True:
        query = sa.select(event_table).where(where).order_by(_c.seq.desc()).limit(CSV_BATCH)
        if last is not None:
            query = query.where(_c.seq < last)
        rows = model.Session.execute(query).all()
        events = [_hashed(row) for row in rows]
        readable = cells_of(events) if cells_of is not None else [[] for _ in events]
        for event, extra in zip(events, readable, strict=True):
            hashed = {**event, "detail": json.dumps(event["detail"], ensure_ascii=False)}
            writer.writerow(
                cells.csv_row([*extra, *(hashed.get(column) for column in CSV_COLUMNS)])
            )
        if len(rows) < CSV_BATCH:
            break
        last = rows[-1].seq
    return {
        "filename": "govshare-audit.csv",
        "mimetype": "text/csv",
        "encoding": "utf-8",
        # A BOM, so that spreadsheet programs read UTF-8.
        "content": "\ufeff" + buffer.getvalue(),
    }
