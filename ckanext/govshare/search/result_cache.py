"""Caches search answers until the index changes, as Solr's caches last until a commit.

Counting facets over a whole catalogue reads every row; the same catalogue page is asked for
again and again between changes. Answers are kept in Redis under the index's *generation*,
a counter that every transaction which wrote to the index bumps after it commits, so no answer
outlives the data it came from (the window between a commit and its bump is the only lag).
A session with uncommitted index writes never reads or fills the cache: it sees its own writes.

``ckanext.govshare.search.cache_ttl`` (seconds; 0 turns the cache off) bounds how long an
answer is kept; writes made to the table behind CKAN's back are seen after at most that long.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from ckan.common import config
from ckan.lib.redis import connect_to_redis
from sqlalchemy import event

log = logging.getLogger(__name__)

DIRTY = "govshare_search_dirty"


def _generation_key() -> str:
    return f"govshare:search:{config.get('ckan.site_id')}:generation"


def ttl() -> int:
    return int(config.get("ckanext.govshare.search.cache_ttl") or 0)


def mark_dirty(session: Any) -> None:
    """Called for every index write: the generation moves on when this transaction commits."""
    session.info[DIRTY] = True


def is_dirty(session: Any) -> bool:
    return bool(session.info.get(DIRTY))


def bump() -> None:
    try:
        connect_to_redis().incr(_generation_key())
    except Exception:
        log.exception("Could not advance the search cache generation")


def _after_commit(session: Any) -> None:
    if session.info.pop(DIRTY, False):
        bump()


def _after_rollback(session: Any) -> None:
    session.info.pop(DIRTY, None)


def listen(session_factory: Any) -> None:
    """Registers the commit hooks on CKAN's session (once)."""
    if not event.contains(session_factory, "after_commit", _after_commit):
        event.listen(session_factory, "after_commit", _after_commit)
        event.listen(session_factory, "after_rollback", _after_rollback)


def key(request: dict[str, Any]) -> tuple[str, str] | None:
    """The cache key for a request at the current generation, or None when off or unavailable."""
    if ttl() <= 0:
        return None
    try:
        generation = connect_to_redis().get(_generation_key()) or b"0"
    except Exception:
        return None
    digest = hashlib.sha256(
        json.dumps(request, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()
    return generation.decode(), f"govshare:search:{config.get('ckan.site_id')}:r:{digest}"


def get(cache_key: tuple[str, str] | None) -> dict[str, Any] | None:
    if cache_key is None:
        return None
    generation, name = cache_key
    try:
        raw = connect_to_redis().get(f"{name}:{generation}")
    except Exception:
        return None
    return json.loads(raw) if raw else None


def put(cache_key: tuple[str, str] | None, answer: dict[str, Any]) -> None:
    if cache_key is None:
        return
    generation, name = cache_key
    try:
        connect_to_redis().set(f"{name}:{generation}", json.dumps(answer, default=str), ex=ttl())
    except Exception:
        log.warning("Could not cache a search answer", exc_info=True)
