"""Flask blueprints, registered with ``toolkit.blanket.blueprints``: one module per concept.

Each module defines a blueprint; add it to ``__all__`` here.
"""

from __future__ import annotations

from .audit import audit
from .catalogue import catalogue

__all__: list[str] = ["audit", "catalogue"]
