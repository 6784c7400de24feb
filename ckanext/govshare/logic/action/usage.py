"""Actions: Usage records (2025 art. 29), disposal (art. 27) and service filings (art. 27).

Each action validates its input (``@validate``), checks access first (a refusal is recorded,
``logic.loading``), then asks whether the profile in force has the rule (409 naming the
profile when not), and calls one function of ``usage/service.py``, which writes in the
action's one transaction with the audit event and the notices.

There is no action to update or delete a usage record (art. 29: kept at least three years,
then archived by ``ckan govshare usage archive``, never deleted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ... import profiles
from ...access import grants, present
from ...audit import who
from ...core.membership import Person
from ...core.transaction import atomic
from ...usage import rules, service
from .. import loading
from ..schema import usage as schema

__all__ = [
    "govshare_grant_dispose",
    "govshare_service_filing_create",
    "govshare_service_filing_list",
    "govshare_service_filing_show",
    "govshare_usage_record_create",
    "govshare_usage_record_list",
]


def _grant(
    context: Context, data_dict: DataDict, auth: str, key: str, *, lock: bool = False
) -> dict[str, Any]:
    """The grant named by ``key`` once the caller may act on it (a refusal recorded against
    the holding department, whose records they are)."""
    return loading.load_checked(
        auth,
        context,
        data_dict,
        load=grants.load_grant,
        object_type="grant",
        department=lambda grant: grant["organization_id"],
        not_found=grants.NO_SUCH_GRANT,
        key=key,
        lock=lock,
    )


@validate(schema.usage_record_create_schema)
@atomic
def govshare_usage_record_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record how the holding department uses a grant's data (2025 art. 29: scenario,
    process, results, storage and destruction), kept at least ``usage_retention_years``
    years (``retain_until``). A member of the holding department; scenario, process and
    results while the grant is live, storage and destruction also after it ended.

    :param grant_id: the grant
    :param kind: scenario | process | results | storage | destruction
    :param description: what was done (at most 4000 characters)
    :returns: the record (``id``, ``grant_id``, ``requesting_org_id``, ``kind``,
        ``kind_label``, ``description``, ``recorded_by``, ``created``, ``retain_until``,
        ``archived``)
    """
    grant = _grant(context, data_dict, "govshare_usage_record_create", "grant_id", lock=True)
    service.require("usage_records")
    row = service.record(grant, Person.of(context), data_dict["kind"], data_dict["description"])
    return service.record_dicts([row])[0]


@tk.side_effect_free
@validate(schema.usage_record_list_schema)
def govshare_usage_record_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A grant's usage records, newest first (2025 art. 29: the authority and the provider
    may read them): the holding department, the provider's data officers, the sharing
    authority and sysadmins — nobody else. Archived records are listed too
    (``archived: true``).

    :param grant_id: the grant
    :param kind: one kind or a list (optional)
    :param archived: true | false (optional: both)
    :param limit: page size (default 50, at most 1000)
    :param offset: records to skip
    :returns: ``{"count", "results", "limit", "offset"}``
    """
    grant = _grant(context, data_dict, "govshare_usage_record_list", "grant_id")
    service.require("usage_records")
    return service.list_records(grant, data_dict)


@validate(schema.grant_dispose_schema)
@atomic
def govshare_grant_dispose(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record the disposal of an ended grant's data (2025 art. 27: the holder disposes of it
    as the provider requires, by ``disposal_due``). A data officer of the holding department,
    once the grant expired, was revoked or terminated: sets ``disposed_at``/``disposed_by``/
    ``disposal_note`` and adds a usage record of kind ``destruction``, in one transaction.

    :param id: the grant
    :param method: deleted | returned | archived_per_law | other
    :param description: what was done with the data (at most 4000 characters)
    :returns: the grant, with ``usage_record`` (the destruction record) and
        ``disposal_method``
    """
    grant = _grant(context, data_dict, "govshare_grant_dispose", "id", lock=True)
    service.require("disposal")
    updated, row = service.dispose(
        grant, Person.of(context), data_dict["method"], data_dict["description"]
    )
    answer = present.grant_dict(updated)
    answer["usage_record"] = service.record_dicts([row])[0]
    answer["disposal_method"] = data_dict["method"]
    answer["disposal_method_label"] = rules.label(rules.DISPOSAL_METHODS, data_dict["method"])
    return answer


