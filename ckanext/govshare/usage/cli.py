"""``ckan govshare usage archive``: archive usage records past their retention (art. 29)."""

from __future__ import annotations

import datetime as dt

import click

__all__ = ["usage"]


@click.group("usage", short_help="Usage records of shared data (2025 Regulations art. 29).")
def usage() -> None:
    """Usage records of shared data."""


@usage.command("archive")
@click.option(
    "--today",
    "today",
    default=None,
    metavar="YYYY-MM-DD",
    help="Apply the retention as on this local date (testing; default: today).",
)
def archive(today: str | None) -> None:
    """Archive the usage records kept past their ``retain_until`` (art. 29: kept at least
    three years; archived, never deleted). Each record in its own transaction, audited;
    idempotent and safe from cron (``ckan govshare remind`` does it too)."""
    from ckan import model

    from ..core import clock
    from . import service

    if today:
        try:
            on = dt.date.fromisoformat(today)
        except ValueError as exc:
            raise click.BadParameter(f"{today!r} is not a date (YYYY-MM-DD)") from exc
    else:
        on = clock.today()
    ids = service.archive_due(on)
    model.Session.rollback()
    done = 0
    for record_id in ids:
        try:
            if service.archive_record(record_id, on) is not None:
                done += 1
            model.Session.commit()
        except Exception:
            model.Session.rollback()
            raise
    click.echo(f"Usage records archived ({on.isoformat()}): {done}")
