"""``ckan govshare …`` commands (registered with ``toolkit.blanket.cli``)."""

from __future__ import annotations

import click

from .audit.cli import audit
from .exchange.cli import exchange
from .hardening import session
from .harvest.cli import harvest
from .outages.worker import worker
from .reminders.cli import remind
from .reports.cli import report
from .usage.cli import usage
from .workdays.cli import calendar

__all__ = ["govshare"]


@click.group(short_help="Government data sharing commands.")
@click.pass_context
def govshare(ctx: click.Context) -> None:
    """ckanext-govshare: demo data and platform maintenance."""
    # Whatever a command ran, failed or not, its database session ends rolled back (issue 14).
    ctx.call_on_close(session.discard)


govshare.add_command(audit)
govshare.add_command(remind)
govshare.add_command(report)
govshare.add_command(calendar)
govshare.add_command(worker)
govshare.add_command(exchange)
govshare.add_command(usage)
govshare.add_command(harvest)


@govshare.command("demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Load only when the site has no catalogue entry yet (used by `make run`).",
)
@click.option(
    "--entries",
    type=int,
    default=None,
    help="How many entries to load (default: ckanext.govshare.demo.entries).",
)
@click.option("--no-users", is_flag=True, help="Do not create the demo logins.")
def demo(if_empty: bool, entries: int | None, no_users: bool) -> None:
    """Load the demo catalogue through the action API (idempotent)."""
    from ckan import model

    from . import demo as demo_data

    if (
        if_empty
        and model.Session.query(model.Package).filter(model.Package.state == "active").count()
    ):
        click.echo("Catalogue not empty: demo data not loaded.")
        return
    summary = demo_data.load(entries=entries, users=not no_users)
    click.secho(
        "Demo catalogue: {organizations} departments, {datasets} entries "
        "({created} created), {users} new demo logins, {requests} demo requests.".format(**summary),
        fg="green",
    )


@govshare.group("catalogue")
def catalogue() -> None:
    """The catalogue spreadsheet (entries, and data items on a second sheet)."""


@catalogue.command("export")
@click.argument("organization")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def catalogue_export(organization: str, out: str) -> None:
    """Write ORGANIZATION's catalogue to the spreadsheet OUT (.xlsx)."""
    import ckan.plugins.toolkit as tk

    from .catalogue import importer, spreadsheet

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    org = tk.get_action("organization_show")({"user": site_user}, {"id": organization})
    entries = importer.export_entries(org["id"], site_user)
    with open(out, "wb") as f:
        spreadsheet.write(entries, f)
    click.echo(f"{len(entries)} entries written to {out}")


@catalogue.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--org",
    "organization",
    default=None,
    help="Import every row into this department (else the owner_org column).",
)
@click.option(
    "--partial",
    is_flag=True,
    help="Keep the rows that pass even if others fail (default: all or nothing).",
)
def catalogue_import(source: str, organization: str | None, partial: bool) -> None:
    """Create or update catalogue entries from the spreadsheet SOURCE, with a row-by-row report."""
    import ckan.plugins.toolkit as tk

    from .catalogue import importer

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    with open(source, "rb") as f:
        report = importer.import_workbook(f, user=site_user, org=organization, partial=partial)
    for line in report.lines():
        click.echo(line)
    if report.errors:
        raise click.exceptions.Exit(1)
