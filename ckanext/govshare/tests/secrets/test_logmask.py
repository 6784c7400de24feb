"""``logmask``: no download token, ``token=`` value or Authorization value in any log record
(issue 14, item 2). The servers' own logs are tested in ``test_no_secret_in_var.py``."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from ckanext.govshare import logmask
from ckanext.govshare.downloads import tokens

SECRET = tokens.generate()
LOGGERS = ("werkzeug", "rq.worker", "a.logger.made.after.install", "ckan.lib.jobs")
JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJhYmMifQ.c2lnbmF0dXJl"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (
            f'"GET /govshare/download/r1?token={SECRET} HTTP/1.1" 400 -',
            '"GET /govshare/download/r1?token=[masked] HTTP/1.1" 400 -',
        ),
        (f"GET /x?a=1&token={SECRET}&b=2", "GET /x?a=1&token=[masked]&b=2"),
        (f"/x?api_token%3D{JWT}&q=1", "/x?api_token%3D[masked]&q=1"),
        (f"came_from=/d%3Ftoken%3D{SECRET}", "came_from=/d%3Ftoken%3D[masked]"),
        (f"id {SECRET.replace('_', '%5F', 1)} used", "id gsd_[masked] used"),
        (f"job f('{SECRET}') (id)", "job f('gsd_[masked]') (id)"),
        (f"Authorization: Bearer {SECRET}", "Authorization: [masked]"),
        (f"authorization={JWT}", "authorization=[masked]"),
        (
            f"{{'Authorization': 'Bearer {SECRET}', 'Host': 'h'}}",
            "{'Authorization': '[masked]', 'Host': 'h'}",
        ),
        (f"'HTTP_AUTHORIZATION': '{JWT}'", "'HTTP_AUTHORIZATION': '[masked]'"),
    ],
)
def test_mask(line: str, masked: str) -> None:
    assert logmask.mask(line) == masked
    assert logmask.mask(masked) == masked  # masking twice changes nothing
    assert "gsd_" not in masked.replace("gsd_[masked]", "")


@pytest.mark.unit
@pytest.mark.parametrize(
    "line",
    [
        "200 /govshare/download/r1 render time 0.054 seconds",
        "token_id=abc uses=1 tokens left 3",
        "Authorization header missing",
        "a gsd file, 100% done",
        "check access OK - govshare_token_create user=someone",
    ],
)
def test_ordinary_lines_are_left_as_they_are(line: str) -> None:
    assert logmask.mask(line) == line


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """A fresh factory state, and a handler on the root logger added after ``install``."""
    factory, make_record = logging.getLogRecordFactory(), logging.Logger.makeRecord
    logging.setLogRecordFactory(getattr(factory, "inner", factory))
    logging.Logger.makeRecord = getattr(make_record, "__wrapped__", make_record)
    assert not logmask.installed()
    logmask.install()
    logmask.install()  # twice: wrapped once
    assert logmask.installed()
    assert not isinstance(logging.getLogRecordFactory().inner, logmask._MaskingFactory)
    assert not hasattr(logging.Logger.makeRecord.__wrapped__, "govshare_masks")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(extra_field)s"))
    # The handler on each logger the test uses (the test config stops "ckan" propagating).
    loggers = [logging.getLogger(name) for name in LOGGERS]
    saved = [(logger.level, logger.propagate, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = logger.disabled = False
    try:
        yield stream
    finally:
        for logger, (level, propagate, disabled) in zip(loggers, saved, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate, logger.disabled = propagate, disabled
        logging.setLogRecordFactory(factory)
        logging.Logger.makeRecord = make_record


@pytest.mark.unit
def test_every_logger_every_part_of_a_record(captured: io.StringIO) -> None:
    request_line = f"GET /govshare/download/r1?token={SECRET} HTTP/1.1"
    logging.getLogger("werkzeug").info(
        '127.0.0.1 - - [x] "%s" %s %s', request_line, 400, "-", extra={"extra_field": ""}
    )
    logging.getLogger("rq.worker").info(
        "default: f(%r) (id)", SECRET, extra={"extra_field": f"in extra {SECRET}"}
    )
    logging.getLogger("a.logger.made.after.install").warning(
        "headers %s", {"Authorization": f"Bearer {SECRET}"}, extra={"extra_field": ""}
    )
    try:
        raise ValueError(f"refusing {SECRET}")
    except ValueError:
        logging.getLogger("ckan.lib.jobs").exception(
            "job failed", extra={"extra_field": ""}, stack_info=True
        )
    text = captured.getvalue()
    assert SECRET not in text and SECRET[4:20] not in text
    assert 'werkzeug INFO 127.0.0.1 - - [x] "GET /govshare/download/r1?token=[masked]' in text
    assert "rq.worker INFO default: f('gsd_[masked]') (id) in extra gsd_[masked]" in text
    assert "{'Authorization': '[masked]'}" in text
    assert "ValueError: refusing gsd_[masked]" in text  # the traceback, masked
    assert "Traceback (most recent call last)" in text and "Stack (most recent call last)" in text


@pytest.mark.unit
def test_the_filter_masks_records_made_elsewhere() -> None:
    """A record that did not come from the factory (a QueueListener's) is masked by the filter
    that ``install`` puts on the handlers it finds."""
    record = logging.makeLogRecord({"msg": "token %s", "args": (SECRET,)})
    assert logmask.SecretFilter().filter(record) is True
    assert record.getMessage() == "token gsd_[masked]"


def test_the_plugin_installs_it_when_it_loads() -> None:
    assert logmask.installed()
