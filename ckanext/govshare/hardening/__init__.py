"""Hardening (issue 14): bad input gets a clear error, a failed request leaves nothing behind.

- ``limits``: the bounds every input is held to and what to say when it is not (plain rules).
- ``search``: the same for ``package_search`` parameters, before any search backend.
- ``session``: the database session rolled back and removed after every request and command.
"""