def _entry(context: Context, data_dict: DataDict, auth: str) -> dict[str, Any]:
    """Check access (a refusal recorded against the entry), then the entry as the caller
    sees it."""
    package_id = data_dict["package_id"]
    with who.recording_refusals(auth, context, object_type="package", object_id=package_id):
        tk.check_access(auth, context, data_dict)
    return tk.get_action("package_show")(
        {"user": context.get("user", ""), "ignore_auth": context.get("ignore_auth", False)},
        {"id": package_id},
    )


@validate(schema.filing_create_schema)
@atomic
def govshare_service_filing_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """File the end or a change of a sharing service with the sharing authority (2025
    art. 27: a provider ends or changes a service only for good reason, after consulting the
    holders, and files it). A data officer of the providing department; the authority and
    the holders of the grants it names are told.

    :param package_id: the entry (id or name)
    :param kind: end | change
    :param description: what ends or changes, and why (at most 4000 characters)
    :param consultation: how the holders were consulted and what they said (required)
    :param effective_date: from when (YYYY-MM-DD, today or later)
    :param grant_ids: the entry's current grants it concerns (optional; default: all of
        them, live or suspended)
    :returns: the filing
    """
    entry = _entry(context, data_dict, "govshare_service_filing_create")
    service.require("service_filing")
    person = Person.of(context)
    return service.filing_dict(person, service.file_service(entry, person, data_dict))


@tk.side_effect_free
@validate(schema.filing_list_schema)
def govshare_service_filing_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Service filings, newest first (2025 art. 27): the sharing authority and sysadmins see
    every filing, a provider's data officers their department's, a holding department those
    naming its grants (and of those grants only its own).

    :param provider_org: only this department's filings (optional)
    :param package_id: only filings about this entry (optional)
    :param kind: end | change, or a list (optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: filings to skip
    :returns: ``{"count", "results", "limit", "offset"}``
    """
    tk.check_access("govshare_service_filing_list", context, data_dict)
    service.require("service_filing")
    return service.list_filings(Person.of(context), data_dict)


@tk.side_effect_free
@validate(schema.filing_id_schema)
def govshare_service_filing_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One service filing, to those who may see it (as ``govshare_service_filing_list``).

    :param id: the filing
    """
    filing = loading.load_checked(
        "govshare_service_filing_show",
        context,
        data_dict,
        load=service.load_filing,
        object_type="service_filing",
        department=lambda found: found["provider_org_id"],
        not_found=service.NO_SUCH_FILING,
    )
    service.require("service_filing")
    return service.filing_dict(Person.of(context), filing)


def check_revoke_filing(person: Person, grant: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """``govshare_grant_revoke`` under the ``service_filing`` rule (2025 art. 27): a
    provider's data officer ends a grant only with a service filing covering it
    (``filing_id``), unless the holder misused the data (``misuse``); the authority and
    sysadmins need none. A 409 on ``filing_id`` otherwise."""
    if not profiles.on("service_filing") or data.get("misuse"):
        return
    if person.sysadmin or person.authority:
        return
    if grant.get("provider_org_id") not in person.officer_of:
        return
    problem = service.filing_problem(data.get("filing_id"), grant)
    if problem:
        raise tk.ValidationError({"filing_id": [problem]})


def revoke_detail(data: Mapping[str, Any]) -> dict[str, Any]:
    """What ``govshare_grant_revoke`` adds to its audit event under the ``service_filing``
    rule: the filing named and whether it was for misuse."""
    if not profiles.on("service_filing"):
        return {}
    return {"filing_id": data.get("filing_id"), "misuse": bool(data.get("misuse"))}
