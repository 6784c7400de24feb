"""The service interface's rules without a database (issue 16, items 4–6): which grants it
serves, what a call may ask for, how a call's input reads, and when a used-up quota starts
afresh.

2025 Regulations art. 22 names the service interface (服务接口) among the ways data is shared;
the 2016 Measures art. 12 name online query (联机查询). Art. 25 forbids use beyond the granted
scope: a call may name only the columns of its scope (``access.scope``), and a column outside
it — granted to nobody, or not existing at all: the answer is the same, so a caller learns
nothing of the table's other columns — is refused with 403 naming the column.

Plain Python over plain values, so the rules are unit-tested alone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..access.rules import grant_methods
from ..core.messages import message

# Share methods a grant must carry for the interface (catalogue.codes.SHARE_METHODS).
SHARE_METHODS = ("api", "online_query")
# The purpose of a grant that may query-and-verify (查询核验; access.codes.PURPOSES).
VERIFICATION_PURPOSE = "data_verification"

# PostgreSQL identifiers are at most 63 bytes: a longer name is no column of any table.
MAX_COLUMN_BYTES = 63
MAX_FIELDS = 200
MAX_FILTER_COLUMNS = 20
MAX_FILTER_VALUES = 100
MAX_VALUE_LENGTH = 1000
MAX_Q = 200
MAX_SORT = 10
MAX_CURSOR = 300
MAX_MATCH_ON = 10
MAX_CHECK = 20
DEFAULT_LIMIT = 100

# Why a call is refused (the answer's ``reason``), beside the token's (downloads.tokens) and
# the scope's (access.scope) reasons.
MISSING_TOKEN = "missing_token"
NOT_SIGNED_IN = "not_signed_in"
NO_RESOURCE = "no_resource"
NO_GRANT = "no_grant"
NOT_INTERFACE = "not_interface"
NOT_VERIFICATION = "not_verification"
COLUMN_NOT_GRANTED = "column_not_granted"
QUOTA_EXCEEDED = "quota_exceeded"
BAD_VALUE = "bad_value"
INVALID = "invalid"

REASONS: dict[str, tuple[str, str]] = {
    MISSING_TOKEN: (
        "An interface token is needed: send the header Authorization: Bearer <token>",
        "需要接口令牌：请发送请求头 Authorization: Bearer <令牌>",
    ),
    NOT_SIGNED_IN: (
        "Log in, or send an interface token (Authorization: Bearer <token>)",
        "请先登录，或发送接口令牌（Authorization: Bearer <令牌>）",
    ),
    NO_RESOURCE: ("No such resource", "资源不存在"),
    NO_GRANT: (
        "None of your departments holds a live grant for the service interface (share method "
        "api or online_query) on this resource",
        "您所在部门没有涵盖该资源、共享方式为接口或联机查询的有效授权",
    ),
    NOT_INTERFACE: (
        "This grant's share method is not the service interface (api or online_query): its "
        "data is delivered the way it was granted",
        "该授权的共享方式不是服务接口（接口或联机查询），数据只能按授权的方式提供",
    ),
    NOT_VERIFICATION: (
        "Query and verify needs a grant whose purpose is data verification",
        "查询核验须依据用途为数据校核的授权",
    ),
    QUOTA_EXCEEDED: (
        "The grant's daily call quota is used up: try again after midnight",
        "该授权当日调用次数已用完，请于次日零时后再试",
    ),
    BAD_VALUE: (
        "A value does not fit its column's type (or the cursor is not one this interface gave)",
        "取值与列的类型不符（或游标不是本接口给出的）",
    ),
    INVALID: (
        "The request holds a value the interface cannot take",
        "请求中含有接口无法接受的值",
    ),
}


def column_not_granted(column: str) -> tuple[str, str]:
    """The 403's text for a column outside the grant (named, bounded)."""
    shown = column if len(column) <= 100 else column[:100] + "…"
    return (
        f"The column {shown!r} is not granted (art. 25: no use beyond the granted scope)",
        f"列“{shown}”不在授权范围内（第二十五条：不得超出授权范围使用）",
    )


