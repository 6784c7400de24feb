"""The service interface as actions (issue 16, items 4–7; 2025 Regulations art. 22, 25):
query (联机查询) and query-and-verify (查询核验) of a resource's table, cut to the caller's
grant, counted against its daily quota, every call logged.

- ``govshare_data_query``: one page of the granted columns and rows;
- ``govshare_data_verify``: whether a row matches, never a value.

A logged-in user calls them through the action API under a live grant of one of their
departments with an interface share method (``api`` or ``online_query``); the providing
department's members and sysadmins read the whole table. The routes
``/govshare/query/<resource_id>`` and ``/govshare/verify/<resource_id>``
(``views/interface.py``) call them with the bearer token in a context key
(``logic/auth/interface.route_context``); the token is checked here as a download token is
(``downloads.tokens.check``: revoked, expired, another user's, grant ended, resource not
covered; its owner still a member of its department). Interface calls are not limited by a
token's or grant's download count: the grant's daily call quota limits them.

Every call leaves a ``govshare_api_call`` row; a refused one also an audit event, committed
before the refusal is raised: :class:`CallRefused` (403, 401 or 429 on the route; 403 on the
action API, whose errors have no 429), :class:`CallNotFound` (404) or ``ValidationError``
(409). Each carries ``refusal`` (``{"reason", "status", "message_en", "message_zh",
"retry_after", "field"}``) for the route.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic import validate
from ckan.types import Context, DataDict
from flask import has_request_context

from ...access import grants as access_grants
from ...core import clock, config
from ...core.membership import Person
from ...core.messages import message
from ...core.transaction import commit
from ...downloads import service as downloads
from ...downloads import tokens
from ...interface import rules
from ...interface import service as interface
from ...logins import throttle
from ..auth import interface as auth
from ..guard import lookup_key
from ..schema import interface as schema

__all__ = ["govshare_data_query", "govshare_data_verify"]


class CallRefused(tk.NotAuthorized):
    """A refused interface call (recorded): ``refusal`` is its answer for the route."""

    def __init__(self, refusal: dict[str, Any]) -> None:
        super().__init__(message(refusal["message_en"], refusal["message_zh"]))
        self.refusal = refusal


class CallNotFound(tk.ObjectNotFound):
    """A call on no resource (recorded): ``refusal`` is its answer for the route."""

    def __init__(self, refusal: dict[str, Any]) -> None:
        super().__init__(message(refusal["message_en"], refusal["message_zh"]))
        self.refusal = refusal


def _address() -> str | None:
    """The client's address behind the trusted proxies (as login throttling reads it)."""
    if not has_request_context():
        return None
    return throttle.client_address(
        tk.request.remote_addr,
        tk.request.headers.get("X-Forwarded-For"),
        config.login_trusted_proxies(),
    )


def _raise(context: Context, call: interface.Call, refusal: interface.Refusal) -> Any:
    """Record the refused call (row and audit event), commit, and raise its error."""
    interface.refuse(call, refusal)
    commit(context)
    answer = refusal.answer()
    if refusal.status == 409:
        text = message(answer["message_en"], answer["message_zh"])
        error = tk.ValidationError({refusal.field or "__input": [text]})
        error.refusal = answer  # type: ignore[attr-defined]
        raise error
    if refusal.status == 404:
        raise CallNotFound(answer)
    raise CallRefused(answer)


def _start(context: Context, data_dict: DataDict, method: str) -> interface.Call:
    """The call as far as it is known before any check (for its log row)."""
    return interface.Call(
        method=method,
        resource_id=lookup_key((data_dict or {}).get("resource_id")),
        address=_address(),
    )


def _checked(context: Context, data_dict: DataDict, name: str, call: interface.Call) -> None:
    """``check_access`` first (docs/api.md "Errors"); a refusal is a recorded call."""
    try:
        tk.check_access(name, context, data_dict)
    except tk.NotAuthorized:
        route = auth.from_route(context)
        reason = rules.MISSING_TOKEN if route else rules.NOT_SIGNED_IN
        _raise(context, call, interface.Refusal(reason, 401 if route else 403))


def _by_token(context: Context, call: interface.Call, secret: str) -> interface.Refusal | None:
    """The bearer token's own checks, as a download's (``downloads.tokens.check``); the
    call's user, department, grant and token are filled in on the way."""
    name = context.get("user")
    session_user = model.User.get(name) if name else None
    call.user = session_user
    if not tokens.well_formed(secret):
        return interface.Refusal(tokens.UNKNOWN, 403, tokens.REASONS[tokens.UNKNOWN])
    token = downloads.find(secret)
    grant = access_grants.load_grant(token["grant_id"]) if token else None
    if token is not None:
        call.token, call.grant = token, grant
        call.user = session_user or model.User.get(token["user_id"])
        call.organization_id = token["organization_id"]
    res = interface.resource(call.resource_id)
    if res is not None:
        call.package_id, call.provider_org_id = res["package_id"], res["provider_org_id"]
    reason = tokens.check(
        token,
        grant,
        user_id=session_user.id if session_user else None,
        resource_id=call.resource_id,
        package_id=res["package_id"] if res else None,
        now=clock.now(),
        today=clock.today(),
    )
    if reason == tokens.EXHAUSTED:
        reason = None  # download counts do not limit interface calls; the daily quota does
    if reason is None and not downloads.still_member(token["user_id"], token["organization_id"]):  # type: ignore[index]
        reason = tokens.WRONG_USER
    if reason is not None:  # a suspended grant's own reason and date (2025 art. 27)
        return interface.Refusal(reason, 403, tokens.texts(reason, grant))
    return None


