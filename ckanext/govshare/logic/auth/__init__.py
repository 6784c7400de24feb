"""Auth functions, registered with ``toolkit.blanket.auth_functions``: one module per concept.

Each module declares ``__all__``; add its names here. ``datastore`` chains CKAN's DataStore
auth functions, so it is registered only beside that plugin (:func:`registered`).
"""

from __future__ import annotations

from typing import Any

from . import (
    access,
    access_extensions,
    access_signoff,
    audit,
    calendar,
    catalogue,
    catalogue_review,
    dataplane,
    disputes,
    downloads,
    exchange_subscriptions,
    exchange_targets,
    feedback,
    grant_aftercare,
    harvest_export,
    interface,
    notices,
    profiles,
    regional,
    reports,
    tokens,
    upstream,
    usage,
    workbench,
)
from . import datastore as _datastore
from .access import *  # noqa: F403
from .access_extensions import *  # noqa: F403
from .access_signoff import *  # noqa: F403
from .audit import *  # noqa: F403
from .calendar import *  # noqa: F403
from .catalogue import *  # noqa: F403
from .catalogue_review import *  # noqa: F403
from .dataplane import *  # noqa: F403
from .disputes import *  # noqa: F403
from .downloads import *  # noqa: F403
from .exchange_subscriptions import *  # noqa: F403
from .exchange_targets import *  # noqa: F403
from .feedback import *  # noqa: F403
from .grant_aftercare import *  # noqa: F403
from .harvest_export import *  # noqa: F403
from .interface import *  # noqa: F403
from .notices import *  # noqa: F403
from .profiles import *  # noqa: F403
from .regional import *  # noqa: F403
from .reports import *  # noqa: F403
from .tokens import *  # noqa: F403
from .upstream import *  # noqa: F403
from .usage import *  # noqa: F403
from .workbench import *  # noqa: F403

__all__: list[str] = [
    *disputes.__all__,
    *profiles.__all__,
    *catalogue_review.__all__,
    *usage.__all__,
    *grant_aftercare.__all__,
    *access_extensions.__all__,
    *access_signoff.__all__,
    *access.__all__,
    *audit.__all__,
    *calendar.__all__,
    *catalogue.__all__,
    *dataplane.__all__,
    *downloads.__all__,
    *exchange_subscriptions.__all__,
    *exchange_targets.__all__,
    *feedback.__all__,
    *harvest_export.__all__,
    *interface.__all__,
    *notices.__all__,
    *regional.__all__,
    *reports.__all__,
    *tokens.__all__,
    *upstream.__all__,
    *workbench.__all__,
]


def registered(*, datastore: bool) -> dict[str, Any]:
    """What the plugin registers: every name of ``__all__``, and with ``datastore`` (the
    DataStore plugin is loaded) its chained auth functions (issue 16, item 4)."""
    functions = {name: globals()[name] for name in __all__}
    if datastore:
        functions.update(_datastore.functions())
    return functions
