"""``ckan govshare remind``: reminders, overdue flags, expiry and email retries (from cron)."""

from __future__ import annotations

import datetime as dt

import click


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


@click.command("remind")
@click.option(
    "--today",
    "today",
    default=None,
    metavar="YYYY-MM-DD",
    help="Apply the rules as on this local date (testing; default: today in Asia/Shanghai).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Report what would be done; change nothing, send nothing.",
)
def remind(today: str | None, dry_run: bool) -> None:
    """Remind data officers of due requests, flag overdue ones, expire grants and requests,
    retry failed emails. Idempotent and safe from cron at any frequency."""
    from . import scheduler

    on = _date(today) or scheduler.local_today()
    try:
        summary = scheduler.run(today=on, dry_run=dry_run)
    except scheduler.Busy as exc:
        click.echo(f"Nothing done: {exc}.")
        return
    head = "Dry run, nothing changed" if dry_run else "Done"
    click.echo(f"{head} ({on.isoformat()}):")
    lines = summary.lines()
    for line in lines or ["nothing to do"]:
        click.echo(f"  {line}")
    if summary.get("errors"):
        raise click.exceptions.Exit(1)
