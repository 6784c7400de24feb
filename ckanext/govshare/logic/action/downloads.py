"""The download routes' checks, counting and recording, as actions (issue 6, art. 14; issue 15,
item 1): the routes only stream what these hand them.

- ``govshare_download_authorize``: every check of one download (a token, or the entry page's
  button), before any byte; the answer is what to stream, or a refusal (audited).
- ``govshare_download_count``: the download counted against the token and the grant (one
  conditional ``UPDATE … RETURNING`` each) and recorded with its audit event, committed before
  the first byte.
- ``govshare_bulk_prepare``: the bulk ZIP's checks, counts and records, committed before the
  archive is streamed.

The download list (下载清单, issue 19 item 8) is the action API's own: ``govshare_cart_add``,
``govshare_cart_remove``, ``govshare_cart_show`` and ``govshare_cart_clear`` keep a user's
picked resources (``downloads/cart.py``); ``POST /govshare/cart/download`` (or
``/govshare/bulk`` with the list's ``available_resource_ids``) sends them as one ZIP.

The three above serve the routes only (``logic/auth/downloads.py``): their answers hold open
files and streams, not JSON. A refusal is ``{"reason", "status", "message_en", "message_zh"}``.

What a holder receives is the grant's scope on the resource (issue 16, item 3): the original
file only for a resource outside the DataStore that the grant covers entirely, else a CSV or
XLSX (``format``) of exactly the granted columns and rows, or a refusal with the scope's reason.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...core.membership import Person
from ...core.transaction import atomic, commit
from ...downloads import cart, delivery
from ..auth.downloads import CART_LOG_IN
from ..schema import downloads as schema

__all__ = [
    "govshare_bulk_prepare",
    "govshare_cart_add",
    "govshare_cart_clear",
    "govshare_cart_remove",
    "govshare_cart_show",
    "govshare_download_authorize",
    "govshare_download_count",
]


def _session_user(context: Context) -> model.User | None:
    """The user the request is otherwise authenticated as (session cookie or CKAN API
    token); ``None`` for a bare download token."""
    name = context.get("user")
    return model.User.get(name) if name else None


def _answer(result: Any, key: str) -> dict[str, Any]:
    if isinstance(result, delivery.Refusal):
        return {key: None, "refusal": result.answer()}
    return {key: result, "refusal": None}


@validate(schema.download_authorize_schema)
def govshare_download_authorize(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Check one download before any byte is sent (art. 14; workflows.md "Grants and download
    tokens"), for ``/govshare/download/<resource_id>`` (``route=token``) and the entry page's
    button (``route=open``).

    It only reads, but for a refusal, whose audit event it commits. An allowed download's
    reads stay in the transaction ``govshare_download_count`` commits, as one download was
    one transaction before the routes called actions (one fewer commit and connection
    check-out a download; bench/downloads.py).

    :param resource_id: the resource
    :param route: ``token`` (default) or ``open`` (the session user's departments' grant)
    :param token: the bearer token as the request sent it
    :param token_in_url: the URL carried ``?token=`` (refused, 400: URLs are logged)
    :param format: ``csv`` (default) or ``xlsx``: the format of a file cut to the grant
        (an original file is delivered as it is); anything else is a 409
    :param range: the request's ``Range`` header (passed on to a link's host)
    :param address: the client's address, for the audit trail
    :returns: ``{"delivery", "refusal"}``: what to stream (``downloads.delivery.Delivery``),
        or why not (audited, outcome ``refused``)
    """
    tk.check_access("govshare_download_authorize", context, data_dict)
    result = delivery.authorize(
        data_dict["resource_id"],
        route=data_dict.get("route") or "token",
        secret=data_dict.get("token"),
        session_user=_session_user(context),
        address=data_dict.get("address"),
        range_header=data_dict.get("range"),
        token_in_url=bool(data_dict.get("token_in_url")),
        fmt=data_dict.get("format"),
    )
    if isinstance(result, delivery.Refusal):
        commit(context)
    return _answer(result, "delivery")


