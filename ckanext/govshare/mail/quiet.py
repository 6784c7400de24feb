"""One log line, not a traceback, for mail that could not be sent (issue 19, item 10).

CKAN's mailer logs a failed connection with ``log.exception`` before it raises
``MailerException``; whoever called it (the notices' sender, CKAN's password reset) logs the
failure again. With no mail server in development that made hundreds of traceback lines. The
configuration's formatter (``config/ckan.ini.template``, ``[formatter_generic] class``) is
:class:`Formatter`: a record of CKAN's mailer, or one carrying a mail error, is written as one
line ending in the error's type and text; every other record is formatted as before.
"""

from __future__ import annotations

import logging
import smtplib
import socket

MAILER_LOGGER = "ckan.lib.mailer"


def _mail_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [smtplib.SMTPException]
    try:
        from ckan.lib.mailer import MailerException

        errors.append(MailerException)
    except ImportError:  # outside CKAN (the sink's own process)
        pass
    return tuple(errors)


def is_mail_failure(record: logging.LogRecord) -> bool:
    """A record about mail that could not be sent, with an exception attached."""
    if not record.exc_info or record.exc_info[1] is None:
        return False
    error = record.exc_info[1]
    if record.name == MAILER_LOGGER or record.name.startswith(MAILER_LOGGER + "."):
        return isinstance(error, (OSError, socket.error, *_mail_errors()))
    return isinstance(error, _mail_errors())


def one_line(record: logging.LogRecord) -> str:
    """The failure's text: the message, then the error unless the message already says it."""
    message = record.getMessage().strip()
    error = record.exc_info[1] if record.exc_info else None
    detail = f"{type(error).__name__}: {error}" if error is not None else ""
    if detail and str(error) and str(error) in message:
        detail = type(error).__name__
    text = f"Mail not sent: {message}" + (f" ({detail})" if detail else "")
    return " ".join(text.split())


class Formatter(logging.Formatter):
    """``logging.Formatter`` that writes mail failures as one line without their traceback."""

    def format(self, record: logging.LogRecord) -> str:
        if not is_mail_failure(record):
            return super().format(record)
        quiet = logging.makeLogRecord(record.__dict__)
        quiet.msg, quiet.args = one_line(record), None
        quiet.exc_info, quiet.exc_text, quiet.stack_info = None, None, None
        return super().format(quiet)
