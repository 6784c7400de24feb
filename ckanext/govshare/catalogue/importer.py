"""Imports a catalogue spreadsheet through the action API, all or nothing (or row by row).

Every row goes through ``package_create`` or ``package_update`` as the importing user, so the
same rules, permissions and audit apply as in the form. Without ``partial`` nothing is kept
unless every row passes; with it, each row stands alone (committed on its own).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import IO, Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ..core.messages import message
from ..search import reindex as search_reindex
from . import spreadsheet


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[tuple[str, int, str, str]] = field(default_factory=list)
    committed: bool = False

    def lines(self) -> list[str]:
        out = [f"{sheet} row {row} {fld}: {msg}" for sheet, row, fld, msg in self.errors]
        state = "imported" if self.committed else "nothing imported"
        out.append(
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.errors)} errors: {state}"
        )
        return out


def _flatten(errors: Any, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            out.extend(_flatten(value, f"{prefix}{key}" if not prefix else f"{prefix}.{key}"))
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            if isinstance(value, (dict, list)):
                out.extend(_flatten(value, f"{prefix}[{index + 1}]"))
            else:
                out.append((prefix, str(value)))
    else:
        out.append((prefix, str(errors)))
    return out


def _save(entry: dict[str, Any], user: str, org: str | None, *, defer: bool) -> str:
    context: Context = {"user": user, "defer_commit": defer}
    if org:
        entry["owner_org"] = org
    existing = model.Package.by_name(entry.get("name") or "")
    if existing is None or existing.state == "deleted":
        tk.get_action("package_create")(context.copy(), entry)
        return "created"
    owner = model.Group.get(entry.get("owner_org") or "")
    if owner is None or existing.owner_org != owner.id:
        raise tk.ValidationError(
            {
                "name": [
                    message(
                        "An entry with this name belongs to another department",
                        "该网址名称已被其他部门使用",
                    )
                ]
            }
        )
    current = tk.get_action("package_show")(context.copy(), {"id": existing.id})
    tk.get_action("package_update")(context.copy(), {**current, **entry, "id": existing.id})
    return "updated"


def import_workbook(
    source: IO[bytes], *, user: str, org: str | None = None, partial: bool = False
) -> Report:
    report = Report()
    parsed = spreadsheet.read(source)
    report.errors.extend(parsed.problems)
    if parsed.problems:
        return report
    # CKAN rolls the session back when an action refuses its input, so rows cannot share a
    # transaction with savepoints: all-or-nothing defers every commit to the end (and a refusal
    # undoes what came before, as it must); --partial lets each row commit on its own.
    session = model.Session
    for row in parsed.rows:
        try:
            outcome = _save(dict(row.entry), user, org, defer=not partial)
        except tk.ValidationError as e:
            for fld, msg in _flatten(e.error_dict):
                report.errors.append((row.sheet, row.number, fld, msg))
            continue
        except tk.NotAuthorized as e:
            session.rollback()
            report.errors.append((row.sheet, row.number, "owner_org", str(e) or "Not authorized"))
            continue
        except Exception:
            session.rollback()
            raise
        (report.created if outcome == "created" else report.updated).append(row.entry["name"])
    if report.errors and not partial:
        session.rollback()
        report.created.clear()
        report.updated.clear()
        return report
    if not partial:
        # With ``defer_commit`` CKAN 2.12 leaves indexing to the caller (2.11 indexed anyway):
        # the entries are indexed in the same transaction, so they are found once committed.
        search_reindex.entries([*report.created, *report.updated], defer_commit=True)
    session.commit()
    report.committed = True
    return report


def export_workbook(org: str, user: str) -> bytes:
    """The department's catalogue as the workbook ``import_workbook`` reads back."""
    out = io.BytesIO()
    spreadsheet.write(export_entries(org, user), out)
    return out.getvalue()


def export_entries(org: str, user: str) -> list[dict[str, Any]]:
    """Every entry of the department, as ``package_show`` returns it to the user."""
    search = tk.get_action("package_search")
    entries: list[dict[str, Any]] = []
    start = 0
    while True:
        page = search(
            {"user": user},
            {
                "fq": f'owner_org:"{org}"',
                "rows": 500,
                "start": start,
                "sort": "name asc",
                "include_private": True,
            },
        )
        entries.extend(page["results"])
        start += 500
        if start >= page["count"]:
            return entries
