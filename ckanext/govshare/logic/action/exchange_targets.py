"""Exchange targets (前置机, 2016 Measures art. 12; batch exchange, 2025 Regulations art. 22;
issue 17, item 1): where a department's subscriptions deliver, a PostgreSQL database or a
directory under ``ckanext.govshare.exchange.root``.

Each action validates its input, checks access first (the department's data officers and
sysadmins) and calls one function of ``exchange/targets.py``. Saving a target tests it. An
answer never holds the connection string or its password: ``dsn_display``, ``kind``, ``path``
and the last test (``last_test_at``, ``last_test_ok``, ``last_test_error``) say where it
delivers; ``organization_id`` is the department owning the target.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ...core.membership import Person
from ...core.transaction import atomic
from ...exchange import targets
from .. import loading
from ..schema import exchange_targets as schema

__all__ = [
    "govshare_exchange_target_create",
    "govshare_exchange_target_delete",
    "govshare_exchange_target_list",
    "govshare_exchange_target_show",
    "govshare_exchange_target_update",
]


def _load(context: Context, data_dict: DataDict, auth: str, lock: bool = False) -> dict[str, Any]:
    """Check access (a refusal recorded against the target's department), then the target."""
    return loading.load_checked(
        auth,
        context,
        data_dict,
        load=targets.load_target,
        object_type=targets.OBJECT_TYPE,
        department=lambda target: target["organization_id"],
        not_found=targets.NO_SUCH_TARGET,
        lock=lock,
    )


@validate(schema.exchange_target_create_schema)
@atomic
def govshare_exchange_target_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Register an exchange target for a department, tested before it is saved (2016 Measures
    art. 12: the front-end exchange machine).

    :param organization: the department (id or name); the caller is one of its data officers
    :param name: unique within the department (at most 100 characters)
    :param kind: ``postgresql`` or ``directory``
    :param dsn: for ``postgresql``: ``postgresql://user:password@host:5432/db`` or libpq
        ``key=value`` pairs; stored encrypted, never shown back; its user must be able to create
        tables in its schema
    :param path: for ``directory``: relative to ``ckanext.govshare.exchange.root``, never
        outside it; made if missing
    :param description: optional
    :returns: the target (``id``, ``organization_id``, ``name``, ``kind``, ``dsn_display``,
        ``path``, ``description``, ``last_test_at``, ``last_test_ok``, ``last_test_error``,
        ``created``, ``modified``); a failing test is a 409 on ``dsn``/``path``
    """
    loading.check("govshare_exchange_target_create", context, data_dict)
    org_id = targets.organization_id(data_dict["organization"])
    return targets.create(Person.of(context), org_id, data_dict)


@tk.side_effect_free
@validate(schema.exchange_target_id_schema)
def govshare_exchange_target_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One exchange target, without its connection string (``dsn_display`` instead).

    :param id: the target's id
    """
    return targets.present(_load(context, data_dict, "govshare_exchange_target_show"))


@tk.side_effect_free
@validate(schema.exchange_target_list_schema)
def govshare_exchange_target_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The exchange targets of a department, or of every department the caller is a data
    officer of (every target for a sysadmin).

    :param organization: the department (id or name; optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: targets to skip
    :returns: ``{"count", "results", "limit", "offset"}``, by department and name
    """
    tk.check_access("govshare_exchange_target_list", context, data_dict)
    org = data_dict.get("organization")
    org_id = targets.organization_id(org) if org else None
    return targets.list_targets(Person.of(context), org_id, data_dict)


@validate(schema.exchange_target_update_schema)
@atomic
def govshare_exchange_target_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a target and test it again (its kind stays).

    :param id: the target's id
    :param name: optional
    :param dsn: optional: omitted or empty keeps the stored connection string
    :param path: optional: omitted keeps the stored path
    :param description: optional
    :returns: the target, as ``govshare_exchange_target_show``
    """
    _load(context, data_dict, "govshare_exchange_target_update")
    return targets.update(Person.of(context), data_dict["id"], data_dict)


@validate(schema.exchange_target_id_schema)
@atomic
def govshare_exchange_target_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Delete a target; one a subscription still uses is a 409 naming the subscriptions.

    :param id: the target's id
    :returns: the deleted target
    """
    _load(context, data_dict, "govshare_exchange_target_delete")
    return targets.delete(Person.of(context), data_dict["id"])
