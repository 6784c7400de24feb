"""Grants: obtaining unconditional data (art. 12(1)), reading and revoking grants (art. 14).

Each action validates its input (``@validate``), checks access first in its body and calls one
function of ``access/grants.py`` (or ``access/present.py`` to read). Names follow docs/api.md,
"Conventions": a grant's holder is ``requesting_org`` (answers: ``requesting_org_id``), the
list's ``direction`` is ``outgoing``/``incoming``/``all``; the old names (``organization``,
``held``, ``provided``; answers' ``organization_id``, ``organization``, ``created_at``) work
for one more release.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...access import delivery, grants, present, requests
from ...access import use_change as use_changes
from ...core.membership import Person
from ...core.transaction import atomic
from ...core.vocabulary import renamed
from ...exchange import subscriptions
from ...interface import quota
from .. import loading
from ..schema import access as schema
from .access_request import check_on_entry, entry_as_seen
from .usage import check_revoke_filing, revoke_detail

__all__ = [
    "govshare_access_obtain",
    "govshare_grant_list",
    "govshare_grant_revoke",
    "govshare_grant_show",
]

#: Old answer keys of a grant (kept beside the new ones for one release).
_ANSWER_KEYS = present.GRANT_OLD_KEYS


@renamed(answer_keys=_ANSWER_KEYS)
@validate(schema.access_obtain_schema)
@atomic
def govshare_access_obtain(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Obtain an unconditionally shared entry at once: a grant, no human step (art. 12(1)).

    A department that already holds a live grant on the entry for the same purpose gets that
    grant back rather than a second one. Under the 2025 Regulations (art. 21) a new grant is
    an immediate answer: it comes with the request it answers (``request_id``: approved at
    once, due one working day after) and its data is delivered when it is made.

    :param package_id: the entry (id or name); it must be shared unconditionally
    :param requesting_org: the department obtaining it (one the user belongs to)
    :param purpose: administrative_basis | work_reference | data_verification |
        business_collaboration | other
    :param purpose_detail: what the data is for
    :param pledge: must be true: no onward transfer, no other use (art. 14)
    :returns: the grant (``id``, ``package_id``, ``requesting_org_id``, ``requesting_org``,
        ``purpose``, scope, ``period_start``/``period_end``, limits, ``status``)
    """
    check_on_entry(context, data_dict, "govshare_access_obtain", "govshare_access_obtain")
    entry = entry_as_seen(context, data_dict["package_id"])
    person = Person.of(context)
    org_id = requests.requesting_org(person, data_dict.get("requesting_org"), entry)
    grant = delivery.obtain(entry, person, org_id, data_dict)
    return present.grant_dict(grant)


@renamed(
    params={"organization": "requesting_org"},
    values={"direction": {"held": "outgoing", "provided": "incoming"}},
    answer_keys=_ANSWER_KEYS,
)
@tk.side_effect_free
@validate(schema.grant_list_schema)
def govshare_grant_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Grants held by the caller's departments (outgoing), and grants on the entries they
    provide (incoming) (art. 14: who may use what, for which purpose).

    The sharing authority and sysadmins see every grant.

    :param direction: outgoing | incoming | all (default all); old values held, provided
    :param status: active | expired | revoked, or a list (optional)
    :param package_id: only grants on this entry (optional)
    :param requesting_org: only grants held by this department (optional; old name
        ``organization``)
    :param provider_org: only grants on this department's entries (optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: grants to skip
    :returns: ``{"count", "results", "limit", "offset"}``, newest first
    """
    tk.check_access("govshare_grant_list", context, data_dict)
    return grants.list_grants(Person.of(context), data_dict)


def _load_grant(context: Context, data_dict: DataDict, auth: str) -> dict[str, Any]:
    """Check access (recording a refusal against the grant's provider), then the grant."""
    return loading.load_checked(
        auth,
        context,
        data_dict,
        load=grants.load_grant,
        object_type="grant",
        department=lambda grant: grant["provider_org_id"],
        not_found=grants.NO_SUCH_GRANT,
    )


@renamed(answer_keys=_ANSWER_KEYS)
@tk.side_effect_free
@validate(schema.request_id_schema)
def govshare_grant_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One grant: holder, entry, purpose, scope (``resource_ids``, ``data_items``,
    ``row_filter``), period, limits (``max_downloads``, ``max_calls_per_day``), status
    (art. 14). A grant served by the service interface (share method ``api`` or
    ``online_query``) also answers its ``usage``: ``{"max_calls_per_day", "today",
    "this_month"}``, the calls counted today and this (local) month (issue 16, item 9).

    :param id: the grant's id
    """
    grant = present.grant_dict(_load_grant(context, data_dict, "govshare_grant_show"))
    if grants.serves_interface(grant):
        grant["usage"] = quota.usage(grant["id"])
    # 2025 art. 25: the use changes asked on it (those who see the grant see them)
    grant["use_changes"] = use_changes.of_grant(grant["id"])
    return grant


@renamed(answer_keys=_ANSWER_KEYS)
@validate(schema.grant_revoke_schema)
@atomic
def govshare_grant_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """End a grant before its time (a provider's data officer or the sharing authority;
    art. 14: use beyond the purpose ends access).

    Every token issued from it stops working (issue 6), and every batch exchange
    subscription under it stops (issue 17, item 3), in the same transaction.

    :param id: the grant
    :param reason: why (required; the holder is told)
    :param filing_id: under regulation-2025, a provider's data officer names the service
        filing covering the grant (2025 art. 27; ``govshare_service_filing_create``) ...
    :param misuse: ... unless the holder misused the data (true; the default false); the
        sharing authority needs neither
    """
    grant = _load_grant(context, data_dict, "govshare_grant_revoke")
    person = Person.of(context)
    check_revoke_filing(person, grant, data_dict)
    updated = grants.revoke(
        data_dict["id"], person, data_dict["reason"], detail=revoke_detail(data_dict)
    )
    subscriptions.stop_for_grant(updated["id"], "grant_revoked", person=person)
    return present.grant_dict(updated)
