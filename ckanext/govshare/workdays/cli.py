"""``ckan govshare calendar …``: working-day arithmetic and the sysadmin calendar table."""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ckan.types import Context

__all__ = ["calendar"]


class _Date(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO date (YYYY-MM-DD)", param, ctx)


DATE = _Date()


def _site_context() -> Context:
    import ckan.plugins.toolkit as tk

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _warn_provisional(years: list[int]) -> None:
    if years:
        click.secho(
            "Provisional: the official schedule of {} is not loaded; statutory holidays used, "
            "adjusted working weekends unknown (ckan govshare calendar load FILE).".format(
                ", ".join(map(str, years))
            ),
            fg="yellow",
            err=True,
        )


def _errors(error: Any) -> str:
    import json

    return json.dumps(getattr(error, "error_dict", None) or str(error), ensure_ascii=False)


@click.group(short_help="Working days: arithmetic and the holiday table.")
def calendar() -> None:
    """The Chinese working-day calendar (statutory holidays and adjusted working weekends)."""


@calendar.command("add-workdays")
@click.argument("start", type=DATE)
@click.argument("n", type=click.IntRange(min=0))
def add_workdays(start: dt.date, n: int) -> None:
    """Print the N-th working day after START (the day after START is day 1)."""
    from . import current

    cal = current()
    end = cal.add_workdays(start, n)
    _warn_provisional(cal.provisional_years(start, end))
    click.echo(end.isoformat())


@calendar.command("workdays-between")
@click.argument("a", type=DATE)
@click.argument("b", type=DATE)
def workdays_between(a: dt.date, b: dt.date) -> None:
    """Print the working days after A up to and including B (negative if B is before A)."""
    from . import current

    cal = current()
    _warn_provisional(cal.provisional_years(a, b))
    click.echo(cal.workdays_between(a, b))


@calendar.command("show")
@click.argument("year", type=click.IntRange(1949, 2099))
def show(year: int) -> None:
    """Print the year's holidays and adjusted working weekends, with their source."""
    import ckan.plugins.toolkit as tk

    result = tk.get_action("govshare_calendar_show")(_site_context(), {"year": year})
    for day in result["days"]:
        flag = " (provisional)" if day["provisional"] else ""
        worked = "workday" if day["is_workday"] else "off"
        click.echo(f"{day['day']}\t{worked}\t{day['name'] or ''}\t{day['source']}{flag}")
    click.echo(f"{result['workdays']} working days in {year}")
    _warn_provisional([year] if result["provisional"] else [])


@calendar.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load(path: str) -> None:
    """Replace the years in FILE with its days (CSV: date,is_workday,name,note).

    Idempotent: loading the same file again changes nothing. YAML and JSON lists of the same
    fields load too. See docs/calendar-example.csv.
    """
    import ckan.plugins.toolkit as tk

    from .csvfile import FormatError, parse

    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    try:
        days = parse(text, path)
    except (FormatError, ValueError) as error:
        click.secho(f"Not a calendar file: {error}", fg="red", err=True)
        sys.exit(1)
    try:
        result = tk.get_action("govshare_calendar_load")(_site_context(), {"days": days})
    except tk.ValidationError as error:
        click.secho(f"Nothing loaded: {_errors(error)}", fg="red", err=True)
        sys.exit(1)
    years = ", ".join(map(str, result["years"]))
    click.secho(f"Loaded {result['loaded']} days for {years}.", fg="green")


@calendar.command("export")
@click.argument("year", type=click.IntRange(1949, 2099))
@click.argument("path", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
def export(year: int, path: str) -> None:
    """Write the year's holidays and adjusted working weekends as a loadable CSV (- for stdout).

    Whatever the source (table, library or statutory rule): edit it and load it back.
    """
    import ckan.plugins.toolkit as tk

    from .csvfile import dump_csv

    result = tk.get_action("govshare_calendar_show")(_site_context(), {"year": year})
    text = dump_csv(result["days"])
    if path == "-":
        click.echo(text, nl=False)
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        click.echo(f"Wrote {len(result['days'])} days of {year} to {path}.")
    _warn_provisional([year] if result["provisional"] else [])