def _by_session(context: Context, call: interface.Call, grant_id: str | None) -> Any:
    """A logged-in user's grant (or the provider's whole table: ``None``)."""
    person = Person.of(context)
    call.user = person.user
    res = interface.resource(call.resource_id)
    if res is None:
        return interface.Refusal(rules.NO_RESOURCE, 404)
    call.package_id, call.provider_org_id = res["package_id"], res["provider_org_id"]
    found = interface.session_grant(person, res, call.method, grant_id)
    if isinstance(found, interface.Refusal):
        return found
    call.grant = found
    call.organization_id = found["organization_id"] if found else res["provider_org_id"]
    return None


def _serve(context: Context, data_dict: DataDict, call: interface.Call, serve: Any) -> Any:
    """Who calls (token or session), then the method; a refusal is recorded and raised, an
    answer committed with its log row."""
    secret = auth.bearer(context)
    if auth.from_route(context) and secret is None:  # the routes take a token, nothing else
        refused: Any = interface.Refusal(rules.MISSING_TOKEN, 401)
    elif secret is not None:
        refused = _by_token(context, call, secret)
    else:
        refused = _by_session(context, call, data_dict.get("grant_id"))
    if refused is None:
        refused = serve()
    if isinstance(refused, interface.Refusal):
        _raise(context, call, refused)
    commit(context)
    return refused


#: The context key the call being served travels in, from the action to its validated body.
CALL_KEY = "govshare_interface_call"


def _logged(context: Context, data_dict: DataDict, method: str, body: Any) -> Any:
    """Access first, then ``body`` (validated by its schema); input its schema refuses is a
    recorded call too (409)."""
    call = _start(context, data_dict, method)
    _checked(context, data_dict, interface.AUDIT_ACTIONS[method], call)
    context[CALL_KEY] = call  # type: ignore[literal-required]
    try:
        return body(context, data_dict)
    except tk.ValidationError as error:
        if getattr(error, "refusal", None) is None:  # the schema's: not recorded yet
            interface.refuse(call, interface.Refusal(rules.INVALID, 409))
            commit(context)
        raise


@tk.side_effect_free
def govshare_data_query(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One page of a resource's table cut to the caller's grant (联机查询; 2025 Regulations
    art. 22, 25): only the granted columns and rows, counted against the grant's daily quota,
    logged (``govshare_api_call``).

    For a logged-in user whose department holds a live grant with share method ``api`` or
    ``online_query`` on the resource (the providing department's members and sysadmins read
    every column and row, with no quota). The route ``GET /govshare/query/<resource_id>``
    answers the same with a bearer token.

    :param resource_id: the resource (loaded into the DataStore)
    :param grant_id: the grant to call under (optional: the one ending last)
    :param fields: columns, comma-separated or a list (default: every granted column)
    :param filters: JSON object, column → value or list of values (granted columns only)
    :param q: text searched for (case-insensitive substring) in the granted columns
    :param sort: e.g. ``"col desc, col2"`` (granted columns only; default: the table's order)
    :param limit: rows (default 100, served at most ``ckanext.govshare.query.max_limit``)
    :param offset: rows to skip (with ``sort``), or
    :param cursor: the ``next`` of the previous page
    :returns: ``{"fields": [{"id", "type"}], "records": [...], "total", "next"}``; a column
        outside the grant is a 403 naming it, a used-up quota a 403 (429 on the route)
    """
    return _logged(context, data_dict, interface.METHOD_QUERY, _query)


@validate(schema.query_schema)
def _query(context: Context, data_dict: DataDict) -> dict[str, Any]:
    call: interface.Call = context[CALL_KEY]  # type: ignore[literal-required]
    return _serve(context, data_dict, call, lambda: interface.query(call, data_dict))


def govshare_data_verify(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Query and verify (查询核验; 2025 Regulations art. 22): whether a row of the granted
    rows matches ``match_on`` and holds the ``check`` values. Never a value of the data.

    For a logged-in user whose department holds a live grant for data verification
    (``purpose`` ``data_verification``, share method ``api`` or ``online_query``); the
    providing department's members and sysadmins verify against the whole table. The route
    ``POST /govshare/verify/<resource_id>`` answers the same with a bearer token.

    :param resource_id: the resource (loaded into the DataStore)
    :param grant_id: the grant to call under (optional)
    :param match_on: JSON object, column → value: the row looked for (granted columns)
    :param check: JSON object, column → value: what that row should hold (granted columns)
    :returns: ``{"found": bool, "match": bool, "mismatched": [column, ...]}``
    """
    return _logged(context, data_dict, interface.METHOD_VERIFY, _verify)


@validate(schema.verify_schema)
def _verify(context: Context, data_dict: DataDict) -> dict[str, Any]:
    call: interface.Call = context[CALL_KEY]  # type: ignore[literal-required]
    return _serve(
        context,
        data_dict,
        call,
        lambda: interface.verify(call, data_dict["match_on"], data_dict["check"]),
    )
