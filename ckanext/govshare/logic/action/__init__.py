"""Actions, registered with ``toolkit.blanket.actions``: one module per concept.

Each module declares ``__all__``; add its names here.
"""

from __future__ import annotations

from ..guard import checked_input
from . import (
    access_extensions,
    access_grant,
    access_request,
    access_signoff,
    audit,
    calendar,
    catalogue,
    catalogue_review,
    datalinks,
    dataplane,
    dcat,
    disputes,
    downloads,
    exchange_subscriptions,
    exchange_targets,
    feedback,
    grant_aftercare,
    interface,
    notices,
    obligations,
    profiles,
    regional,
    reports,
    search,
    tokens,
    usage,
    workbench,
)
from .access_extensions import *  # noqa: F403
from .access_grant import *  # noqa: F403
from .access_request import *  # noqa: F403
from .access_signoff import *  # noqa: F403
from .audit import *  # noqa: F403
from .calendar import *  # noqa: F403
from .catalogue import *  # noqa: F403
from .catalogue_review import *  # noqa: F403
from .datalinks import *  # noqa: F403
from .dataplane import *  # noqa: F403
from .dcat import *  # noqa: F403
from .disputes import *  # noqa: F403
from .downloads import *  # noqa: F403
from .exchange_subscriptions import *  # noqa: F403
from .exchange_targets import *  # noqa: F403
from .feedback import *  # noqa: F403
from .grant_aftercare import *  # noqa: F403
from .interface import *  # noqa: F403
from .notices import *  # noqa: F403
from .obligations import *  # noqa: F403
from .profiles import *  # noqa: F403
from .regional import *  # noqa: F403
from .reports import *  # noqa: F403
from .search import *  # noqa: F403
from .tokens import *  # noqa: F403
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
    *access_grant.__all__,
    *access_request.__all__,
    *audit.__all__,
    *calendar.__all__,
    *catalogue.__all__,
    *dataplane.__all__,
    *dcat.__all__,
    *downloads.__all__,
    *datalinks.__all__,
    *exchange_subscriptions.__all__,
    *exchange_targets.__all__,
    *feedback.__all__,
    *interface.__all__,
    *notices.__all__,
    *obligations.__all__,
    *regional.__all__,
    *reports.__all__,
    *search.__all__,
    *tokens.__all__,
    *workbench.__all__,
]

# Every govshare action refuses input no field may hold before it reads anything (issue 14).
for _name in __all__:
    if _name.startswith("govshare_"):
        globals()[_name] = checked_input(globals()[_name])
