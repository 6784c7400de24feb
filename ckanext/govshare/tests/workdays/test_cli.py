"""``ckan govshare calendar …``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.cli.cli
import pytest

from ckanext.govshare.tests.audit.conftest import events
from ckanext.govshare.workdays.model import rows

pytestmark = pytest.mark.usefixtures("calendar_db")

EXAMPLE = Path(__file__).parents[4] / "docs" / "calendar-example.csv"


def run(cli: Any, *args: str):
    return cli.invoke(ckan.cli.cli.ckan, ["govshare", "calendar", *args])


def test_add_workdays_across_national_day(cli):
    result = run(cli, "add-workdays", "2026-09-28", "10")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "2026-10-16"


def test_add_workdays_into_an_uncovered_year_warns(cli):
    result = run(cli, "add-workdays", "2026-12-31", "1")
    assert result.exit_code == 0, result.output
    assert "2027-01-04" in result.output
    assert "Provisional" in result.output


def test_workdays_between(cli):
    result = run(cli, "workdays-between", "2026-10-16", "2026-09-28")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "-10"


def test_bad_dates_are_refused(cli):
    assert run(cli, "add-workdays", "28/09/2026", "10").exit_code != 0
    assert run(cli, "add-workdays", "2026-09-28", "-1").exit_code != 0


def test_load_show_export(cli, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(
        "\ufeffdate,is_workday,name,note\n"
        "2027-02-05,false,春节,\n"
        "2027-02-20,true,春节调休上班,example\n",
        encoding="utf-8",
    )
    for _ in range(2):  # idempotent
        result = run(cli, "load", str(path))
        assert result.exit_code == 0, result.output
        assert "Loaded 2 days for 2027" in result.output
    assert len(rows(2027)) == 2
    assert len(events(action="govshare_calendar_load")) == 2
    shown = run(cli, "show", "2027")
    assert "2027-02-20\tworkday\t春节调休上班\ttable" in shown.output
    assert "Provisional" not in shown.output
    out = tmp_path / "out.csv"
    assert run(cli, "export", "2027", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("date,is_workday,name,note\n")
    assert "2027-02-20,true,春节调休上班,example" in text
    # The export loads back unchanged.
    assert run(cli, "load", str(out)).exit_code == 0
    assert {r["day"].isoformat() for r in rows(2027)} >= {"2027-02-05", "2027-02-20"}


def test_a_bad_file_loads_nothing(cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,is_workday\n2027-02-05,false\n2027-02-31,true\n", encoding="utf-8")
    result = run(cli, "load", str(path))
    assert result.exit_code == 1
    assert rows() == []
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("when,what\n", encoding="utf-8")
    assert run(cli, "load", str(wrong)).exit_code == 1


def test_json_and_yaml_files_load(cli, tmp_path):
    (tmp_path / "c.json").write_text(
        '[{"date": "2027-02-05", "is_workday": false, "name": "春节"}]', encoding="utf-8"
    )
    (tmp_path / "c.yaml").write_text(
        "- {date: 2028-01-01, is_workday: false, name: 元旦}\n", encoding="utf-8"
    )
    assert run(cli, "load", str(tmp_path / "c.json")).exit_code == 0
    assert run(cli, "load", str(tmp_path / "c.yaml")).exit_code == 0
    assert [r["day"].isoformat() for r in rows()] == ["2027-02-05", "2028-01-01"]


def test_the_documented_example_loads(cli):
    result = run(cli, "load", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert rows()
