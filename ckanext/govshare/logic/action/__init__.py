"""Actions, registered with ``toolkit.blanket.actions``: one module per concept.

Each module declares ``__all__``; add its names here.
"""

from __future__ import annotations

from . import access_grant, access_request, audit, calendar, datalinks, notices, tokens
from .access_grant import *  # noqa: F403
from .access_request import *  # noqa: F403
from .audit import *  # noqa: F403
from .calendar import *  # noqa: F403
from .datalinks import *  # noqa: F403
from .notices import *  # noqa: F403
from .tokens import *  # noqa: F403

__all__: list[str] = [
    *access_grant.__all__,
    *access_request.__all__,
    *audit.__all__,
    *calendar.__all__,
    *datalinks.__all__,
    *notices.__all__,
    *tokens.__all__,
]
