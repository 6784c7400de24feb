"""Actions, registered with ``toolkit.blanket.actions``: one module per concept.

Each module declares ``__all__``; add its names here.
"""

from __future__ import annotations

from . import audit
from .audit import *  # noqa: F403

__all__: list[str] = [*audit.__all__]
