"""``ckan govshare …`` commands (registered with ``toolkit.blanket.cli``)."""

from __future__ import annotations

import click

__all__ = ["govshare"]


@click.group(short_help="Government data sharing commands.")
def govshare() -> None:
    """ckanext-govshare: demo data and platform maintenance."""


@govshare.command("demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Load only when the site has no catalogue entry yet (used by `make run`).",
)
def demo(if_empty: bool) -> None:
    """Load the demo catalogue through the action API (idempotent)."""
    from ckan import model

    from . import demo as demo_data

    if (
        if_empty
        and model.Session.query(model.Package).filter(model.Package.state == "active").count()
    ):
        click.echo("Catalogue not empty: demo data not loaded.")
        return
    summary = demo_data.load()
    click.secho(
        "Demo catalogue: {organizations} departments, {datasets} entries "
        "({created} created).".format(**summary),
        fg="green",
    )
