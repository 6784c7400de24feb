"""The demo site that ``ckan govshare demo`` (and ``make run``) loads, through the action API.

- ``catalogue.py``: the departments and the catalogue entries (seeded, idempotent);
- ``logins.py``: an officer and a staff login per department, the authority and the conference;
- ``review.py``: under the 2025 Regulations, the authority's review of the entries (art. 16);
- ``regulation.py``: the other steps of the 2025 Regulations (delivery, usage records,
  extension, suspension, filing, the art. 28 referral), called by ``access.py``;
- ``access.py``: requests, grants and a dispute, made as the demo users;
- ``feedback.py``: feedback (art. 15) and a catalogue-update obligation (art. 8);
- ``exchange.py``: a department's exchange target and a batch exchange subscription (art. 22);
- ``context.py``: the site user's context and a demo user's.

``load()`` runs them in that order; each part adds only what is not there yet.
"""

from __future__ import annotations

from ..core import config
from . import access, catalogue, exchange, feedback, logins, review

__all__ = ["load"]


def load(entries: int | None = None, users: bool = True) -> dict[str, int]:
    """Loads the demo; ``entries`` caps the number of entries (tests use fewer), ``users=False``
    loads the catalogue only (no logins, requests or feedback)."""
    made = catalogue.load(entries)
    new_logins = requests = approved = 0
    if users:
        if review.active():
            # 2025 art. 16: the authority reviews the entries before the departments' logins
            # exist (announcements reach nobody yet); see review.py.
            new_logins += logins.load([config.authority_org()], ("staff",))
            approved = review.approve()
        new_logins += logins.load(
            [
                *catalogue.department_names(),
                config.authority_org(),
                config.joint_conference_org(),
            ]
        )
        review.hold()
        requests = access.load()
        feedback.load()
        exchange.load()
    return {"requests": requests, **made, "users": new_logins, "approved": approved}
