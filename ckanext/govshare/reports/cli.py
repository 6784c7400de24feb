"""``ckan govshare report --year Y --out DIR``: every department's report, and the platform's."""

from __future__ import annotations

import os

import click


@click.command("report")
@click.option("--year", type=int, required=True, help="The year reported on, e.g. 2026.")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, writable=True),
    required=True,
    help="Folder to write the files into (made if missing).",
)
def report(year: int, out: str) -> None:
    """Write each department's yearly report and the platform-wide one (.xlsx and .pdf).

    Files are named govshare-report-<department>-<year>.xlsx/.pdf and
    govshare-report-platform-<year>.xlsx/.pdf (art. 18: reported by the end of February).
    """
    from ckan import model

    from ..core import clock
    from . import build, export

    if not 2016 <= year <= clock.today().year:
        raise click.BadParameter(f"from 2016 to {clock.today().year}", param_hint="--year")
    os.makedirs(out, exist_ok=True)
    platform, departments = build.all_reports(year)
    model.Session.rollback()  # the read is over
    written = 0
    for rep in [*departments, platform]:
        for suffix, make in (("xlsx", export.xlsx), ("pdf", export.pdf)):
            with open(os.path.join(out, export.filename(rep, suffix)), "wb") as f:
                f.write(make(rep))
            written += 1
    click.echo(
        f"{len(departments)} department reports and the platform report for {year}: "
        f"{written} files in {out}"
    )
