"""Input of the download actions the download routes call (issue 6; issue 15, item 1).

The route hands over what the request carried: the bearer token as sent (it is checked as a
token, so junk there is a missing token, 401, not a bad request), the ``Range`` header, the
client's address. The bulk body is the one thing a client writes itself: two lists of ids,
and the format of the files cut to a grant (``format``: ``csv`` or ``xlsx``; issue 16, item 3),
as the single download's ``?format=``.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing

from ...core.messages import message
from ...hardening import limits
from .fields import boolean, one_of, reference, required, string_list, whole_number

__all__ = [
    "FORMATS",
    "bulk_prepare_schema",
    "cart_add_schema",
    "cart_remove_schema",
    "cart_show_schema",
    "ckan_download_authorize_schema",
    "download_authorize_schema",
    "download_count_schema",
]

NOT_A_LIST = message("Must be a list of strings", "须为字符串列表")
NOTHING_ASKED = message(
    'Send JSON {"resource_ids": [...], "package_ids": [...]}',
    '请发送 JSON：{"resource_ids": [...], "package_ids": [...]}',
)

#: The formats of a file cut to a grant (``dataplane.cut.FORMATS``; schemas import no domain).
FORMATS = ("csv", "xlsx")
BAD_FORMAT = message(
    "format must be csv or xlsx (the format of a file cut to the grant; an original file is "
    "delivered as it is)",
    "format 须为 csv 或 xlsx（按授权范围裁剪的文件格式；原始文件按原样提供）",
)


def cut_format(value: Any, context: Any) -> str | None:
    """``csv`` (also for a blank value) or ``xlsx``, in any case; anything else is refused."""
    if value is missing or value is None or value == "":
        return None
    if not isinstance(value, str) or value.strip().lower() not in FORMATS:
        raise tk.Invalid(BAD_FORMAT)
    return value.strip().lower()


def _optional() -> Any:
    return tk.get_validator("ignore_missing")


def _extras() -> dict[str, Any]:
    return {"__extras": [_optional()], "__junk": [_optional()]}


def _passed_on() -> list[Any]:
    """What the route read from the request as it was (a header, the client's address)."""
    return [_optional()]


def id_list(value: Any, context: Any) -> list[str]:
    """A JSON list of strings, as the bulk body has always taken it: ids the bulk request
    cannot find are listed as refused in its manifest, not refused as input."""
    if value is missing or not value:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise tk.Invalid(NOT_A_LIST)
    return value


def _something_asked(key: Any, data: dict[Any, Any], errors: Any, context: Any) -> None:
    if errors.get(("resource_ids",)) or errors.get(("package_ids",)):
        return
    if not data.get(("resource_ids",)) and not data.get(("package_ids",)):
        errors.setdefault(("resource_ids",), []).append(NOTHING_ASKED)


def download_authorize_schema() -> dict[str, Any]:
    return {
        "resource_id": [required, reference],
        "route": [_optional(), one_of(("token", "open"))],
        "token": _passed_on(),
        "token_in_url": [_optional(), boolean],
        "format": [cut_format],
        "range": _passed_on(),
        "address": _passed_on(),
        **_extras(),
    }


def download_count_schema() -> dict[str, Any]:
    return {
        "delivery": [required],
        "status": [required, whole_number(100, 599)],
        "size": [_optional(), whole_number(0, limits.MAX_INTEGER)],
        "range": _passed_on(),
        **_extras(),
    }


def bulk_prepare_schema() -> dict[str, Any]:
    return {
        "resource_ids": [id_list],
        "package_ids": [id_list],
        "format": [cut_format],
        "token": _passed_on(),
        "address": _passed_on(),
        "__after": [_something_asked],
        **_extras(),
    }


def ckan_download_authorize_schema() -> dict[str, Any]:
    return {
        "resource_id": [required, reference],
        "route": _passed_on(),
        **_extras(),
    }


# ---------------------------------------------------------------------------- download list

NOTHING_PICKED = message(
    "Pick at least one resource (resource_ids) or entry (package_ids)",
    "请至少选择一个资源（resource_ids）或信息资源（package_ids）",
)


def _something_picked(key: Any, data: dict[Any, Any], errors: Any, context: Any) -> None:
    if errors.get(("resource_ids",)) or errors.get(("package_ids",)):
        return
    if not data.get(("resource_ids",)) and not data.get(("package_ids",)):
        errors.setdefault(("resource_ids",), []).append(NOTHING_PICKED)


def cart_add_schema() -> dict[str, Any]:
    """``govshare_cart_add``: resources (ids) and/or entries (ids or names), a list or a
    comma-separated string."""
    return {
        "resource_ids": [_optional(), string_list],
        "package_ids": [_optional(), string_list],
        "__after": [_something_picked],
        **_extras(),
    }


def cart_remove_schema() -> dict[str, Any]:
    """``govshare_cart_remove``: resources of the list (ids)."""
    return {"resource_ids": [required, string_list], **_extras()}


def cart_show_schema() -> dict[str, Any]:
    """``govshare_cart_show`` and ``govshare_cart_clear`` take nothing."""
    return {**_extras()}
