"""A grant's scope on one resource: which columns and which rows it may have (issue 16).

The one answer to "what of this resource may this grant have", asked by every way data leaves
the platform — a file or the bulk ZIP, the service interface's query and verify, the preview,
and (issue 17) batch exchange — so that what is delivered is what was granted (art. 14 of the
2016 Measures; art. 25 of the 2025 Regulations forbids use beyond the granted scope).

A scope is resources × data items (columns) × an optional row filter on one column × period
(the grant live today). A resource loaded into CKAN's DataStore is always cut: only the columns
of the granted data items (``catalogue.columns``), and only the rows the row filter allows; a
column that matches no data item is never part of a scope. A resource that is not in the
DataStore cannot be cut, so it is delivered whole only to a grant that covers every data item
of the entry and every row; a narrowed grant is refused with ``NOT_CUTTABLE``.

Plain Python over plain dicts, so the rules are unit-tested directly. Callers load the grant
afresh on every call (no cached scope: a revoked grant delivers nothing from the next call on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..catalogue import columns as item_columns
from ..core.messages import message
from .rules import SUSPENDED, SUSPENDED_TEXTS, grant_live, grant_suspended, suspension_texts

# Why a grant has no scope on a resource (the refusal's ``reason``).
GRANT_ENDED = "grant_ended"
WRONG_RESOURCE = "wrong_resource"
NOT_CUTTABLE = "not_cuttable"
NO_COLUMNS = "no_columns"

REASONS: dict[str, tuple[str, str]] = {
    SUSPENDED: SUSPENDED_TEXTS,
    GRANT_ENDED: (
        "The grant has ended, was revoked or has not begun",
        "该授权已到期、已撤销或尚未生效",
    ),
    WRONG_RESOURCE: ("The grant does not cover this resource", "该授权不包含此资源"),
    NOT_CUTTABLE: (
        "The grant covers only some data items or rows of this resource, and the resource is "
        "not loaded into the DataStore, so it cannot be cut to the grant: it is never "
        "delivered whole. Ask the provider to load it (a CSV or XLSX file) into the DataStore",
        "该授权仅包含此资源的部分信息项或部分数据行，而此资源尚未导入数据表，无法按授权范围裁剪，"
        "不能整体提供。请联系提供部门将其（CSV或XLSX文件）导入数据表",
    ),
    NO_COLUMNS: (
        "None of the granted data items has a column in this resource: there is nothing to "
        "deliver. Ask the provider to check the data item ↔ column mapping",
        "所授权的信息项在此资源中均无对应的列，没有可提供的数据。请联系提供部门核对信息项与列的对应关系",
    ),
}

ROW_FILTER_INVALID = message(
    "A row filter is an object with a column and either a list of at most 1,000 values or a "
    "prefix of at most 64 characters",
    "数据行筛选条件须包含一个列名，以及不超过1000个取值或不超过64个字符的前缀",
)
MAX_FILTER_VALUES = 1000
MAX_PREFIX = 64


@dataclass(frozen=True)
class RowFilter:
    """Only the rows whose ``column`` holds one of ``values`` or, with ``prefix``, whose
    ``column`` read as text starts with ``prefix``: a return grant's region (2025 Regulations
    art. 24; ``regional.rules.prefix``: "3301" lets 330100, 330102 and 330102001001 through)."""

    column: str
    values: tuple[Any, ...] = ()
    prefix: str | None = None

    def as_dict(self) -> dict[str, Any]:
        if self.prefix is not None:
            return {"column": self.column, "prefix": self.prefix}
        return {"column": self.column, "values": list(self.values)}


def row_filter(value: Any) -> RowFilter | None:
    """A grant's stored ``row_filter`` (``{"column": c, "values": [...]}``, a single
    ``"value"``, or ``{"column": c, "prefix": p}``), or None for every row (an empty prefix
    too: the whole country's). Raises ``ValueError`` on a malformed one."""
    if value in (None, {}, ""):
        return None
    if not isinstance(value, Mapping):
        raise ValueError(ROW_FILTER_INVALID)
    column = value.get("column")
    if "prefix" in value:
        prefix = value["prefix"]
        if (
            not isinstance(column, str)
            or item_columns.column_problem(column)
            or not isinstance(prefix, str)
            or len(prefix) > MAX_PREFIX
            or "values" in value
            or "value" in value
        ):
            raise ValueError(ROW_FILTER_INVALID)
        return RowFilter(column, prefix=prefix) if prefix else None
    values = value.get("values", [value["value"]] if "value" in value else None)
    if (
        not isinstance(column, str)
        or item_columns.column_problem(column)
        or not isinstance(values, (list, tuple))
        or not values
        or len(values) > MAX_FILTER_VALUES
        or not all(isinstance(v, (str, int, float, bool)) for v in values)
    ):
        raise ValueError(ROW_FILTER_INVALID)
    return RowFilter(column, tuple(values))


@dataclass(frozen=True)
class Scope:
    """What a grant may have of one resource.

    ``whole`` is true only for a resource outside the DataStore that the grant covers
    entirely (the original file); otherwise ``columns`` are the DataStore columns delivered,
    in the table's order, and ``rows`` the row filter (None: every row).
    """

    grant_id: str
    resource_id: str
    columns: tuple[str, ...]
    rows: RowFilter | None
    whole: bool = False

    @property
    def cut(self) -> bool:
        return not self.whole


@dataclass(frozen=True)
class OutOfScope:
    """Why a grant has nothing of a resource (``reason`` in :data:`REASONS`); ``said``: the
    grant's own words where the reason has them (a suspension's reason and date, art. 27)."""

    reason: str
    said: tuple[str, str] | None = None

    @property
    def texts(self) -> tuple[str, str]:
        return self.said or REASONS[self.reason]


def granted_items(grant: Mapping[str, Any], entry: Mapping[str, Any]) -> list[str]:
    """The data items a grant covers (its ``data_items``; NULL: every item of the entry), in
    the entry's order."""
    names = list(item_columns.columns_of(entry))
    chosen = grant.get("data_items")
    if not chosen:
        return names
    wanted = set(chosen)
    return [n for n in names if n in wanted]


def covers_resource(grant: Mapping[str, Any], entry: Mapping[str, Any], resource_id: str) -> bool:
    if grant.get("package_id") not in (None, entry.get("id")):
        return False
    if resource_id not in {r.get("id") for r in entry.get("resources") or []}:
        return False
    allowed = grant.get("resource_ids")
    return not allowed or resource_id in allowed


def scope(
    grant: Mapping[str, Any],
    entry: Mapping[str, Any],
    resource_id: str,
    table_columns: Sequence[str] | None,
    today: dt.date,
) -> Scope | OutOfScope:
    """The columns and rows of ``resource_id`` that ``grant`` may have today.

    ``entry`` is the grant's catalogue entry (``package_show``: its ``data_items`` and
    ``resources``); ``table_columns`` the resource's DataStore columns in table order (CKAN's
    ``_id`` and ``_full_text`` left out), or None when it is not in the DataStore.
    """
    if grant_suspended(grant):
        return OutOfScope(SUSPENDED, suspension_texts(grant))
    if not grant_live(grant, today):
        return OutOfScope(GRANT_ENDED)
    if not covers_resource(grant, entry, resource_id):
        return OutOfScope(WRONG_RESOURCE)
    try:
        rows = row_filter(grant.get("row_filter"))
    except ValueError:
        return OutOfScope(NOT_CUTTABLE)
    items = granted_items(grant, entry)
    every_item = len(items) == len(item_columns.columns_of(entry))
    if table_columns is None:
        if every_item and rows is None:
            return Scope(grant["id"], resource_id, (), None, whole=True)
        return OutOfScope(NOT_CUTTABLE)
    wanted = set(item_columns.columns_of(entry, items).values())
    cut = tuple(c for c in table_columns if c in wanted)
    if not cut:
        return OutOfScope(NO_COLUMNS)
    if rows is not None and rows.column not in table_columns:
        return OutOfScope(NOT_CUTTABLE)
    return Scope(grant["id"], resource_id, cut, rows)


def provider_scope(resource_id: str, table_columns: Sequence[str] | None) -> Scope:
    """The providing department's own view (its members and sysadmins): every column."""
    return Scope("", resource_id, tuple(table_columns or ()), None, whole=table_columns is None)
