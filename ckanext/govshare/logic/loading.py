"""Load the object, check access, record the refusal: written once for every action (issue 15).

A govshare action that works on one object (a request, a grant, a token, feedback, an
obligation) looks it up by the id it was given *before* checking access, so that a refusal
is recorded in the audit trail against the object's department (``audit.who``: the
department's officers and the authority see who tried); then it checks access, and only then
says that the object does not exist, so a caller without access learns nothing of it.

This lives in the action layer, not in ``core/``: checking access is CKAN's action machinery
(``tk.check_access``) and recording a refusal writes the audit trail (a domain), which core
may not import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ..audit import who
from .guard import lookup_key

__all__ = ["check", "load_checked"]

Row = dict[str, Any]


class Loader(Protocol):
    """``load(object_id, for_update=...)``: each domain names the id its own way (positional)."""

    def __call__(self, object_id: str, /, *, for_update: bool = ...) -> Row | None: ...


def check(
    auth: str,
    context: Context,
    data_dict: DataDict,
    *,
    refusal: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    department: str | None = None,
) -> None:
    """``tk.check_access(auth, ...)``; a refusal is recorded as ``refusal`` (by default the
    auth function's name) against the object and its department, then raised."""
    with who.recording_refusals(
        refusal or auth,
        context,
        object_type=object_type,
        object_id=object_id,
        object_department=department,
    ):
        tk.check_access(auth, context, data_dict)


def load_checked(
    auth: str,
    context: Context,
    data_dict: DataDict,
    *,
    load: Loader,
    object_type: str,
    department: Callable[[Row], str | None],
    not_found: str,
    refusal: str | None = None,
    key: str = "id",
    lock: bool = False,
) -> Row:
    """The object named by ``data_dict[key]``, once the caller may act on it.

    ``load(id, for_update=...)`` reads it; ``department(row)`` names the department a refusal
    is recorded against; ``not_found`` is the (bilingual) message of the 404 that follows a
    granted check. With ``lock``, the row is read again ``FOR UPDATE`` for a change (a row
    deleted in between is not found).
    """
    object_id = lookup_key((data_dict or {}).get(key))
    found = load(object_id)
    check(
        auth,
        context,
        data_dict,
        refusal=refusal,
        object_type=object_type,
        object_id=object_id,
        department=department(found) if found else None,
    )
    if found is not None and lock:
        found = load(object_id, for_update=True)
    if found is None:
        raise tk.ObjectNotFound(not_found)
    return found
