"""A background job for the no-secret test: run by ``ckan jobs worker`` in its own process."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def handle(secret: str) -> None:
    """Logs its argument, then fails with it in the exception, which CKAN's worker logs with
    its traceback."""
    log.warning("job got the download token %s", secret)
    raise ValueError(f"refusing download token {secret}")
