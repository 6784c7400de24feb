"""A new entry is indexed once per commit, not twice, whichever search backend runs.

Before each commit CKAN tells the search index (and every ``IDomainObjectModification``
observer) what changed: a new package as *new*, then — through the objects created with it,
its organization membership, extras and resources — the same package again as *changed*
(``DomainObjectModificationExtension.notify_observers`` leaves new packages out of the changed
ones it finds directly, not out of those it reaches through related objects). Each
notification builds the entry's ``package_show`` and writes its index document: in a harvest's
first import that second pass was 28 % of the time (docs/benchmarks.md, issue 20, item 4).
Both describe the same state, read in the same round before one commit, so the observers are
told of each package once per round: new if it is new, else changed. Deletions are passed on
as they come.
"""

from __future__ import annotations

from typing import Any

from ckan import model
from ckan.model.domain_object import DomainObjectOperation
from ckan.model.modification import DomainObjectModificationExtension


def _once(method: Any) -> Any:
    told: set[str] = set()

    def notify(entity: Any, operation: Any) -> Any:
        if isinstance(entity, model.Package) and operation != DomainObjectOperation.deleted:
            if entity.id in told:
                return None
            told.add(entity.id)
        return method(entity, operation)

    return notify


def install() -> None:
    """Wrap CKAN's round of notifications (idempotent)."""
    current = DomainObjectModificationExtension.notify_observers
    if getattr(current, "govshare_once", False):
        return

    def notify_observers(self: Any, session: Any, method: Any) -> Any:
        return current(self, session, _once(method))

    notify_observers.govshare_once = True  # type: ignore[attr-defined]
    notify_observers.__wrapped__ = current  # type: ignore[attr-defined]
    DomainObjectModificationExtension.notify_observers = notify_observers  # type: ignore[method-assign]


def installed() -> bool:
    return bool(getattr(DomainObjectModificationExtension.notify_observers, "govshare_once", False))
