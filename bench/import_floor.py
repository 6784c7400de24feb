"""What importing one harvested entry costs at the least, piece by piece (issue 20, item 4).

A first harvest imports each entry with CKAN's ``package_create``. A bulk import that writes
many entries per statement (docs/federation.md, "Throughput") would share the statements, the
commits and the harvest records' bookkeeping, but each entry would still need three pieces of
work that no statement can share:

1. **validation** by the dataset schema (scheming and the platform's validators), as
   ``package_create`` validates;
2. **the entry as shown**: ``package_show``'s dict (the model dictized, the show schema, the
   link policy), which the activity stores and the search document is made from;
3. **the search document** built from that dict (CKAN's ``index_package``: the show schema's
   ``validated_data_dict``, the plugins' ``before_dataset_index``, the embedded backend's row).

This creates ``-n`` entries with every catalogue field (the synthetic entries of
``bench/catalog_export.py``, as a lower platform serves them) through ``package_create`` and
times it whole, then times each piece alone on the same entries: CPU time of this process
(``time.process_time``), no profiler, best of ``--repeat``. Beside it, where PostgreSQL runs on
the same machine, the CPU its processes spent meanwhile (every ``postgres`` process's user and
system time from ``/proc``, so its background writers are in it; ``n/a`` where there is none
to read). It prints each piece's milliseconds an entry, both sums, and the rate they leave room
for with one import process and with two (this machine has two cores, shared by both).

    python bench/import_floor.py --ckan-ini config/bench-harvest.ini -n 300

It uses the bench config's own database (the entries it creates are deleted and purged at the
end): ``CKAN_INI=$PWD/config/bench-harvest.ini DB_NAME=govshare_bench_harvest REDIS_DB=5 bash
scripts/setup.sh database config migrate i18n``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog_export  # bench/catalog_export.py: the synthetic entries

from ckanext.govshare.harvest import origin

PREFIX = "import-floor-"


def harvested_dict(i: int, rng: random.Random, org_id: str) -> dict[str, Any]:
    """A synthetic entry as the CKAN harvester hands it to ``package_create``: the lower
    platform's dict with the upper platform's department, its own name, no ids and its origin
    stamped (``harvest/plugin.py``, ``modify_package_dict``)."""
    pkg = json.loads(catalog_export.catalogue_doc(i, rng)["data_dict"])
    for key in ("id", "metadata_created", "metadata_modified", "organization", "revision_id"):
        pkg.pop(key, None)
    remote_name = pkg["name"]
    pkg["name"] = f"{PREFIX}{i:06d}"
    pkg["owner_org"] = org_id
    origin.stamp(
        pkg,
        source_title="下级平台",
        source_url="http://lower.example.gov.cn",
        remote_ref=remote_name,
    )
    for resource in pkg.get("resources") or []:
        resource.pop("id", None)
        resource.pop("package_id", None)
    return pkg


def postgres_cpu() -> float | None:
    """Seconds of CPU every local ``postgres`` process has spent so far (``None`` without any
    to read: PostgreSQL on another machine, or no ``/proc``). Processes that ended between two
    readings drop out of the second one; connections here stay open through a piece."""
    tick = os.sysconf("SC_CLK_TCK")
    total, found = 0, False
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        if name != "postgres":
            continue
        fields = rest.split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        found = True
    return total / tick if found else None


def cpu_ms(work: Callable[[], Any], count: int, repeat: int) -> tuple[float, float | None]:
    """Milliseconds of CPU an entry of this process and of PostgreSQL, each the best of
    ``repeat`` runs (``None`` for PostgreSQL where it cannot be read)."""
    best, best_db = float("inf"), float("inf")
    for _ in range(repeat):
        db_start = postgres_cpu()
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
        db_end = postgres_cpu()
        if db_start is not None and db_end is not None:
            best_db = min(best_db, db_end - db_start)
    db = None if best_db == float("inf") else best_db * 1000 / count
    return best * 1000 / count, db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckan-ini", required=True)
    parser.add_argument("-n", type=int, default=300, help="entries (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each piece, best kept")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()

    import ckan.logic
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.lib import plugins as lib_plugins
    from ckan.lib.dictization import model_save
    from ckan.lib.search import index_for

    app = make_app(load_config(args.ckan_ini))
    with app._wsgi_app.test_request_context():  # type: ignore[attr-defined]
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        system = {"user": site_user, "ignore_auth": True}
        org_name = PREFIX + "department"
        try:
            org = tk.get_action("organization_show")(dict(system), {"id": org_name})
        except tk.ObjectNotFound:
            org = tk.get_action("organization_create")(
                dict(system), {"name": org_name, "title": "导入基准部门"}
            )
        _purge_entries(model)
        rng = random.Random(args.seed)
        entries = [harvested_dict(i, rng, org["id"]) for i in range(args.n)]

        # The whole create, as a harvest runs it today (its commit-time index and activity).
        ids: list[str] = []

        def create_all() -> None:
            ids.extend(
                tk.get_action("package_create")(dict(system, return_id_only=True), dict(entry))
                for entry in entries
            )

        create_ms, create_db = cpu_ms(create_all, args.n, 1)
        model.Session.remove()

        package_plugin = lib_plugins.lookup_package_plugin("dataset")

        validated: list[dict[str, Any]] = []

        def validate_all() -> None:
            validated.clear()
            for i, entry in enumerate(entries):
                fresh = dict(entry, name=f"{PREFIX}fresh-{i:06d}")
                context = {**system, "model": model, "session": model.Session}
                schema = package_plugin.create_package_schema()
                data, errors = lib_plugins.plugin_validate(
                    package_plugin, context, fresh, schema, "package_create"
                )
                if errors:
                    raise SystemExit(f"entry {i} does not validate: {errors}")
                validated.append(data)
            model.Session.rollback()

        def write_all() -> None:
            for data in validated:
                context = {**system, "model": model, "session": model.Session}
                model_save.package_dict_save(dict(data), context)
            model.Session.flush()
            model.Session.rollback()

        shown: list[dict[str, Any]] = []

        # CKAN 2.12 builds the entry once for both the activity and the index: dictized once,
        # then validated by the default and the dataset type's show schemas. CKAN 2.11 shows
        # it once for each.
        both_schemas = getattr(ckan.logic, "package_show_default_and_custom_schemas", None)

        def show_all() -> None:
            shown.clear()
            for package_id in ids:
                if both_schemas is not None:
                    default, custom = both_schemas({"user": site_user}, package_id)
                    shown.append(dict(default, with_custom_schema=custom))
                    continue
                shown.append(
                    tk.get_action("package_show")(
                        {"ignore_auth": True, "use_cache": False, "for_view": False},
                        {"id": package_id, "include_tracking": False},
                    )
                )
            model.Session.rollback()

        index = index_for("package")

        def index_all() -> None:
            for pkg_dict in shown:
                index.index_package(dict(pkg_dict), defer_commit=True)
            model.Session.rollback()

        validate_ms, validate_db = cpu_ms(validate_all, args.n, args.repeat)
        write_ms, write_db = cpu_ms(write_all, args.n, args.repeat)
        show_ms, show_db = cpu_ms(show_all, args.n, args.repeat)
        index_ms, index_db = cpu_ms(index_all, args.n, args.repeat)
        _purge_entries(model)

    def db(ms: float | None) -> str:
        return "    n/a" if ms is None else f"{ms:7.1f}"

    floor = validate_ms + show_ms + index_ms
    shown_as = "package_show" if both_schemas is None else "both show schemas"
    rows = [
        ("package_create, whole (commit-time index and activity)", create_ms, create_db),
        ("1. validation (create schema)", validate_ms, validate_db),
        (f"2. the entry as shown ({shown_as})", show_ms, show_db),
        ("3. the search document, written (index_package)", index_ms, index_db),
        ("4. the rows through CKAN's ORM, one flush for all", write_ms, write_db),
    ]
    print(f"{args.n} entries with every catalogue field; ms of CPU an entry, best of {args.repeat}")
    print(f"  {'':56} {'import':>7} {'PostgreSQL':>10}")
    for label, own, database in rows:
        print(f"  {label:56} {own:7.1f} {db(database):>10}")
    print(f"  {'1 + 2 + 3, what a bulk import cannot share':56} {floor:7.1f}")
    print(
        f"  room left by 1 + 2 + 3 alone: {1000 / floor:5.0f} entries/s with one process, "
        f"{2000 / floor:5.0f} with two (target 85)"
    )
    parts_db = [validate_db, show_db, index_db, write_db]
    if all(part is not None for part in parts_db):
        least = floor + write_ms + sum(p for p in parts_db if p is not None)
        print(
            f"  1 + 2 + 3 + 4 with PostgreSQL's share, the whole machine:  {least:7.1f} ms an "
            f"entry, {2000 / least:5.0f} entries/s on two cores at best (today's create: "
            f"{create_ms + (create_db or 0):.1f} ms, {2000 / (create_ms + (create_db or 0)):.0f}/s)"
        )


def _purge_entries(model: Any) -> None:
    """Every entry this benchmark made, purged (the department stays for the next run)."""
    import ckan.plugins.toolkit as tk

    system = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
    names = model.Session.query(model.Package.name).filter(model.Package.name.like(PREFIX + "%"))
    # A purge tells the search index of the purged entry's resources and extras as changes of
    # the entry, whose ``package_show`` then fails: CKAN logs each (the entry is removed from
    # the index all the same). Its level is restored after, so the timed creates log as usual.
    logger = logging.getLogger("ckan.model.modification")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        for (name,) in names.all():
            tk.get_action("dataset_purge")(dict(system, ignore_auth=True), {"id": name})
        model.Session.commit()
    finally:
        logger.setLevel(level)


if __name__ == "__main__":
    main()
