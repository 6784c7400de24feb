"""Flask blueprints, registered with ``toolkit.blanket.blueprints``: one module per concept.

Each module defines a blueprint; add it to ``__all__`` here.
"""

from __future__ import annotations

from ..dcat.views import vocabulary
from .access import access
from .answers import answers
from .audit import audit
from .calendar import calendar
from .catalogue import catalogue
from .datalinks import datalinks
from .downloads import downloads
from .exchange import exchange
from .exchange_targets import exchange_targets
from .feedback import feedback
from .grant_aftercare import grant_aftercare
from .guard import guard
from .interface import interface
from .notices import notices
from .outages import outages
from .profiles import rules
from .regional import regional
from .reports import reports
from .review import review
from .usage import usage
from .workbench import workbench

__all__: list[str] = [
    "access",
    "answers",
    "audit",
    "calendar",
    "catalogue",
    "datalinks",
    "downloads",
    "exchange",
    "exchange_targets",
    "feedback",
    "grant_aftercare",
    "guard",
    "interface",
    "notices",
    "outages",
    "regional",
    "reports",
    "review",
    "rules",
    "usage",
    "vocabulary",
    "workbench",
]
