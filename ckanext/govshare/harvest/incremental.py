"""What a DCAT re-harvest reads: only what changed since the last job, and still every deletion.

Plain Python. Art. 8 and 11: an upper platform mirrors each lower one's catalogue every day,
deletions included (federation.md). Reading the whole catalogue every time costs a national
platform a full walk of each province (about 1,000 pages at 100,000 entries) for the few
entries that changed. ckanext-dcat's catalogue endpoint answers ``modified_since`` with only
the entries modified since then, so a job asks for those, from its last complete job's start
less a margin for the two platforms' clocks (an entry read twice is skipped as unchanged,
``unchanged.py``).

A deleted entry is not in that answer. The job learns of deletions by counting: every entry the
source shows was either imported before (a current harvest record) or modified since, so when
the catalogue's ``hydra:totalItems`` equals the number of guids the upper platform knows, none
was deleted; otherwise the job walks the whole catalogue for its guids and deletes the rest.
What a count cannot see (a deletion balanced by an entry that was never imported; a change
that did not touch the entry's ``metadata_modified``, such as its department's new title) is
caught by the full walk a job makes at least once every ``full_walk_days``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Source config keys (the harvest source's JSON config).
FULL_WALK_DAYS = "full_walk_days"
MARGIN_MINUTES = "modified_since_margin_minutes"
DEFAULT_FULL_WALK_DAYS = 7
DEFAULT_MARGIN_MINUTES = 60

_EPOCH = dt.datetime(1970, 1, 5)  # a Monday: periods of 7 days are calendar weeks


def _number(config: dict, key: str, default: int) -> int:
    try:
        value = int(config.get(key, default))
    except (TypeError, ValueError):
        return default
    return value if value >= 0 else default


def full_walk_due(previous_start: dt.datetime | None, now: dt.datetime, config: dict) -> bool:
    """Whether this job reads the whole catalogue: there is no complete job to start from, the
    source asks for every entry (``force_all``), or this is the first job of a new period of
    ``full_walk_days`` days (0: every job walks the whole catalogue)."""
    days = _number(config, FULL_WALK_DAYS, DEFAULT_FULL_WALK_DAYS)
    if previous_start is None or config.get("force_all") or days == 0:
        return True
    period = dt.timedelta(days=days)
    return (previous_start - _EPOCH) // period != (now - _EPOCH) // period


def since(previous_start: dt.datetime, config: dict) -> str:
    """The ``modified_since`` to ask for: the last complete job's start (UTC, as ckanext-harvest
    records it) less the margin, naive ISO 8601 (ckanext-dcat appends the ``Z``)."""
    margin = dt.timedelta(minutes=_number(config, MARGIN_MINUTES, DEFAULT_MARGIN_MINUTES))
    return (previous_start - margin).replace(microsecond=0, tzinfo=None).isoformat()


def with_param(url: str, key: str, value: str) -> str:
    """``url`` with the query parameter ``key`` set to ``value`` (replacing any)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    query.append((key, value))
    return urlunsplit(parts._replace(query=urlencode(query)))


def none_deleted(total_in_source: int | None, known: Iterable[str]) -> bool:
    """Whether a count proves that nothing was deleted upstream: every guid the source shows is
    among the ``known`` ones (imported before or gathered now), so equal numbers mean equal
    sets. No count (a source without hydra paging) proves nothing."""
    return total_in_source is not None and total_in_source == len(set(known))
