"""Stored activities: every copy of an entry they keep is judged when it is read.

CKAN keeps, in each activity about an entry, the whole entry as it was, links included
(issue 14, item 1: an entry created open and restricted later handed its old link out through
every activity list, and the resource history page rendered the stored copy as it was). Two
choke points see every read, so that no page or action, today's or a future CKAN's, reads a
stored copy unjudged:

- the ORM: when an ``Activity`` is loaded (or reloaded) from the database, its ``data`` becomes
  the copy as the request's user may see it; the stored one is kept aside on the object. Code
  that reads ``activity.data`` itself (the resource history page, the text of ``activity_diff``)
  reads no more than the user may see; outside a request it reads the public's view. Objects
  are reloaded at the start of each request and after each write, so a view never outlives the
  user or the state it was made for.
- ckanext-activity's dictization (``activity_dictize``), which every action handing out
  activities goes through (the lists of packages, organizations, groups and users, the
  dashboard, ``recently_changed_packages_activity_list``, ``activity_show``,
  ``activity_data_show``, ``activity_diff``): the stored copy is shown to the *action's* user.

The decision itself is ``policy.show_activity_data``, on the entry as it is now.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import flask
import sqlalchemy as sa
from ckan import model
from sqlalchemy import event, orm
from sqlalchemy.orm.attributes import set_committed_value

from . import hooks, policy
from .policy import Viewer

_STORED = "_govshare_stored_data"  # the data as stored, on the Activity object
_SHOWN = "_govshare_shown_data"  # the view put in its place
_VIEWS = "_govshare_views"  # views already made of it, by viewer (until it is reloaded)
# In ``session.info``: the session's activities that may hold data in memory (a view, or the
# data they were created or assigned with) since its last reload; see ``reload_all``.
_HELD = "govshare_activities_held"


def _entry_of(activity_type: str | None, object_id: Any, data: Mapping[str, Any]) -> str | None:
    """The entry an activity keeps a copy of or is about, if any."""
    copy = data.get("package")
    if isinstance(copy, Mapping):
        return str(copy.get("id") or object_id or "") or None
    kind = activity_type or ""
    if "resource view" in kind:
        return str(data.get("package_id") or object_id or "") or None
    if "package" in kind or "dataset" in kind:
        return str(object_id or "") or None
    return None


def _view(activity: Any, viewer: Viewer) -> Any:
    """The activity's data as ``viewer`` may read it, made once per viewer while the object
    stays loaded (a dashboard header asks for the same activities on every page)."""
    views = activity.__dict__.setdefault(_VIEWS, {})
    if viewer not in views:
        views[viewer] = show(
            stored_data(activity), activity.activity_type, activity.object_id, viewer
        )
    return views[viewer]


def show(data: Any, activity_type: str | None, object_id: Any, viewer: Viewer) -> Any:
    """The activity's ``data`` as ``viewer`` may read it (a new dict; ``data`` is kept)."""
    if not isinstance(data, dict):
        return data
    entry_id = _entry_of(activity_type, object_id, data)
    if entry_id is None:
        return data
    now = hooks.entries_now([entry_id]).get(entry_id)
    grants = hooks.granted(viewer, [entry_id])
    return policy.show_activity_data(
        data,
        activity_type,
        now,
        viewer,
        grants.get(entry_id, False),
        restore=hooks._restorer(False),
        platform_url=hooks.platform_url,
    )


def stored_data(activity: Any) -> Any:
    """What the database holds in ``activity.data`` (the object may carry a view instead)."""
    state = sa.inspect(activity)
    data = state.dict.get("data")
    if data is not None and data is activity.__dict__.get(_SHOWN):
        return activity.__dict__.get(_STORED)
    return data


def _hold(activity: Any, session: Any = None) -> None:
    """Note that ``activity`` holds data in memory in its session (for ``reload_all``)."""
    session = session if session is not None else orm.object_session(activity)
    if session is not None:
        session.info.setdefault(_HELD, weakref.WeakSet()).add(activity)


