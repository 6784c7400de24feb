"""Audit-trail actions: ``govshare_audit_list``, and a frame around every state-changing CKAN
action so that the trail names the action, its user and what it changed (issue 14 item 5)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ...audit import chain, changes, who
from ...audit.model import event_table
from ..auth.audit import authority_member, conference_member, officer_departments
from ..schema.audit import audit_list_schema


def _acting(up_func: Any, context: Any, data_dict: Any) -> Any:
    """Run the action with its user as the actor of the events its flush records."""
    with who.acting_as(context):
        return up_func(context, data_dict)


# API tokens are recorded by a session listener in the flush that writes them (the actions
# commit inside themselves); these only tell it who acts.
api_token_create = tk.chained_action(_acting)
api_token_revoke = tk.chained_action(_acting)


def _framed(name: str) -> Any:
    def action(up_func: Any, context: Any, data_dict: Any) -> Any:
        with changes.frame(name, context):
            return up_func(context, data_dict)

    action.__name__ = name
    action.__doc__ = f"CKAN's ``{name}``, its changes recorded in the audit trail (``changes``)."
    return tk.chained_action(action)


#: Every state-changing CKAN action, chained by name (a new one in a later CKAN included).
FRAMED = changes.core_state_changes()
globals().update({name: _framed(name) for name in FRAMED})

__all__ = ["api_token_create", "api_token_revoke", "govshare_audit_list", *FRAMED]


def _site_user() -> tuple[str | None, str]:
    """The platform's own user (``ckan.site_id``): (id, name)."""
    name = tk.config.get("ckan.site_id") or ""
    user = model.User.get(name) if name else None
    return (user.id if user else None), name


def _visible(user_id: str | None, sysadmin: bool) -> sa.ColumnElement[bool] | None:
    """The events the user may see: ``None`` means all of them (issue 14 item 7).

    The sharing authority and sysadmins see every event. A data officer sees the events on
    objects of their departments and the events acted for their departments *as recorded when
    they happened* (``actor_department``), not by who belongs to the department today; a
    member of the joint conference sees those of the joint conference. The platform's own
    user acts for every department (it is admin of each): its events are the authority's and
    the sysadmins' only.
    """
    if sysadmin or authority_member(user_id):
        return None
    departments = list(officer_departments(user_id))
    conference = conference_member(user_id)
    if conference:
        departments.append(conference)
    c = event_table.c
    site_id, site_name = _site_user()
    not_site = sa.and_(
        sa.or_(c.actor_id.is_(None), c.actor_id != (site_id or "")),
        sa.or_(c.actor_name.is_(None), c.actor_name != site_name),
    )
    return sa.and_(
        sa.or_(c.object_department.in_(departments), c.actor_department.in_(departments)),
        not_site,
    )


def _as_dict(row: Any) -> dict[str, Any]:
    event = dict(row._mapping)
    event["time"] = chain.format_time(event["time"])
    return event


@tk.side_effect_free
def govshare_audit_list(context: Any, data_dict: Any) -> dict[str, Any]:
    """Audit events, newest first, that the caller may see.

    The sharing authority and sysadmins see every event; a data officer sees events on their
    departments' objects and events acted for their departments when they happened; a member
    of the joint conference those of the joint conference; events of the platform's own user
    only the authority and sysadmins; others nothing (``NotAuthorized``).

    :param actor: user name or id of who acted (optional)
    :param department: organization name or id acted for or owning the object (optional)
    :param object_id: the object's id (optional)
    :param action: the action, e.g. ``package_update`` (optional)
    :param since: ISO 8601 date or time, inclusive (optional)
    :param until: ISO 8601 date or time, exclusive (optional)
    :param limit: page size (default 50, at most 1000)
    :param offset: events to skip (default 0)
    :returns: ``{"count": total matching, "results": [events], "limit": …, "offset": …}``
    """
    with who.recording_refusals("govshare_audit_list", context, object_type="audit_trail"):
        tk.check_access("govshare_audit_list", context, data_dict)
    data, errors = tk.navl_validate(dict(data_dict), audit_list_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    user = model.User.get(context.get("user"))
    c = event_table.c
    conditions = []
    visible = _visible(user.id if user else None, bool(user and user.sysadmin))
    if visible is not None:
        conditions.append(visible)
    if data.get("actor"):
        found = model.User.get(data["actor"])
        conditions.append(
            sa.or_(
                c.actor_id == (found.id if found else data["actor"]), c.actor_name == data["actor"]
            )
        )
    if data.get("department"):
        org = model.Group.get(data["department"])
        org_id = org.id if org else data["department"]
        conditions.append(sa.or_(c.object_department == org_id, c.actor_department == org_id))
    if data.get("object_id"):
        conditions.append(c.object_id == data["object_id"])
    if data.get("action"):
        conditions.append(c.action == data["action"])
    if data.get("since"):
        conditions.append(c.time >= data["since"])
    if data.get("until"):
        conditions.append(c.time < data["until"])
    where = sa.and_(sa.true(), *conditions)
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(event_table).where(where)
    ).scalar()
    rows = model.Session.execute(
        sa.select(event_table)
        .where(where)
        .order_by(c.seq.desc())
        .limit(data["limit"])
        .offset(data["offset"])
    ).all()
    return {
        "count": count,
        "results": [_as_dict(r) for r in rows],
        "limit": data["limit"],
        "offset": data["offset"],
    }
