"""Caches search answers until the index changes, as Solr's caches last until a commit.

Counting facets over a whole catalogue reads every row; the same catalogue page is asked for
again and again between changes. Answers are kept in Redis under the index's *generation*,
a counter that every transaction which wrote to the index bumps after it commits, so no answer
outlives the data it came from (the window between a commit and its bump is the only lag).
A session with uncommitted index writes never reads or fills the cache: it sees its own writes.

``ckanext.govshare.search.cache_ttl`` (seconds; 0 turns the cache off) bounds how long an
answer is kept; writes made to the table behind CKAN's back are seen after at most that long.

Redis is a cache here, never a dependency (issue 14, item 9): when it is down, refused, or
frozen, searches are answered from the index. The cache has a connection of its own with short
timeouts and no retries (CKAN's has neither a timeout nor, with redis-py 6 and later, a retry
policy that suits a cache: a frozen Redis would hold every search), and after a failure it
leaves Redis alone for ``PAUSE`` seconds (one warning per outage, not one per search). A
generation it could not move on while Redis was away is moved on as soon as Redis answers
again, so no answer cached before an unannounced change is served after it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ckan.common import config
from redis import ConnectionPool, Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import event

from ..core import config as govshare_config
from ..outages.breaker import Breaker

log = logging.getLogger(__name__)

DIRTY = "govshare_search_dirty"

#: Seconds a Redis call of the cache may take (connecting, or waiting for the answer): a cache
#: answer comes in well under a millisecond; longer means Redis is in trouble.
TIMEOUT = 0.5
#: Seconds the cache leaves Redis alone after a failure.
PAUSE = 5.0

T = TypeVar("T")
_breaker = Breaker(PAUSE)
_pool_lock = threading.Lock()
_pool: tuple[str, ConnectionPool] | None = None


def _client() -> Redis:
    """A client on the cache's own pool for ``ckan.redis.url`` (rebuilt if the URL changes)."""
    global _pool
    url = config.get("ckan.redis.url")
    with _pool_lock:
        if _pool is None or _pool[0] != url:
            pool = ConnectionPool.from_url(
                url,
                socket_connect_timeout=TIMEOUT,
                socket_timeout=TIMEOUT,
                retry=Retry(NoBackoff(), 0),
            )
            _pool = (url, pool)
        return Redis(connection_pool=_pool[1])


_FAILED = object()


def _call(what: str, operation: Callable[[Redis], T], *, moves_on: bool = False) -> T | object:
    """``operation`` on Redis, or ``_FAILED`` (at once while paused after a failure).

    Only a call that moves the generation on (``moves_on``) ends an outage: a read or write of
    an answer that succeeds first (another thread's, whose key was taken before the outage)
    must not end it before the changes it missed are announced."""
    if not _breaker.allow():
        return _FAILED
    try:
        result = operation(_client())
    except Exception as error:  # redis errors, socket errors: the index answers instead
        if _breaker.failure():
            log.warning(
                "Search cache: Redis unreachable (%s: %s); searches are answered from the index "
                "until it is back",
                what,
                error,
            )
        return _FAILED
    if (moves_on or not _breaker.in_outage) and _breaker.success():
        log.warning("Search cache: Redis answers again")
    return result


def _generation_key() -> str:
    return f"govshare:search:{config.get('ckan.site_id')}:generation"


def ttl() -> int:
    return govshare_config.search_cache_ttl()


def mark_dirty(session: Any) -> None:
    """Called for every index write: the generation moves on when this transaction commits."""
    session.info[DIRTY] = True


def is_dirty(session: Any) -> bool:
    return bool(session.info.get(DIRTY))


def bump() -> None:
    """Move the generation on; if Redis is away, it is moved on when Redis is back (``key``)."""
    _call("generation", lambda r: r.incr(_generation_key()), moves_on=True)


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
    if _breaker.in_outage:
        # Back from an outage: changes made meanwhile were not announced. Move on first.
        found = _call("generation", lambda r: r.incr(_generation_key()), moves_on=True)
    else:
        found = _call("generation", lambda r: r.get(_generation_key()) or b"0")
    if found is _FAILED:
        return None
    generation = found if isinstance(found, bytes) else str(found).encode()
    digest = hashlib.sha256(
        json.dumps(request, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()
    return generation.decode(), f"govshare:search:{config.get('ckan.site_id')}:r:{digest}"


def get(cache_key: tuple[str, str] | None) -> dict[str, Any] | None:
    if cache_key is None:
        return None
    generation, name = cache_key
    raw = _call("get", lambda r: r.get(f"{name}:{generation}"))
    return json.loads(raw) if isinstance(raw, bytes | str) and raw else None


def put(cache_key: tuple[str, str] | None, answer: dict[str, Any]) -> None:
    if cache_key is None:
        return
    generation, name = cache_key
    text = json.dumps(answer, default=str)
    _call("put", lambda r: r.set(f"{name}:{generation}", text, ex=ttl()))
