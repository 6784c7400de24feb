"""``ckan govshare harvest run SOURCE``: one harvest job, run to its end in this process
(``jobs.py``), for an upper platform's schedule of its lower platforms (federation.md)."""

from __future__ import annotations

import click


@click.group("harvest", short_help="Harvest a lower platform.")
def harvest() -> None:
    """Harvest jobs run without ckanext-harvest's queues."""


@harvest.command("run")
@click.argument("source")
@click.option(
    "--batch",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Records imported between two closings of the database session (default 500).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes importing the records (up to one per core; see docs/federation.md).",
)
def run(source: str, batch: int | None, workers: int) -> None:
    """Gather, fetch and import a new job of the harvest source SOURCE (id or name)."""
    import os

    from . import jobs  # ckanext-harvest: only a harvesting platform has it installed

    def progress(done: int, total: int) -> None:
        who = f"worker {os.getpid()}: " if workers > 1 else ""
        click.echo(f"{who}{done}/{total} records imported", err=True)

    outcome = jobs.run(
        source, batch=batch or jobs.DEFAULT_BATCH, workers=workers, progress=progress
    )
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(outcome.statuses.items()))
    click.echo(f"Job {outcome.job_id}: {outcome.gathered} records gathered; {statuses or 'none'}")
