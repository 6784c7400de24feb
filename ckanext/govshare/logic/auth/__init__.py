"""Auth functions, registered with ``toolkit.blanket.auth_functions``: one module per concept.

Each module declares ``__all__``; add its names here.
"""

from __future__ import annotations

from . import (
    access,
    audit,
    calendar,
    catalogue,
    downloads,
    feedback,
    harvest_export,
    notices,
    reports,
    tokens,
    upstream,
)
from .access import *  # noqa: F403
from .audit import *  # noqa: F403
from .calendar import *  # noqa: F403
from .catalogue import *  # noqa: F403
from .downloads import *  # noqa: F403
from .feedback import *  # noqa: F403
from .harvest_export import *  # noqa: F403
from .notices import *  # noqa: F403
from .reports import *  # noqa: F403
from .tokens import *  # noqa: F403
from .upstream import *  # noqa: F403

__all__: list[str] = [
    *access.__all__,
    *audit.__all__,
    *calendar.__all__,
    *catalogue.__all__,
    *downloads.__all__,
    *feedback.__all__,
    *harvest_export.__all__,
    *notices.__all__,
    *reports.__all__,
    *tokens.__all__,
    *upstream.__all__,
]
