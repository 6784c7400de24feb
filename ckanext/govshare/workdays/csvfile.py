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
from ..core.messages import message

__all__ = ["HEADER", "NOT_UTF8", "FormatError", "dump_csv", "parse", "problem"]

HEADER = ("date", "is_workday", "name", "note")

# Refusals in English and Chinese (the sysadmin page and the API show them as they are).
BAD_HEADER = message(
    f"The CSV header must be {','.join(HEADER)}", f"CSV 文件首行须为 {','.join(HEADER)}"
)
NOT_A_LIST = message("Expected a list of days", "文件内容须为日期列表")
NOT_A_DAY = message(
    "Each day must have date, is_workday, name and note",
    "每一日须包含 date、is_workday、name 和 note",
)
NOT_READABLE = message(
    "The file cannot be read as CSV, JSON or YAML", "无法按 CSV、JSON 或 YAML 格式读取该文件"
)
NOT_UTF8 = message("The file must be UTF-8 text", "文件须为 UTF-8 编码的文本")


class FormatError(ValueError):
    """The file is not a calendar file (wrong header or structure); ``str`` is bilingual."""


def problem(error: Exception) -> str:
    """The bilingual message of a file that could not be read."""
    return str(error) if isinstance(error, FormatError) else NOT_READABLE


def parse(text: str, filename: str = "") -> list[dict[str, Any]]:
    """Days as the load action takes them (``day``, ``is_workday``, ``name``, ``note``).

    :raises FormatError: not a calendar file (JSON and YAML syntax errors included)
    """
    text = text.lstrip("\ufeff")
    lower = filename.lower()
    if lower.endswith(".json"):
        try:
            return _records(json.loads(text))
        except ValueError as error:
            raise FormatError(problem(error)) from None
    if lower.endswith((".yaml", ".yml")):
        import yaml

        try:
            return _records(yaml.safe_load(text) or [])
        except yaml.YAMLError:
            raise FormatError(NOT_READABLE) from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        fields = [f.strip().lower() for f in reader.fieldnames or []]
    except csv.Error:
        raise FormatError(NOT_READABLE) from None
    if "date" not in fields or "is_workday" not in fields:
        raise FormatError(BAD_HEADER)
    reader.fieldnames = fields
    try:
        return _records(
            {k: csv_unquote(v) if isinstance(v, str) else v for k, v in row.items()}
            for row in reader
            if any((value or "").strip() for value in row.values() if isinstance(value, str))
        )
    except csv.Error:
        raise FormatError(NOT_READABLE) from None


def _records(items: Any) -> list[dict[str, Any]]:
    if isinstance(items, Mapping):
        items = items.get("days", [])
    if not isinstance(items, Iterable) or isinstance(items, (str, bytes)):
        raise FormatError(NOT_A_LIST)
    days = []
    for item in items:
        if not isinstance(item, Mapping):
            raise FormatError(NOT_A_DAY)
        day = item.get("day", item.get("date"))
        record: dict[str, Any] = {"day": str(day).strip() if day is not None else ""}
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
