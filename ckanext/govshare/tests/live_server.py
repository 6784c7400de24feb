"""The CKAN app served on a free loopback port for one test (browser, download and interface
tests), and stopped so that no request of it outlives the test.

``server.shutdown()`` only stops accepting connections: a request thread already inside the
app, or a kept-alive connection of the browser that sends one more request, still runs the
app while the next test sets up. CKAN's request hooks can write the shared config
(``app_globals`` resets it from ``system_info``), and a test once failed at set-up with
"dictionary keys changed during iteration" right after the browser tests. The gate below
answers 503 to any request after the test and waits for the ones inside the app to finish.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ckan.config.middleware import make_app
from werkzeug.serving import make_server

#: How long a test's end waits for its last requests (a browser page may still load one).
DRAIN_SECONDS = 30.0

_App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Gate:
    """A WSGI wrapper that counts the requests inside the app and can be closed."""

    def __init__(self, app: _App) -> None:
        self.app = app
        self.busy = 0
        self.closed = False
        self.changed = threading.Condition()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self.changed:
            if self.closed:
                start_response("503 Service Unavailable", [("Content-Length", "0")])
                return []
            self.busy += 1
        try:
            body = self.app(environ, start_response)
            try:
                return list(body)  # the body is read inside the count: a stream runs the app too
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
        finally:
            with self.changed:
                self.busy -= 1
                self.changed.notify_all()

    def close(self, timeout: float) -> bool:
        """Refuse new requests; True once none is left inside the app."""
        with self.changed:
            self.closed = True
            return self.changed.wait_for(lambda: self.busy == 0, timeout)


@contextlib.contextmanager
def serve(ckan_config: Any, *, own_site_url: bool = False) -> Iterator[str]:
    """Yield ``http://127.0.0.1:<port>`` of the app built from ``ckan_config``, one thread a
    request. ``own_site_url`` sets ``ckan.site_url`` to it (CKAN's JavaScript calls the API
    there)."""
    server = make_server("127.0.0.1", 0, lambda environ, start: [], threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    gate = _Gate(make_app(ckan_config))
    server.app = gate
    if own_site_url:
        # After make_app: its app_globals.reset() puts back the first site URL the process saw.
        ckan_config["ckan.site_url"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=5)
        drained = gate.close(DRAIN_SECONDS)
        # Not server_close(): it joins every handler thread, and one that holds a browser's
        # kept-alive connection waits for that browser, which closes after this fixture.
        server.socket.close()
        assert drained, f"a request to {url} was still running {DRAIN_SECONDS:.0f} s after its test"
