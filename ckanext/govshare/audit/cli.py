"""``ckan govshare audit verify|anchor|archive``."""

from __future__ import annotations

import datetime as dt
import sys

import click
import sqlalchemy as sa


def _engine() -> sa.engine.Engine:
    from ckan import model

    engine = model.meta.engine
    assert engine is not None, "set up with CKAN's configuration, before any command runs"
    return engine


@click.group(short_help="Verify, anchor and archive the audit trail.")
def audit() -> None:
    """The tamper-evident audit trail (docs/audit.md)."""


@audit.command("verify")
@click.option(
    "--archive",
    "archives",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Archive file(s) to verify first; the chain must run through them into the table.",
)
def verify(archives: tuple[str, ...]) -> None:
    """Recompute the chain; exit 1 naming the first broken link."""
    from . import archive

    with _engine().connect() as conn:
        result, where = archive.verify_all(conn, archives)
    if result.ok:
        click.echo(f"OK: {result.count} events, head {result.head}")
        return
    click.secho(
        f"BROKEN at event {result.broken_seq} ({where}): {result.reason}; "
        f"{result.count} events verified before it, last good hash {result.head}",
        fg="red",
        err=True,
    )
    sys.exit(1)


@audit.command("anchor")
def anchor() -> None:
    """Print the chain's head hash at the end of each day (UTC), to keep off the platform."""
    from . import archive

    with _engine().connect() as conn:
        for day, seq, digest in archive.anchors(conn):
            click.echo(f"{day}\t{seq}\t{digest}")


@audit.command("archive")
@click.option(
    "--before",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Archive the events older than this date (UTC).",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    help="Where to write the archive (default: ckanext.govshare.audit.archive_dir).",
)
def archive_command(before: dt.datetime, directory: str | None) -> None:
    """Move older events to a verified, compressed archive and record the chain head."""
    from ..core import config
    from . import archive

    directory = directory or config.audit_archive_dir()
    if not directory:
        raise click.UsageError("give --dir or set ckanext.govshare.audit.archive_dir")
    try:
        with _engine().begin() as conn:
            record = archive.archive(conn, before, directory)
    except archive.ArchiveError as error:
        click.secho(f"Not archived: {error}", fg="red", err=True)
        sys.exit(1)
    if not record["count"]:
        click.echo("Nothing to archive.")
        return
    click.echo(
        f"Archived events {record['first_seq']}–{record['last_seq']} ({record['count']}) to "
        f"{record['path']}; head {record['head_hash']}"
    )
