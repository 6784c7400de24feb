"""No ERROR line for every download made with a token (issue 14, item 2: logs operators can read).

CKAN tries the ``Authorization`` header of every request as a CKAN API token (a JWT) and logs
``Cannot decode JWT token`` at ERROR when it is not one. A download token (``gsd_…``) never is,
so each download by token logged an error: noise that hides real errors and sets off alerts.
The filter drops that one line when the request's headers carry a download token; a malformed
CKAN API token is still logged.
"""

from __future__ import annotations

import logging
import re

from flask import has_request_context, request

# CKAN's logger of API-token decoding (ckan/lib/api_token.py) and the line it writes.
LOGGER = "ckan.lib.api_token"
_LINE = "Cannot decode JWT token"
_DOWNLOAD_TOKEN = re.compile(r"\bgsd_[A-Za-z0-9_\-]+")


class DownloadTokenIsNoApiToken(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(_LINE) or not has_request_context():
            return True
        return not any(_DOWNLOAD_TOKEN.search(value) for value in request.headers.values())


_FILTER = DownloadTokenIsNoApiToken()


def install() -> None:
    """Attach the filter to CKAN's API-token logger (idempotent)."""
    logger = logging.getLogger(LOGGER)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