@validate(schema.download_count_schema)
@atomic
def govshare_download_count(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Count an allowed download and record it, committed before its first byte (art. 14,
    24: every download records user, department, grant, purpose, resource, bytes, time and
    address). Of concurrent downloads against a last use exactly one is counted.

    :param delivery: what ``govshare_download_authorize`` answered
    :param status: the response's status (200, or 206 for a range)
    :param size: the bytes the response carries, when known
    :param range: the request's ``Range`` header (recorded for a 206)
    :returns: ``{"counted", "refusal"}``
    """
    tk.check_access("govshare_download_count", context, data_dict)
    refused = delivery.count(
        data_dict["delivery"],
        status=data_dict["status"],
        size=data_dict.get("size"),
        range_header=data_dict.get("range"),
    )
    return {"counted": refused is None, "refusal": refused.answer() if refused else None}


@validate(schema.bulk_prepare_schema)
@atomic
def govshare_bulk_prepare(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Check, count and record every file of a bulk download (art. 14), committed before the
    ZIP is streamed; what may not be sent is listed, with its reason, in ``MANIFEST.json``.

    :param resource_ids: resources (ids)
    :param package_ids: entries (ids or names): each of their resources
    :param format: ``csv`` (default) or ``xlsx``: the format of the files cut to a grant
    :param token: the bearer token as the request sent it (else the session user's
        departments' grants apply)
    :param address: the client's address, for the audit trail
    :returns: ``{"archive", "refusal"}``: the ZIP to stream and its headers
        (``downloads.delivery.Archive``), or why not
    """
    tk.check_access("govshare_bulk_prepare", context, data_dict)
    result = delivery.prepare_bulk(
        data_dict["resource_ids"],
        data_dict["package_ids"],
        secret=data_dict.get("token"),
        session_user=_session_user(context),
        address=data_dict.get("address"),
        fmt=data_dict.get("format"),
    )
    return _answer(result, "archive")


# ---------------------------------------------------------------------------- download list


def _person(context: Context) -> Person:
    """The caller, who must be a user (only a call that skipped the auth check has none)."""
    person = Person.of(context)
    if person.id is None:
        raise tk.NotAuthorized(CART_LOG_IN)
    return person


@validate(schema.cart_add_schema)
@atomic
def govshare_cart_add(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Put resources in your download list (下载清单, issue 19 item 8; art. 14): each must be
    covered by a live grant of one of your departments; of an entry, the resources such a
    grant covers. All or nothing; a resource already listed stays. The list holds at most
    200 resources (fewer if ``ckanext.govshare.download.bulk_max_files`` is lower: one ZIP).

    :param resource_ids: resources (ids), a list or comma-separated
    :param package_ids: entries (ids or names): their granted resources
    :returns: the list (as ``govshare_cart_show``) with ``added``: the ids it added
    """
    tk.check_access("govshare_cart_add", context, data_dict)
    person = _person(context)
    added = cart.add(
        person, data_dict.get("resource_ids") or [], data_dict.get("package_ids") or []
    )
    return {**cart.show(person), "added": added}


@validate(schema.cart_remove_schema)
@atomic
def govshare_cart_remove(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Take resources out of your download list (issue 19 item 8).

    :param resource_ids: resources of the list (ids); one not in it is refused (409)
    :returns: the list (as ``govshare_cart_show``) with ``removed``: the ids taken out
    """
    tk.check_access("govshare_cart_remove", context, data_dict)
    person = _person(context)
    removed = cart.remove(person, data_dict["resource_ids"])
    return {**cart.show(person), "removed": removed}


@tk.side_effect_free
@validate(schema.cart_show_schema)
def govshare_cart_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Your download list as it stands now (issue 19 item 8; art. 14): each item's entry,
    providing department, grant (purpose, period, downloads left), the granted columns, and
    whether it can be downloaded now or why not (``reason``: ``grant_ended``, ``suspended``,
    ``exhausted``, ``not_found`` or the scope rule's reason; ``reason_label`` in both
    languages). Items of one grant share its downloads left, in the list's order.

    :returns: ``{"count", "max_items", "available_count", "available_resource_ids",
        "results"}``, oldest first
    """
    tk.check_access("govshare_cart_show", context, data_dict)
    return cart.show(_person(context))


@validate(schema.cart_show_schema)
@atomic
def govshare_cart_clear(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Empty your download list (issue 19 item 8).

    :returns: the empty list (as ``govshare_cart_show``) with ``removed``: what it held
    """
    tk.check_access("govshare_cart_clear", context, data_dict)
    person = _person(context)
    removed = cart.clear(person)
    return {**cart.show(person), "removed": removed}