def _judge(activity: Any, session: Any = None) -> None:
    _hold(activity, session)
    data = sa.inspect(activity).dict.get("data")
    if not isinstance(data, dict):
        return
    activity.__dict__[_STORED] = data
    activity.__dict__[_SHOWN] = data
    activity.__dict__[_VIEWS] = {}
    shown = _view(activity, hooks.current_viewer())
    activity.__dict__[_SHOWN] = shown
    set_committed_value(activity, "data", shown)


def _on_load(activity: Any, context: Any) -> None:
    _judge(activity, getattr(context, "session", None))


def _on_refresh(activity: Any, context: Any, attrs: Any) -> None:
    if attrs is None or "data" in attrs:
        _judge(activity, getattr(context, "session", None))


def reload_all(session: Any = None) -> None:
    """Forget the views of the activities a session holds: the next read judges them again
    (for the user of the request, on the state after a write).

    The activities are those noted since the last reload (loaded, refreshed, created or
    assigned ``data`` in the session), not the whole identity map: a harvest's session holds
    thousands of objects, and walking them all after every flush and commit was a fifth of
    an import (issue 20, item 4)."""
    session = session or model.Session()
    held = session.info.pop(_HELD, None)
    if not held:
        return
    for obj in list(held):
        state = orm.attributes.instance_state(obj)
        if state.persistent and state.session_id == session.hash_key:
            for key in (_STORED, _SHOWN, _VIEWS):
                obj.__dict__.pop(key, None)
            session.expire(obj, ["data"])


def _on_persistent(session: Any, obj: Any) -> None:
    """An activity written by (or merged into) the session holds the data it was made with
    (a pending one is noted here, once the flush that writes it makes it persistent)."""
    if _activity_class is not None and isinstance(obj, _activity_class):
        _hold(obj, session)


def _on_set(activity: Any, *_: Any) -> None:
    _hold(activity)


# ckanext-activity's ``Activity``, once ``install`` has found it.
_activity_class: type | None = None


def _after_write(session: Any, *_: Any) -> None:
    reload_all(session)


def _at_request_start(_app: Any, **_: Any) -> None:
    """Activities a session still holds were shown to someone else or before a change: the
    next read judges them for this request's user."""
    reload_all()


def _dictize_through(original: Any) -> Any:
    def activity_dictize(activity: Any, context: Any) -> dict[str, Any]:
        result = original(activity, context)
        result["data"] = _view(activity, hooks.viewer_from_context(context))
        return result

    activity_dictize.govshare_datalinks = True  # type: ignore[attr-defined]
    activity_dictize.__wrapped__ = original  # type: ignore[attr-defined]
    return activity_dictize


def install() -> bool:
    """Put both choke points in place (idempotent). ``False`` when ckanext-activity is not
    installed: then there are no stored activities to judge."""
    try:
        from ckanext.activity.model import activity as model_activity
    except ImportError:
        return False
    if not getattr(model_activity.activity_dictize, "govshare_datalinks", False):
        model_activity.activity_dictize = _dictize_through(model_activity.activity_dictize)
    global _activity_class
    Activity = _activity_class = model_activity.Activity
    if not event.contains(Activity, "load", _on_load):
        event.listen(Activity, "load", _on_load)
        event.listen(Activity, "refresh", _on_refresh)
        event.listen(Activity.data, "set", _on_set)
        event.listen(orm.Session, "pending_to_persistent", _on_persistent)
        event.listen(orm.Session, "detached_to_persistent", _on_persistent)
        for name in ("after_flush_postexec", "after_commit", "after_soft_rollback"):
            event.listen(orm.Session, name, _after_write)
    flask.request_started.connect(_at_request_start, weak=False)  # once: keyed by receiver
    return True


def installed() -> bool:
    """Whether every read of a stored activity goes through the policy (tested on each CKAN
    version: a future ckanext-activity that renames what is wrapped here fails the test)."""
    try:
        from ckanext.activity.model import activity as model_activity
    except ImportError:
        return False
    return bool(
        getattr(model_activity.activity_dictize, "govshare_datalinks", False)
        and event.contains(model_activity.Activity, "load", _on_load)
    )
