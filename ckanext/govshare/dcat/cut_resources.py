"""What the export reads from the database about resources the link policy cut (issue 20,
item 2).

The link policy (``datalinks.policy``) cuts a resource to its description for a reader who may
not download it: ``datastore_active``, ``url_type`` and the resource's extras go too. Whether
the service interface serves the resource (its table is in the DataStore), and the services a
harvested resource was offered through on its source platform (``access_services``), are no
link and no data: they are what a department that may not download needs to find the interface
and apply for it (art. 12, 22). The export reads them here, one statement per entry, with the
resource's own link, read only to leave out a kept service that names it (art. 14).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model

_FACTS = sa.text(
    "select id, url_type = 'datastore' "
    "or lower(coalesce(extras::jsonb ->> 'datastore_active', '')) = 'true' as in_datastore, "
    "extras::jsonb ->> 'access_services' as access_services, url "
    "from resource where id = any(:ids) and state = 'active'"
)


@dataclass(frozen=True)
class Facts:
    in_datastore: bool = False
    access_services: Any = None  # as stored: a JSON text (or a list)
    url: str = ""  # the resource's own link, which a service shown to the reader may not name


def _services(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def facts(resource_ids: Iterable[str]) -> dict[str, Facts]:
    """Per resource id (of those given that exist), its table and its stored services."""
    ids = sorted({str(i) for i in resource_ids if i})
    if not ids:
        return {}
    rows = model.Session.execute(_FACTS, {"ids": ids})
    return {
        row.id: Facts(bool(row.in_datastore), _services(row.access_services), row.url or "")
        for row in rows
    }
