"""Audit-trail actions: reading the trail (``govshare_audit_list``, ``govshare_audit_export``),
and a frame around every state-changing CKAN action so that the trail names the action, its
user and what it changed (issue 14 item 5)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Action, Context, DataDict

from ...access import entries_of, workflow
from ...audit import changes, present, trail, who
from ...core.vocabulary import renamed, with_old_keys
from .. import loading
from ..schema.audit import audit_export_schema, audit_list_schema


def _acting(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Run the action with its user as the actor of the events its flush records."""
    with who.acting_as(context):
        return up_func(context, data_dict)


# API tokens are recorded by a session listener in the flush that writes them (the actions
# commit inside themselves); these only tell it who acts.
api_token_create = tk.chained_action(_acting)
api_token_revoke = tk.chained_action(_acting)


def _framed(name: str) -> Any:
    def action(up_func: Action, context: Context, data_dict: DataDict) -> Any:
        with changes.frame(name, context):
            return up_func(context, data_dict)

    action.__name__ = name
    action.__doc__ = f"CKAN's ``{name}``, its changes recorded in the audit trail (``changes``)."
    return tk.chained_action(action)


#: Every state-changing CKAN action, chained by name (a new one in a later CKAN included).
FRAMED = changes.core_state_changes()
globals().update({name: _framed(name) for name in FRAMED})

__all__ = [
    "api_token_create",
    "api_token_revoke",
    "govshare_audit_export",
    "govshare_audit_list",
    *FRAMED,
]


#: Answer keys of an earlier version (old -> new), kept for one more release; they are also the
#: names the events' hash covers (``audit/chain.py``).
OLD_KEYS = {old: new for old, new in trail.API_NAMES.items()}
#: ``department`` matched either side; no one new name means that.
EITHER_SIDE = {"department": "actor_org or object_org"}


#: What the trail's reading needs from the access domain (``audit.present.Reading``).
READING = present.Reading(
    states=workflow.STATE_LABELS,
    entries_of={"access_request": entries_of.requests, "grant": entries_of.grants},
)


def _language(data_dict: DataDict) -> str:
    """The language of the CSV's reading columns: asked for, else the site's."""
    asked = data_dict.get("language") or tk.config.get("ckan.locale_default") or "en"
    return "zh_Hans_CN" if str(asked).startswith("zh") else "en"


def _reader(action: str, context: Context, data_dict: DataDict) -> trail.Reader:
    """Who reads, once the auth function let them (a refusal is recorded, issue 4)."""
    loading.check(action, context, data_dict, object_type="audit_trail")
    return trail.Reader.of(context.get("user"))


@renamed(kept=EITHER_SIDE, answer_keys=OLD_KEYS)
@tk.side_effect_free
@validate(audit_list_schema)
def govshare_audit_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Audit events, newest first, that the caller may see (docs/audit.md; issue 14 item 7).

    The sharing authority and sysadmins see every event; a data officer sees events on their
    departments' objects and events acted for their departments when they happened; a member
    of the joint conference those of the joint conference; events of the platform's own user
    only the authority and sysadmins; others nothing (``NotAuthorized``).

    :param actor: user name or id of who acted (optional)
    :param actor_org: organization name or id acted for (optional)
    :param object_org: organization name or id owning the object (optional)
    :param department: either of the two (deprecated: use ``actor_org`` or ``object_org``)
    :param object_id: the object's id (optional)
    :param action: the action, e.g. ``package_update`` (optional)
    :param since: ISO 8601 date or time, inclusive (optional)
    :param until: ISO 8601 date or time, exclusive (optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: events to skip (default 0)
    :returns: ``{"count": total matching, "results": [events], "limit": …, "offset": …}``; an
        event has ``seq``, ``created``, ``actor_id``, ``actor_name``, ``actor_org_id``,
        ``action``, ``object_type``, ``object_id``, ``object_org_id``, ``outcome``,
        ``detail``, ``client_address``, ``request_id``, ``prev_hash``, ``hash`` (and until
        0.3.0 ``time``, ``actor_department``, ``object_department``: the hashed names);
        and for reading (issue 19 item 5; not hashed): ``created_local`` (the platform's time
        zone, ``ckanext.govshare.timezone``), ``action_label``, ``actor_display_name`` (full
        name; the platform's own events "Platform"), ``actor_org_title``, ``object_label``,
        ``object_title``, ``object_url`` (the page showing the object, when there is one),
        ``object_org_title`` and ``summary`` (labels as ``{"en", "zh_Hans_CN"}``)
    """
    reader = _reader("govshare_audit_list", context, data_dict)
    answer = trail.page(reader, data_dict, limit=data_dict["limit"], offset=data_dict["offset"])
    shown = present.present(answer["results"], READING)
    return {
        "count": answer["count"],
        "results": [
            {**with_old_keys(e, OLD_KEYS), **extra}
            for e, extra in zip(answer["results"], shown, strict=True)
        ],
        "limit": data_dict["limit"],
        "offset": data_dict["offset"],
    }


@renamed(kept=EITHER_SIDE)
@tk.side_effect_free
@validate(audit_export_schema)
def govshare_audit_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Every event the caller may see under the filters of ``govshare_audit_list``, as the CSV
    file the audit page downloads: the hashed fields and the chain's links, so that a copy
    can be checked outside the platform (docs/audit.md).

    :param language: ``en`` or ``zh_Hans_CN``: the language of the reading columns (optional;
        default the site's, ``ckan.locale_default``)
    :returns: ``{"filename", "mimetype": "text/csv", "content"}`` (UTF-8 text with a BOM).
        The first columns are for reading, not hashed: local time, user (full name), the
        department acted for, event, object, its department, outcome, summary
        (``audit.present.CSV_HEADERS``); then the hashed fields under their hashed names
        (``seq`` … ``request_id``, ``chain.FIELDS``) and the links ``prev_hash``, ``hash``:
        the chain is verified on those alone
    """
    reader = _reader("govshare_audit_export", context, data_dict)
    language = _language(data_dict)

    def reading(events: list[dict[str, Any]]) -> list[list[str]]:
        return present.csv_rows(events, READING, language)

    return trail.export_csv(reader, data_dict, (present.CSV_HEADERS[language], reading))
