"""Rules of batch exchange subscriptions (2025 Regulations art. 22: 批量交换; 2016 Measures
art. 12: 前置机): schedules, modes, the names a target's table or file may take, statuses and
why a subscription stopped.

Plain Python (no CKAN, Flask or SQLAlchemy), so every rule is unit-tested alone. Each check
answers ``None`` or the problem in English and Chinese (``core.messages.message``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from ..access.rules import EXCHANGE_METHODS, grant_methods
from ..core.messages import message

__all__ = [
    "ACTIVE",
    "FULL",
    "INCREMENTAL",
    "MAX_EVERY_HOURS",
    "MAX_TABLE_BYTES",
    "MODES",
    "PLATFORM_MARK",
    "STAGING_SUFFIX",
    "STATUSES",
    "STATUS_LABELS",
    "STOPPED",
    "STOP_REASONS",
    "Schedule",
    "describe_schedule",
    "exchange_allowed",
    "first_run",
    "mode_problem",
    "next_run",
    "parse_schedule",
    "reason_for_grant",
    "staging_name",
    "status_label",
    "stop_reason_label",
    "table_problem",
]

# ---------------------------------------------------------------------------- statuses

ACTIVE = "active"
STOPPED = "stopped"
STATUSES = (ACTIVE, STOPPED)
#: A subscription's status: code -> (English, Chinese).
STATUS_LABELS: dict[str, tuple[str, str]] = {
    ACTIVE: ("Active", "有效"),
    STOPPED: ("Stopped", "已停止"),
}

#: Why a subscription stopped: code -> (English, Chinese). Runs never start for a stopped one.
STOP_REASONS: dict[str, tuple[str, str]] = {
    "grant_revoked": ("The grant was revoked", "授权已被撤销"),
    "grant_expired": ("The grant's period of use has ended", "授权使用期限已届满"),
    "grant_terminated": (
        "The grant was terminated (2025 Regulations art. 27)",
        "授权已终止（《政务数据共享条例》第二十七条）",
    ),
    "grant_not_live": (
        "The grant is not live (suspended, or its period has not begun)",
        "授权当前无效（已暂停或尚未生效）",
    ),
    "out_of_scope": (
        "The resource is no longer within the grant's scope",
        "该资源已不在授权范围内",
    ),
    "target_deleted": ("The exchange target was deleted", "交换目标已被删除"),
    "stopped_by_holder": (
        "Stopped by the receiving department's data officer",
        "由使用部门数据管理员停止",
    ),
}


def stop_reason_label(code: str | None) -> tuple[str, str]:
    """``(English, Chinese)`` of a stop reason (an unknown code reads as itself)."""
    if not code:
        return "", ""
    return STOP_REASONS.get(code, (code, code))


def status_label(code: str | None) -> tuple[str, str]:
    """``(English, Chinese)`` of a subscription's status (an unknown code reads as itself)."""
    if not code:
        return "", ""
    return STATUS_LABELS.get(code, (code, code))


def reason_for_grant(status: str | None) -> str:
    """The stop reason of a grant that is no longer live, by its status."""
    return {
        "revoked": "grant_revoked",
        "expired": "grant_expired",
        "terminated": "grant_terminated",
    }.get(status or "", "grant_not_live")


def exchange_allowed(grant: Mapping[str, Any], entry_methods: Any) -> bool:
    """The grant may be delivered by batch exchange: one of its share methods
    (``access.rules.grant_methods``) is ``exchange_node``, ``database`` or ``bulk_download``
    (2025 Regulations art. 22)."""
    methods = entry_methods if isinstance(entry_methods, list | tuple | set | frozenset) else ()
    return bool(grant_methods(grant, methods) & set(EXCHANGE_METHODS))


# ---------------------------------------------------------------------------- modes

FULL = "full"
INCREMENTAL = "incremental"
MODES = (FULL, INCREMENTAL)

NOT_A_MODE = message(
    "The mode is full (every granted row each run) or incremental (the rows changed since "
    "the last run)",
    "交换方式为 full（每次全量）或 incremental（仅交换上次以来变更的数据行）",
)


def mode_problem(value: Any) -> str | None:
    return None if value in MODES else NOT_A_MODE


# ---------------------------------------------------------------------------- table names

#: PostgreSQL's identifier limit (NAMEDATALEN - 1) in bytes.
MAX_TABLE_BYTES = 63
#: Names with this mark are the platform's own working tables on a target (staging, swap).
PLATFORM_MARK = "__gs_"
#: A run's staging table on a PostgreSQL target: ``<table>__gs_staging``.
STAGING_SUFFIX = "__gs_staging"
_NAME = re.compile(r"[a-z_][a-z0-9_]*")

TABLE_EMPTY = message("Name the table or file", "请填写表名或文件名")
TABLE_TOO_LONG = message(
    f"A table or file name has at most {MAX_TABLE_BYTES} characters",
    f"表名或文件名不超过{MAX_TABLE_BYTES}个字符",
)
TABLE_CHARACTERS = message(
    "A table or file name has lowercase letters a-z, digits and underscores, and does not "
    "begin with a digit (e.g. population_2026)",
    "表名或文件名仅可包含小写字母a-z、数字和下划线，且不能以数字开头（如 population_2026）",
)
TABLE_PG = message(
    "A table name may not begin with pg_ (PostgreSQL keeps those names)",
    "表名不能以 pg_ 开头（PostgreSQL 保留）",
)
TABLE_PLATFORM = message(
    f"A table name may not contain {PLATFORM_MARK} (the platform's working tables on the "
    "target, e.g. the staging table)",
    f"表名不能包含 {PLATFORM_MARK}（平台在交换目标上使用的工作表，如暂存表）",
)


