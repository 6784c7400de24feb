"""The development SMTP sink: accepts every message on 127.0.0.1 and stores it, one ``.eml``
file a message, under a directory (``var/mail/`` by ``make run``; issue 19, item 10).

Nothing is relayed. Run by ``scripts/setup.sh mail`` as
``python -m ckanext.govshare.mail.sink --dir var/mail --port 8025``; ``make stop`` stops it.
Plain Python and aiosmtpd: it imports nothing of CKAN, so it starts in a fraction of a second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import threading
import uuid
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
PORT = 8025


def file_name(now: dt.datetime | None = None) -> str:
    """``<UTC time>-<random>.eml``: names sort by arrival, and two messages never collide."""
    moment = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{moment}-{uuid.uuid4().hex[:12]}.eml"


def store(directory: Path, content: bytes, envelope_to: list[str] | None = None) -> Path:
    """Write one message atomically (a temporary file renamed into place): the page never
    reads half a message. The envelope's recipients are kept as ``X-Envelope-To`` (Bcc)."""
    directory.mkdir(parents=True, exist_ok=True)
    message = message_from_bytes(content, policy=policy.SMTP)
    if envelope_to and "X-Envelope-To" not in message:
        message["X-Envelope-To"] = ", ".join(envelope_to)
    target = directory / file_name()
    partial = directory / f".{target.name}.part"
    partial.write_bytes(message.as_bytes())
    os.chmod(partial, 0o640)  # mail may carry reset links: for this account only
    partial.replace(target)
    return target


class Handler:
    """aiosmtpd's handler: every ``DATA`` becomes a file."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        store(self.directory, content, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def controller(directory: Path, host: str = HOST, port: int = PORT) -> Any:
    """An aiosmtpd ``Controller`` (not started) storing under ``directory``."""
    from aiosmtpd.controller import Controller

    return Controller(Handler(directory), hostname=host, port=port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The development SMTP sink: one .eml a message.")
    parser.add_argument("--dir", default="var/mail", help="where messages are stored")
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args(argv)
    sink = controller(Path(args.dir), args.host, args.port)
    sink.start()
    print(f"SMTP sink on {args.host}:{args.port}, storing under {args.dir}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    sink.stop()


if __name__ == "__main__":
    main()
