"""Which resources have their table in the DataStore, read from the database (issue 20, item 2).

The link policy (``datalinks.policy``) cuts a resource to its description for a reader who may
not download it, ``datastore_active`` and ``url_type`` included. Whether the service interface
serves the resource is no link and no data, and is what a department that may not download
needs to know to apply for it (art. 12, 22), so the export reads it here for the cut resources.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from ckan import model

_ACTIVE = sa.text(
    "select id from resource where id = any(:ids) and state = 'active' "
    "and (url_type = 'datastore' "
    "or lower(coalesce(extras::jsonb ->> 'datastore_active', '')) = 'true')"
)


def active_ids(resource_ids: Iterable[str]) -> set[str]:
    """The ids among ``resource_ids`` whose table is in the DataStore (one statement)."""
    ids = sorted({str(i) for i in resource_ids if i})
    if not ids:
        return set()
    return {row.id for row in model.Session.execute(_ACTIVE, {"ids": ids})}
