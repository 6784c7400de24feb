"""No secret in a log line (issue 14, item 2; art. 14 and the 2025 Regulations art. 34-35).

A download token (``gsd_…``) in a log file is a download for whoever reads the file: the
access log of ``ckan run`` wrote ``?token=gsd_…`` to ``var/ckan.log`` and a token copied from
it downloaded the file. :func:`install` masks, in every record of every logger of the process:

- download token secrets (``gsd_`` and what follows, also percent-encoded as ``gsd%5F``);
- the value of any ``…token=`` query parameter (``token=``, ``api_token=``, ``%3D`` too);
- the value of an ``Authorization`` header, however it is written (``Authorization: Bearer …``,
  ``'Authorization': '…'``, ``HTTP_AUTHORIZATION=…``): CKAN API tokens are secrets too;
- the password of a connection string (issue 17: exchange targets): ``password=…`` (libpq's
  key=value form, quoted or not; ``'password': '…'`` too) and ``scheme://user:…@`` (also as
  libpq quotes a malformed ``postgresql//user:…@``).

It wraps ``Logger.makeRecord`` and the log record factory, so every record is masked when it
is made, whichever logger made it (werkzeug's access log, CKAN's request lines, the jobs
worker's rq, loggers created later) and whichever handler writes it; the message, its
arguments, the exception and stack text and string ``extra`` fields are all masked. The same
work is a :class:`SecretFilter`, also attached to the handlers configured at install time
(records made some other way, such as those a ``QueueListener`` rebuilds, pass there). The
plugin installs it when it loads (``GovsharePlugin.update_config``), which every CKAN process
does: the web server, ``ckan jobs worker`` and every ``ckan`` command.

Plain Python (``logging`` and ``re``): unit-tested alone.
"""

from __future__ import annotations

import functools
import logging
import re
import traceback
from typing import Any

__all__ = ["MASK", "SecretFilter", "install", "installed", "mask", "mask_record"]

MASK = "[masked]"

# A token is "gsd_" and 43 URL-safe base64 characters; anything after the prefix is masked.
_SECRET = re.compile(r"gsd(?:_|%5f)[A-Za-z0-9_\-%]+", re.IGNORECASE)
# ``token=<value>`` and ``api_token=<value>`` in a query string or a form body (raw or
# percent-encoded ``=``); the value stops at the next separator, quote or space.
_QUERY_TOKEN = re.compile(
    r"([A-Za-z0-9_.\-]*token(?:=|%3d))(?!\[masked\])[^&\s\"'#;,)\]}\x1b]+", re.IGNORECASE
)
# An Authorization header's value: to the end of the line or the closing quote.
_AUTHORIZATION = re.compile(
    r"((?<![A-Za-z])authorization[\"']?\s*[:=]\s*[\"']?)(?!\[masked\])[^\s\"'][^\"'\r\n]*",
    re.IGNORECASE,
)
# A connection string's password: ``password=…``/``'password': '…'`` (up to the closing
# quote when quoted), and the password of ``//user:password@host`` (to the last ``@``).
_PASSWORD = re.compile(
    r"((?<![A-Za-z])password\d?[\"']?\s*[:=]\s*)(?!\[masked\]|'\[masked\]')"
    r"(?:'[^']*'|\"[^\"]*\"|[^\s\"'&,;)}\]]+)",
    re.IGNORECASE,
)
_URL_PASSWORD = re.compile(r"(//[^:/@\s\"']*:)(?!\[masked\]@)[^\s\"']*@")
_HINTS = ("gsd", "token", "authorization", "password", "//")

# The attributes every LogRecord has: anything else came from ``extra=``.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def mask(text: str) -> str:
    """``text`` with every download token, ``token=`` value, Authorization value and
    connection-string password masked."""
    lower = text.lower()
    if not any(hint in lower for hint in _HINTS):
        return text
    text = _AUTHORIZATION.sub(lambda m: m.group(1) + MASK, text)
    text = _PASSWORD.sub(lambda m: m.group(1) + MASK, text)
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", text)
    text = _QUERY_TOKEN.sub(lambda m: m.group(1) + MASK, text)
    return _SECRET.sub("gsd_" + MASK, text)


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask ``record`` in place (message, exception and stack text, string extras)."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: the handler reports it, unmasked parts and all
        message = None
    if message is not None:
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
            if hasattr(record, "message"):
                record.message = masked
    if record.exc_info and record.exc_info[0] is not None:
        text = record.exc_text or "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        masked = mask(text)
        if masked != text:
            # Formatters print exc_text when it is set; the exception object (whose message
            # holds the secret) is dropped so that no formatter renders it again.
            record.exc_text, record.exc_info = masked, None
    elif record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    for name, value in list(record.__dict__.items()):
        if name not in _STANDARD and isinstance(value, str):
            setattr(record, name, mask(value))
    return record


class SecretFilter(logging.Filter):
    """A logging filter that masks secrets in each record it sees and lets it pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


_FILTER = SecretFilter()


class _MaskingFactory:
    """The log record factory, wrapped: each new record is masked before any handler has it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(self.inner(*args, **kwargs))


def _masking_make_record(make_record: Any) -> Any:
    """``Logger.makeRecord`` that masks the record once ``extra`` fields are set on it."""

    @functools.wraps(make_record)
    def wrapper(self: logging.Logger, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(make_record(self, *args, **kwargs))

    wrapper.govshare_masks = True  # type: ignore[attr-defined]
    return wrapper


def installed() -> bool:
    return isinstance(logging.getLogRecordFactory(), _MaskingFactory) and bool(
        getattr(logging.Logger.makeRecord, "govshare_masks", False)
    )


def install() -> None:
    """Mask secrets in every log record of this process from now on (idempotent)."""
    if not isinstance(logging.getLogRecordFactory(), _MaskingFactory):
        logging.setLogRecordFactory(_MaskingFactory(logging.getLogRecordFactory()))
    if not getattr(logging.Logger.makeRecord, "govshare_masks", False):
        logging.Logger.makeRecord = _masking_make_record(logging.Logger.makeRecord)  # type: ignore[method-assign]
    loggers = [logging.getLogger()] + [
        logger
        for logger in list(logging.Logger.manager.loggerDict.values())
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in list(logger.handlers):
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
    last = logging.lastResort
    if last is not None and _FILTER not in last.filters:
        last.addFilter(_FILTER)
