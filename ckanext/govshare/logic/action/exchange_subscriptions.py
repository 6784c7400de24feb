"""Batch exchange subscriptions (批量交换, 2025 Regulations art. 22; 前置机, 2016 Measures
art. 12; issue 17, item 2): a live grant's resource delivered to the holder's exchange target
on a schedule, ``full`` or ``incremental``.

Each action validates its input (``@validate``), checks access first in its body (a refusal
recorded against the object's department, ``logic/loading.py``) and calls one function of
``exchange/subscriptions.py`` (``exchange/jobs.py`` to queue a run). The API name of the
target's table or file is ``table``.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...access import grants
from ...core.membership import Person
from ...core.transaction import atomic
from ...exchange import jobs, subscriptions
from .. import loading
from ..schema import exchange_subscriptions as schema

__all__ = [
    "govshare_subscription_create",
    "govshare_subscription_delete",
    "govshare_subscription_list",
    "govshare_subscription_run",
    "govshare_subscription_show",
    "govshare_subscription_update",
]


def _load(context: Context, data_dict: DataDict, auth: str, *, lock: bool = False) -> dict:
    """Check access (a refusal recorded against the holder), then the subscription."""
    return loading.load_checked(
        auth,
        context,
        data_dict,
        load=subscriptions.load,
        object_type="exchange_subscription",
        department=lambda row: row["organization_id"],
        not_found=subscriptions.NO_SUCH_SUBSCRIPTION,
        lock=lock,
    )


def _answer(row: dict[str, Any]) -> dict[str, Any]:
    """The subscription with its last finished run and its recent runs."""
    return {**subscriptions.present(row), **subscriptions.run_history(row["id"])}


@validate(schema.subscription_create_schema)
@atomic
def govshare_subscription_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Subscribe a resource of a live grant to one of the holder department's exchange
    targets (art. 22). The holder's data officers (or a sysadmin).

    The grant must be live, one of its share methods ``exchange_node``, ``database`` or
    ``bulk_download``; the resource in its scope now and in the DataStore; the target the
    holder's; the table free on it; ``incremental`` needs the entry's ``key_item`` and
    ``watermark_item`` among the granted columns. Each refusal is a 409 on its field.

    :param grant_id: the grant
    :param resource_id: one of the grant's resources
    :param target_id: an exchange target of the holder department
    :param table: the table (PostgreSQL target) or file (directory target) name: lowercase
        letters, digits, underscores; at most 63 characters
    :param mode: full (default) | incremental
    :param schedule: ``{"kind": "daily", "at": "HH:MM"}`` (local time) or
        ``{"kind": "hourly", "every": N}`` (1 to 168), or its JSON text
    :returns: the subscription (``id``, ``requesting_org_id``, ``provider_org_id``, ``table``,
        ``mode``, ``schedule``, ``status``, ``next_run_at``, ``created``…)
    """
    loading.load_checked(
        "govshare_subscription_create",
        context,
        data_dict,
        load=grants.load_grant,
        object_type="grant",
        department=lambda grant: grant["organization_id"],
        not_found=grants.NO_SUCH_GRANT,
        key="grant_id",
    )
    row = subscriptions.create(Person.of(context), data_dict)
    return subscriptions.present(row)


@tk.side_effect_free
@validate(schema.subscription_id_schema)
def govshare_subscription_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One subscription: grant, resource, the receiving (``requesting_org_id``) and providing
    (``provider_org_id``) departments, target (name, ``dsn_display`` — never the connection
    string; only for the receiving department's data officers and sysadmins, who alone see
    its targets: others get the target's ``kind`` and a failed run's reason left out),
    ``table``, ``mode``, ``schedule``, ``status`` and ``stop_reason`` (with their
    labels), ``stopped_at``, ``watermark``, ``next_run_at``, ``created``, ``modified``;
    ``last_run`` (``started``, ``finished``, ``outcome`` success | failed, ``rows``,
    ``sha256``, ``bytes``, ``error``) or null; ``runs``, the 20 most recent (``queued``,
    ``started``, ``finished``…). The holder's and the provider's data officers,
    the sharing authority and sysadmins.

    :param id: the subscription
    """
    row = _load(context, data_dict, "govshare_subscription_show")
    return subscriptions.for_viewer(_answer(row), Person.of(context))


@tk.side_effect_free
@validate(schema.subscription_list_schema)
def govshare_subscription_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The subscriptions the caller sees (their departments' as data officer; every one for
    the sharing authority and sysadmins), newest first.

    :param direction: outgoing (what the caller's departments receive) | incoming (what they
        give, as provider) | all (default)
    :param requesting_org: only those this department receives (id or name; optional)
    :param provider_org: only those of this providing department's data (optional)
    :param grant_id: only this grant's (optional)
    :param status: active | stopped (optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: subscriptions to skip
    :returns: ``{"count", "results", "limit", "offset"}``
    """
    tk.check_access("govshare_subscription_list", context, data_dict)
    person = Person.of(context)
    page = subscriptions.list_subscriptions(person, data_dict)
    page["results"] = [subscriptions.for_viewer(r, person) for r in page["results"]]
    return page


@validate(schema.subscription_update_schema)
@atomic
def govshare_subscription_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a subscription, stop it or resume it. The holder's data officers (or a
    sysadmin). A new table, target or mode starts the target's copy afresh (the watermark is
    cleared); a new schedule or a resume sets the next run from now.

    :param id: the subscription
    :param schedule: as for create (optional)
    :param mode: full | incremental (optional)
    :param table: a new table or file name (optional)
    :param target_id: another target of the holder (optional)
    :param status: stopped (stop it) | active (resume a stopped one: only while its grant is
        live and the resource in its scope) (optional)
    """
    row = _load(context, data_dict, "govshare_subscription_update", lock=True)
    updated = subscriptions.update(Person.of(context), row, data_dict)
    return subscriptions.present(updated)


@validate(schema.subscription_id_schema)
@atomic
def govshare_subscription_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Delete a subscription; its runs are kept (the yearly report counts them). The holder's
    data officers (or a sysadmin); refused while a run is queued or running.

    :param id: the subscription
    :returns: ``{"id", "deleted": true}``
    """
    row = _load(context, data_dict, "govshare_subscription_delete", lock=True)
    subscriptions.delete(Person.of(context), row)
    return {"id": row["id"], "deleted": True}


@validate(schema.subscription_id_schema)
@atomic
def govshare_subscription_run(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Queue a run of the subscription now (CKAN's jobs queue). The holder's data officers
    (or a sysadmin). A stopped subscription, or one with a run queued or running: 409.

    :param id: the subscription
    :returns: the queued run
    """
    row = _load(context, data_dict, "govshare_subscription_run")
    person = Person.of(context)
    return jobs.queue(row["id"], trigger="manual", requested_by=person.id)