def table_problem(name: Any) -> str | None:
    """Why ``name`` cannot be a target's table (PostgreSQL) or file (directory) name.

    A lowercase ASCII identifier (so it needs no quoting and is a safe file name), 1–63
    bytes, not ``pg_…``, and without the platform's mark (``<table>__gs_staging`` is a run's
    staging table)."""
    if not isinstance(name, str) or not name.strip():
        return TABLE_EMPTY
    if len(name.encode("utf-8")) > MAX_TABLE_BYTES:
        return TABLE_TOO_LONG
    if not _NAME.fullmatch(name):
        return TABLE_CHARACTERS
    if name.startswith("pg_"):
        return TABLE_PG
    if PLATFORM_MARK in name:
        return TABLE_PLATFORM
    return None


def staging_name(table: str) -> str:
    """The staging table of ``table`` (at most 63 bytes: a long name is shortened)."""
    return table[: MAX_TABLE_BYTES - len(STAGING_SUFFIX)] + STAGING_SUFFIX


# ---------------------------------------------------------------------------- schedules

DAILY = "daily"
HOURLY = "hourly"
MAX_EVERY_HOURS = 168

Schedule = dict[str, Any]

NOT_A_SCHEDULE = message(
    'A schedule is {"kind": "daily", "at": "HH:MM"} (every day at a local time) or '
    '{"kind": "hourly", "every": N} (every N hours, 1 to 168)',
    '交换计划应为 {"kind": "daily", "at": "HH:MM"}（每天在当地时间某时刻）或 '
    '{"kind": "hourly", "every": N}（每 N 小时，1至168）',
)
NOT_A_TIME = message(
    "The time of day is HH:MM, from 00:00 to 23:59 (e.g. 02:30)",
    "每日交换时间格式为 HH:MM，00:00 至 23:59（如 02:30）",
)
NOT_HOURS = message(
    f"Every N hours: a whole number from 1 to {MAX_EVERY_HOURS}",
    f"间隔小时数须为1至{MAX_EVERY_HOURS}的整数",
)
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_MAX_SCHEDULE_TEXT = 200


def parse_schedule(value: Any) -> tuple[Schedule | None, str | None]:
    """``(schedule, None)`` in its one shape, or ``(None, problem)``.

    Takes the object or its JSON text (a form field, ckanapi); ``every`` may be a string of
    digits (a form field). The answer holds only ``kind`` and ``at`` or ``every``."""
    if isinstance(value, str):
        if len(value) > _MAX_SCHEDULE_TEXT:
            return None, NOT_A_SCHEDULE
        try:
            value = json.loads(value)
        except ValueError:
            return None, NOT_A_SCHEDULE
    if not isinstance(value, Mapping):
        return None, NOT_A_SCHEDULE
    kind = value.get("kind")
    if kind == DAILY:
        at = value.get("at")
        if not isinstance(at, str) or not _TIME.fullmatch(at):
            return None, NOT_A_TIME
        return {"kind": DAILY, "at": at}, None
    if kind == HOURLY:
        every = value.get("every")
        if isinstance(every, str) and every.isascii() and every.isdigit() and len(every) <= 3:
            every = int(every)
        if isinstance(every, bool) or not isinstance(every, int):
            return None, NOT_HOURS
        if not 1 <= every <= MAX_EVERY_HOURS:
            return None, NOT_HOURS
        return {"kind": HOURLY, "every": every}, None
    return None, NOT_A_SCHEDULE


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(dt.timezone.utc)


def next_run(schedule: Mapping[str, Any], after: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """When the next run is due after ``after`` (aware), in UTC.

    ``daily``: the next ``at`` in ``zone``'s local time strictly after ``after`` (a local time
    that a DST change skips runs at the same instant shifted by the change, a repeated one at
    its first occurrence); ``hourly``: ``every`` hours after ``after`` (the last run)."""
    start = _utc(after)
    if schedule["kind"] == HOURLY:
        return start + dt.timedelta(hours=int(schedule["every"]))
    hour, minute = (int(p) for p in str(schedule["at"]).split(":"))
    day = start.astimezone(zone).date()
    for offset in range(3):
        local = dt.datetime.combine(
            day + dt.timedelta(days=offset), dt.time(hour, minute), tzinfo=zone
        )
        # Compare instants: aware datetimes of one tzinfo compare by wall clock.
        candidate = _utc(local)
        if candidate > start:
            return candidate
    raise AssertionError("unreachable: a day later is always after")  # pragma: no cover


def first_run(schedule: Mapping[str, Any], now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """When a new (or resumed) subscription first runs: ``daily`` at its next time, ``hourly``
    at once (the next pass of ``ckan govshare exchange run``)."""
    if schedule["kind"] == HOURLY:
        return _utc(now)
    return next_run(schedule, now, zone)


def describe_schedule(schedule: Mapping[str, Any] | None) -> tuple[str, str]:
    """``(English, Chinese)`` of a schedule, for pages."""
    if not schedule:
        return "", ""
    if schedule.get("kind") == HOURLY:
        every = schedule.get("every")
        return (f"Every {every} hours" if every != 1 else "Every hour"), f"每{every}小时"
    at = schedule.get("at")
    return f"Daily at {at}", f"每天 {at}"
