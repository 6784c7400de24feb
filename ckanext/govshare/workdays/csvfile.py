"""The calendar file format of ``ckan govshare calendar load|export`` and the sysadmin page.

CSV (UTF-8, a BOM is allowed) with the header ``date,is_workday,name,note``; one row per day
that is not an ordinary weekday or weekend of the year: each holiday day (``is_workday`` false),
each adjusted working weekend day (``is_workday`` true). ``is_workday`` takes true/false,
1/0, yes/no or 是/否. YAML or JSON files with a list of the same fields (``day`` may be
written ``date``) load too. See docs/calendar-example.csv.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..cells import csv_row, csv_unquote

__all__ = ["HEADER", "dump_csv", "parse"]

HEADER = ("date", "is_workday", "name", "note")


class FormatError(ValueError):
    """The file is not a calendar file (wrong header or structure)."""


def parse(text: str, filename: str = "") -> list[dict[str, Any]]:
    """Days as the load action takes them (``day``, ``is_workday``, ``name``, ``note``)."""
    text = text.lstrip("\ufeff")
    lower = filename.lower()
    if lower.endswith(".json"):
        return _records(json.loads(text))
    if lower.endswith((".yaml", ".yml")):
        import yaml

        return _records(yaml.safe_load(text) or [])
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "date" not in fields or "is_workday" not in fields:
        raise FormatError(f"the CSV header must be {','.join(HEADER)}")
    reader.fieldnames = fields
    return _records(
        {k: csv_unquote(v) if isinstance(v, str) else v for k, v in row.items()}
        for row in reader
        if any((value or "").strip() for value in row.values() if value)
    )


def _records(items: Any) -> list[dict[str, Any]]:
    if isinstance(items, Mapping):
        items = items.get("days", [])
    if not isinstance(items, Iterable) or isinstance(items, (str, bytes)):
        raise FormatError("expected a list of days")
    days = []
    for item in items:
        if not isinstance(item, Mapping):
            raise FormatError("each day must have date, is_workday, name and note")
        day = item.get("day", item.get("date"))
        record = {"day": str(day).strip() if day is not None else ""}
        record["is_workday"] = item.get("is_workday")
        for key in ("name", "note"):
            value = item.get(key)
            record[key] = str(value).strip() if value not in (None, "") else ""
        days.append(record)
    return days


def dump_csv(days: Iterable[Mapping[str, Any]]) -> str:
    """Days (``day`` or ``date``, ``is_workday``, ``name``, ``note``) as the CSV format."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for day in days:
        writer.writerow(
            csv_row(  # names and notes never run as formulas (issue 14, item 6)
                [
                    day.get("day", day.get("date")),
                    "true" if day["is_workday"] else "false",
                    day.get("name") or "",
                    day.get("note") or "",
                ]
            )
        )
    return buffer.getvalue()
