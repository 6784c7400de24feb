"""The in-process server's gate: no request of a test runs the app after that test."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from ckanext.govshare.tests.live_server import _Gate

pytestmark = pytest.mark.unit


def _start(status: str, headers: list[Any]) -> None:
    _start.status = status  # type: ignore[attr-defined]


def test_close_waits_for_the_request_inside_and_refuses_the_next() -> None:
    inside, release = threading.Event(), threading.Event()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        inside.set()
        release.wait(10)
        start_response("200 OK", [])
        return [b"done"]

    gate = _Gate(app)
    answers: list[list[bytes]] = []
    request = threading.Thread(target=lambda: answers.append(gate({}, _start)))
    request.start()
    assert inside.wait(10)
    assert gate.close(0.2) is False  # still inside the app
    release.set()
    assert gate.close(10) is True
    request.join(10)
    assert answers == [[b"done"]]
    assert gate({}, _start) == [] and _start.status.startswith("503")  # type: ignore[attr-defined]


def test_the_body_is_read_and_closed_inside_the_count() -> None:
    seen: list[int] = []

    class Body:
        def __iter__(self) -> Any:
            seen.append(gate.busy)
            yield b"a"

        def close(self) -> None:
            seen.append(gate.busy)

    gate = _Gate(lambda environ, start_response: Body())
    assert gate({}, _start) == [b"a"]
    assert seen == [1, 1] and gate.busy == 0