# ---------------------------------------------------------------------------- grants


def serves(grant: Mapping[str, Any], entry_methods: Iterable[str] = ()) -> bool:
    """The grant may use the service interface: its share method is one of the interface's,
    or — a grant without one of its own (self-service, data return: 2025 Regulations art. 24,
    "without extra conditions") — the entry offers one (``access.rules.grant_methods``)."""
    return bool(grant_methods(grant, entry_methods) & set(SHARE_METHODS))


def verifies(grant: Mapping[str, Any]) -> bool:
    """The grant may query-and-verify: its purpose is data verification."""
    return grant.get("purpose") == VERIFICATION_PURPOSE


def outside(asked: Sequence[str], granted: Sequence[str]) -> str | None:
    """The first column of ``asked`` not in ``granted``, or None."""
    allowed = set(granted)
    return next((c for c in asked if c not in allowed), None)


# ---------------------------------------------------------------------------- input

NOT_COLUMNS = message(
    f"A comma-separated list of at most {MAX_FIELDS} column names",
    f"以逗号分隔的列名，不超过{MAX_FIELDS}个",
)
NOT_FILTERS = message(
    f"A JSON object: column → a value or a list of at most {MAX_FILTER_VALUES} values "
    f"(text of at most {MAX_VALUE_LENGTH} characters, numbers, true/false), at most "
    f"{MAX_FILTER_COLUMNS} columns",
    f"须为JSON对象：列名 → 一个取值或不超过{MAX_FILTER_VALUES}个取值的列表（不超过"
    f"{MAX_VALUE_LENGTH}个字符的文本、数字或true/false），不超过{MAX_FILTER_COLUMNS}列",
)
NOT_SORT = message(
    f'Columns to sort by, comma-separated, each optionally followed by "asc" or "desc" '
    f"(at most {MAX_SORT})",
    f"排序列，以逗号分隔，每列后可加asc或desc，不超过{MAX_SORT}列",
)
NOT_VALUES = message(
    "A JSON object: column → one value (text of at most "
    f"{MAX_VALUE_LENGTH} characters, a number, true/false)",
    f"须为JSON对象：列名 → 一个取值（不超过{MAX_VALUE_LENGTH}个字符的文本、数字或true/false）",
)
BOTH_PAGINGS = message("Send offset or cursor, not both", "offset 与 cursor 只能二选一")
NO_CHECK = message(
    "Name at least one column to match on and one to check",
    "请至少给出一个匹配列和一个核验列",
)


def _column(name: Any) -> str:
    if (
        not isinstance(name, str)
        or not name.strip()
        or len(name.encode("utf-8")) > MAX_COLUMN_BYTES
        or any(ord(ch) < 32 for ch in name)
    ):
        raise ValueError
    return name


def _scalar(value: Any, *, null: bool = False) -> Any:
    if value is None and null:
        return None
    if isinstance(value, bool | int | float) and not (
        isinstance(value, float) and value != value  # NaN
    ):
        return value
    if isinstance(value, str) and len(value) <= MAX_VALUE_LENGTH and "\x00" not in value:
        return value
    raise ValueError


