"""Surviving outages of PostgreSQL and Redis (issue 14, item 9).

- ``database``: which database errors mean "unreachable for now" (answered 503, ``views/outages``);
- ``breaker``: pausing calls to a service that just failed, and backing off while it is away;
- ``worker``: ``ckan govshare worker``, CKAN's jobs worker started again when Redis went away.

``bench/faults.py`` restarts PostgreSQL and stops, freezes and starts Redis under load and checks
that nothing is lost; docs/benchmarks.md has its numbers.
"""
