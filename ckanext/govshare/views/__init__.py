"""Flask blueprints, registered with ``toolkit.blanket.blueprints``: one module per concept.

Each module defines a blueprint; add it to ``__all__`` here.
"""

from __future__ import annotations

__all__: list[str] = []
