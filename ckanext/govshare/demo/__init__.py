"""The demo site that ``ckan govshare demo`` (and ``make run``) loads, through the action API.

- ``catalogue.py``: the departments and the catalogue entries (seeded, idempotent);
- ``logins.py``: an officer and a staff login per department, the authority and the conference;
- ``access.py``: requests, grants and a dispute, made as the demo users;
- ``feedback.py``: feedback (art. 15) and a catalogue-update obligation (art. 8);
- ``exchange.py``: a department's exchange target and a batch exchange subscription (art. 22);
- ``context.py``: the site user's context and a demo user's.

``load()`` runs them in that order; each part adds only what is not there yet.
"""

from __future__ import annotations

from ..core import config
from . import access, catalogue, exchange, feedback, logins

__all__ = ["load"]


def load(entries: int | None = None, users: bool = True) -> dict[str, int]:
    """Loads the demo; ``entries`` caps the number of entries (tests use fewer), ``users=False``
    loads the catalogue only (no logins, requests or feedback)."""
    made = catalogue.load(entries)
    new_logins = requests = 0
    if users:
        new_logins = logins.load(
            [
                *catalogue.department_names(),
                config.authority_org(),
                config.joint_conference_org(),
            ]
        )
        requests = access.load()
        feedback.load()
        exchange.load()
    return {"requests": requests, **made, "users": new_logins}