def _object(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > 64 * 1024:
            raise ValueError
        return json.loads(value)
    return value


def columns(value: Any) -> list[str]:
    """``fields``: a comma-separated string or a list of column names, none twice, in the
    order asked. ``ValueError(NOT_COLUMNS)`` otherwise."""
    try:
        if isinstance(value, str):
            names = [v.strip() for v in value.split(",") if v.strip()]
        elif isinstance(value, list | tuple):
            names = [_column(v).strip() for v in value]
        else:
            raise ValueError
        if not names or len(names) > MAX_FIELDS:
            raise ValueError
        names = [_column(n) for n in names]
    except ValueError:
        raise ValueError(NOT_COLUMNS) from None
    return list(dict.fromkeys(names))


def filters(value: Any) -> dict[str, list[Any]]:
    """``filters``: a JSON object (or its text): column → a value or a list of values.
    ``ValueError(NOT_FILTERS)`` otherwise."""
    try:
        data = _object(value)
        if not isinstance(data, Mapping) or len(data) > MAX_FILTER_COLUMNS:
            raise ValueError
        result: dict[str, list[Any]] = {}
        for key, given in data.items():
            values = given if isinstance(given, list) else [given]
            if not values or len(values) > MAX_FILTER_VALUES:
                raise ValueError
            result[_column(key)] = [_scalar(v) for v in values]
    except (ValueError, TypeError, RecursionError):
        raise ValueError(NOT_FILTERS) from None
    return result


def sort(value: Any) -> list[tuple[str, bool]]:
    """``sort``: ``"col desc, col2"`` (``asc`` by default) → ``[(col, descending), …]``.
    ``ValueError(NOT_SORT)`` otherwise."""
    try:
        if not isinstance(value, str) or len(value) > MAX_SORT * (MAX_COLUMN_BYTES + 8):
            raise ValueError
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts or len(parts) > MAX_SORT:
            raise ValueError
        result: list[tuple[str, bool]] = []
        for part in parts:
            name, _, direction = part.rpartition(" ")
            if not name or direction.lower() not in ("asc", "desc"):
                name, direction = part, "asc"
            result.append((_column(name.strip()), direction.lower() == "desc"))
    except ValueError:
        raise ValueError(NOT_SORT) from None
    return result


def values(value: Any, *, limit: int, null: bool = False) -> dict[str, Any]:
    """``match_on`` or ``check`` of a verification: a JSON object column → one value, at
    least one and at most ``limit`` columns. ``ValueError(NOT_VALUES)`` otherwise."""
    try:
        data = _object(value)
        if not isinstance(data, Mapping) or not data or len(data) > limit:
            raise ValueError
        return {_column(k): _scalar(v, null=null) for k, v in data.items()}
    except (ValueError, TypeError, RecursionError):
        raise ValueError(NOT_VALUES) from None


# ---------------------------------------------------------------------------- quota


def seconds_to_midnight(now: dt.datetime, zone: dt.tzinfo) -> int:
    """Whole seconds from ``now`` to the next midnight in ``zone`` (at least 1): when a
    day's quota starts afresh (the 429's ``Retry-After``)."""
    local = now.astimezone(zone)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    seconds = (
        midnight.astimezone(dt.timezone.utc) - now.astimezone(dt.timezone.utc)
    ).total_seconds()
    return max(1, int(-(-seconds // 1)))


# ---------------------------------------------------------------------------- the minute digest

#: The columns of a call's row a minute's digest is taken over, in this order.
DIGESTED = (
    "id",
    "time",
    "user_id",
    "organization_id",
    "grant_id",
    "token_id",
    "purpose",
    "package_id",
    "resource_id",
    "method",
    "fields",
    "rows",
    "outcome",
    "reason",
    "status_code",
    "milliseconds",
    "client_address",
)


def minute_key(moment: dt.datetime) -> str:
    """The UTC minute a moment falls in, as a digest names it: ``2026-12-05T13:09Z``."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def minute_start(key: str) -> dt.datetime:
    """The first moment of the minute ``key`` names (UTC). ``ValueError`` when it is none."""
    return dt.datetime.strptime(key, "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.timezone.utc)


def row_line(row: Mapping[str, Any]) -> bytes:
    """One call's row as the digest hashes it: a JSON array of :data:`DIGESTED`, the time in
    UTC ISO 8601, then a new line."""
    values = []
    for name in DIGESTED:
        value = row.get(name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.timezone.utc).isoformat()
        values.append(value)
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text + "\n").encode("utf-8")
