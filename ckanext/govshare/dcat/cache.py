"""Catalogue pages assembled from each entry's kept RDF (issue 20 item 3; docs/federation.md).

ckanext-dcat's ``/catalog.*`` rebuilds every entry's graph on every page (about 0.6 s a page of
100). Here each entry's triples are built once per change of what the reader's search gives
(``cache_keys.digest``) and kept in ``govshare_dcat_rdf`` (one row per entry and link-visibility
class, ``cache_keys.variant``): a page is the search (ckanext-dcat's own, so paging, ``q``,
``fq`` and ``modified_since`` are unchanged), the catalogue part and the hydra paging built by
the serializer as before, and the kept N-Triples of its entries. Turtle and N3 take those lines
as they are; RDF/XML and JSON-LD parse them into the page's graph and serialise it.

Never stale: a kept row is served only when it was built from exactly the dict this reader's
search gave now, under the same profile code and settings (``cache_keys.fingerprint``), and
from the same stored rows of the entry's resources: the profile reads the table and the kept
services of a resource the link policy cut from the database (``cut_resources``), which the
reader's dict does not show, so each row's version (PostgreSQL's ``xmin``, new on every write
of the row, whatever wrote it: an ORM flush, a bulk ``UPDATE`` such as CKAN's
``set_datastore_active_flag``, plain SQL, another process) is part of the digest, read for the
whole page in one statement. The search decides which entries a reader gets (deleted, private
or withdrawn ones never reach here), and the link policy has been applied to them when read.

Rows are also deleted in the transaction that changes their entry, one of its resources or its
department, so little out of date is kept: SQLAlchemy mapper events note the rows a flush
writes, ``do_orm_execute`` the rows a bulk ``UPDATE``/``DELETE`` through the session matches
(mapper events do not see those); one statement before the commit.
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.model import meta
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCAT
from ckanext.dcat.utils import DCAT_EXPOSE_SUBCATALOGS, dataset_uri, url_to_rdflib_format
from rdflib import ConjunctiveGraph, URIRef
from sqlalchemy import event, exc, orm
from sqlalchemy.dialects.postgresql import insert

from . import cache_keys

log = logging.getLogger(__name__)

TABLE = "govshare_dcat_rdf"
PROFILE = "govshare"
# Settings that can appear in an entry's RDF: any change of them is a new fingerprint.
SETTING_PREFIXES = (
    "ckanext.dcat.",
    "ckanext.govshare.",
    "ckan.site_",
    "ckan.locale",
    "ckan.root_path",
    "scheming.",
)

kept_table = sa.Table(
    TABLE,
    meta.metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("variant", sa.UnicodeText, primary_key=True),
    sa.Column("digest", sa.UnicodeText, nullable=False),
    sa.Column("triples", sa.UnicodeText, nullable=False),
    sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
)


def profiles_of(data_dict: Mapping[str, Any]) -> list[str]:
    """The profiles a catalogue request is served with (ckanext-dcat's rule)."""
    asked = data_dict.get("profiles")
    if asked:
        return [str(p) for p in asked]
    configured = str(tk.config.get("ckanext.dcat.rdf.profiles") or "").split()
    return configured or ["euro_dcat_ap_3"]


def applies(data_dict: Mapping[str, Any]) -> bool:
    """Pages of the govshare profile are assembled from kept RDF; other profiles (and
    sub-catalogues, which group entries by their source) take ckanext-dcat's path."""
    if tk.asbool(tk.config.get(DCAT_EXPOSE_SUBCATALOGS, False)):
        return False
    return PROFILE in profiles_of(data_dict)


def _sources(root: Path, start: Path) -> list[Path]:
    """The files of ``start``'s package and, transitively, of the platform's modules they import
    (``from ..catalogue.codes import …``): the code an entry's RDF depends on."""
    found: set[Path] = set()
    todo = [p for p in sorted(start.iterdir()) if p.suffix in (".py", ".ttl")]
    while todo:
        path = todo.pop()
        if path in found or not path.is_file():
            continue
        found.add(path)
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = path.parent
                for _ in range(node.level - 1):
                    base = base.parent
                target = base.joinpath(*(node.module or "").split("."))
                names = [target / f"{a.name}.py" for a in node.names] + [target]
                for candidate in names:
                    module = candidate.with_suffix(".py")
                    package = candidate / "__init__.py"
                    for file in (module, package):
                        if file.is_file() and root in file.parents:
                            todo.append(file)
    return sorted(found)


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The code that shapes an entry's RDF: this package's modules (the profile, its vocabulary,
    the service interface's description, the share-type scheme) and the platform's modules they
    import (code lists, access paths, settings), ckanext-dcat's, rdflib's and CKAN's versions.
    Read once a process."""
    digest = hashlib.sha256()
    for name in ("ckanext-dcat", "rdflib", "ckan"):
        try:
            digest.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?\n".encode())
    here = Path(__file__).resolve().parent
    root = here.parent
    for path in _sources(root, here):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(profiles: Iterable[str]) -> str:
    settings = {
        key: value
        for key, value in tk.config.items()
        if isinstance(key, str) and key.startswith(SETTING_PREFIXES)
    }
    return cache_keys.fingerprint(code_version(), profiles, settings)


def _kept(keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(package id, variant) → (digest, triples) of the rows kept for these keys."""
    if not keys:
        return {}
    c = kept_table.c
    rows = model.Session.execute(
        sa.select(c.package_id, c.variant, c.digest, c.triples).where(
            sa.tuple_(c.package_id, c.variant).in_(keys)
        )
    ).all()
    return {(r.package_id, r.variant): (r.digest, r.triples) for r in rows}


def _keep(rows: list[dict[str, Any]]) -> None:
    """Write the rows built for a page in a transaction of their own: a catalogue read keeps
    no other change, and a failure to keep costs a rebuild, never the page."""
    if not rows:
        return
    statement = insert(kept_table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[kept_table.c.package_id, kept_table.c.variant],
        set_={
            "digest": statement.excluded.digest,
            "triples": statement.excluded.triples,
            "built_at": statement.excluded.built_at,
        },
    )
    engine = meta.engine
    if engine is None:
        return
    try:
        with engine.begin() as connection:
            # A row locked by an open change of its entry: wait briefly, then leave it.
            connection.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
            connection.execute(statement)
    except exc.DBAPIError:
        log.warning("Kept DCAT RDF not written (%d entries)", len(rows), exc_info=True)


_VERSIONS = sa.text("select id, xmin::text as version from resource where id = any(:ids)")


def row_versions(resource_ids: Iterable[str]) -> dict[str, str]:
    """Resource id → the version of its row (``xmin``: the transaction that last wrote it), for
    those that exist. One statement; a resource's primary-key lookups."""
    ids = sorted({str(i) for i in resource_ids if i})
    if not ids:
        return {}
    rows = model.Session.execute(_VERSIONS, {"ids": ids})
    return {row.id: row.version for row in rows}


def _page_versions(entries: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return row_versions(rid for e in entries for rid in cache_keys.resource_ids(e))


def fragments(
    serializer: RDFSerializer, entries: list[dict[str, Any]], profiles: list[str]
) -> list[tuple[URIRef, str]]:
    """Each entry's dataset URI and N-Triples: kept ones whose digest matches, the others
    built by the profile (and kept, if the rows it read did not change while it built)."""
    mark = fingerprint(profiles)
    keeping = _table_exists(model.Session.connection())
    versions = _page_versions(entries) if keeping else {}
    keys = [
        (
            str(e.get("id") or ""),
            cache_keys.variant(e),
            cache_keys.digest(mark, e, cache_keys.versions_of(e, versions)),
        )
        for e in entries
    ]
    kept = _kept([(i, v) for i, v, _ in keys if i]) if keeping else {}
    now = dt.datetime.now(dt.timezone.utc)
    result: list[tuple[URIRef, str]] = []
    built: dict[tuple[str, str], dict[str, Any]] = {}
    for entry, (entry_id, variant, digest) in zip(entries, keys, strict=True):
        found = kept.get((entry_id, variant))
        if found is not None and found[0] == digest:
            result.append((URIRef(dataset_uri(entry)), found[1]))
            continue
        serializer.g = ConjunctiveGraph()
        ref = serializer.graph_from_dataset(entry)
        triples = serializer.g.serialize(format="nt")
        result.append((ref, triples))
        if entry_id:
            built[(entry_id, variant)] = {
                "package_id": entry_id,
                "variant": variant,
                "digest": digest,
                "triples": triples,
                "built_at": now,
                "entry": entry,
            }
    if keeping and built:
        _keep(_unchanged(list(built.values()), versions))
    return result


def _unchanged(built: list[dict[str, Any]], before: Mapping[str, str]) -> list[dict[str, Any]]:
    """The built rows whose resources' rows are the versions their digest names. The profile
    read them in statements of its own, after ``before`` was read: a write committed in between
    (and not undone: a new write is a new version) would file triples under a digest they do
    not match. Such a row is served to this reader, as built, and not kept."""
    entries = [row.pop("entry") for row in built]
    now = _page_versions(entries)
    return [
        row
        for row, entry in zip(built, entries, strict=True)
        if cache_keys.versions_of(entry, now) == cache_keys.versions_of(entry, before)
    ]


@functools.lru_cache(maxsize=8)
def _loaded(profiles: tuple[str, ...], compatibility: bool) -> RDFSerializer:
    """A serializer with its profiles loaded (entry points are read once, not on each page)."""
    return RDFSerializer(profiles=list(profiles), compatibility_mode=compatibility)


def serializer_for(profiles: list[str]) -> RDFSerializer:
    """A serializer of its own for one page (its graph is its own, its profiles shared)."""
    compatibility = tk.asbool(tk.config.get("ckanext.dcat.compatibility_mode", False))
    serializer = copy.copy(_loaded(tuple(profiles), compatibility))
    serializer.g = ConjunctiveGraph()
    return serializer


def catalog(context: Any, data_dict: dict[str, Any]) -> str:
    """A catalogue page as ``dcat_catalog_show`` / ``dcat_catalog_search`` answer it: the same
    search, catalogue node and hydra paging, the entries' triples from what is kept."""
    query = dcat_logic._search_ckan_datasets(context, data_dict)
    entries = query["results"]
    paging = dcat_logic._pagination_info(query, data_dict)
    profiles = profiles_of(data_dict)
    serializer = serializer_for(profiles)
    parts = fragments(serializer, entries, profiles)

    serializer.g = ConjunctiveGraph()
    catalog_ref = serializer.graph_from_catalog({})
    if paging:
        serializer._add_pagination_triples(paging)
    fmt = url_to_rdflib_format(data_dict.get("format") or "xml")
    if fmt in cache_keys.LINE_FORMATS:
        # The catalogue's dcat:dataset links as lines too: rdflib's Turtle writer is slow.
        links = "".join(
            f"{catalog_ref.n3()} {DCAT.dataset.n3()} {ref.n3()} .\n" for ref, _ in parts
        )
        head = serializer.g.serialize(format=fmt)
        return cache_keys.assembled(head, [links, *(t for _, t in parts)])
    for ref, _ in parts:
        serializer.g.add((catalog_ref, DCAT.dataset, ref))
    if parts:  # one parse of the page's lines: rdflib's parser is set up once
        serializer.g.parse(data=cache_keys.assembled("", (t for _, t in parts)), format="nt")
    return serializer.g.serialize(format=fmt)


# ---------------------------------------------------------------- invalidation


# Databases where the table was found (a database not migrated yet keeps nothing; only a
# table found is remembered, so a later migration is seen).
_found: set[str] = set()


def _table_exists(connection: Any) -> bool:
    url = str(connection.engine.url)
    if url in _found:
        return True
    if sa.inspect(connection).has_table(TABLE):
        _found.add(url)
        return True
    return False


_PENDING = "govshare_dcat_forget"


def _pending(target: Any) -> dict[str, set[str]] | None:
    """The entries and departments changed in the target's session since it last committed."""
    session = orm.object_session(target)
    if not isinstance(session, orm.Session):
        return None
    return _noted(session)


def _noted(session: orm.Session) -> dict[str, set[str]]:
    return session.info.setdefault(_PENDING, {"entries": set(), "departments": set(), "all": set()})


def _entry_changed(_mapper: Any, _connection: Any, target: Any) -> None:
    pending = _pending(target)
    if pending is not None and target.id:
        pending["entries"].add(target.id)


def _resource_changed(_mapper: Any, _connection: Any, target: Any) -> None:
    pending = _pending(target)
    if pending is not None and target.package_id:
        pending["entries"].add(target.package_id)


def _department_changed(_mapper: Any, _connection: Any, target: Any) -> None:
    """A department's title and its other fields appear in its entries' RDF (publisher)."""
    pending = _pending(target)
    if pending is not None and getattr(target, "is_organization", False):
        pending["departments"].add(target.id)


# Tables whose bulk UPDATE/DELETE changes kept RDF: the column that names the entry (or the
# department) a matched row belongs to.
_BULK_TARGETS = {
    "package": ("entries", "id"),
    "resource": ("entries", "package_id"),
    "group": ("departments", "id"),
}


def _bulk_changed(state: orm.ORMExecuteState) -> None:
    """A bulk ``UPDATE``/``DELETE`` through the session (``Query.update``, ``update(Resource)``,
    ``resource_table.update()``): mapper events do not see it, so the entries of the rows its
    WHERE matches are noted here, read just before it runs, in its transaction. Without a
    WHERE, every kept row is forgotten. (Plain SQL text is not seen: the digest still refuses
    what it left out of date, see the module's docstring.)"""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    target = _BULK_TARGETS.get(str(getattr(table, "name", "")))
    if table is None or target is None:
        return
    kind, column = target
    pending = _noted(state.session)
    where = getattr(state.statement, "whereclause", None)
    if where is None:
        pending["all"].add("*")
        return
    matched = state.session.connection().execute(sa.select(table.c[column]).where(where))
    pending[kind].update(str(v) for v in matched.scalars() if v)


def _forget(session: orm.Session) -> None:
    """Before the change commits, in its transaction: one statement for all it touched (CKAN
    flushes in its own ``before_commit``; what is left is flushed here first)."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    pending = session.info.pop(_PENDING, None)
    if not pending or not (pending["entries"] or pending["departments"] or pending["all"]):
        return
    if not _table_exists(session.connection()):
        return
    if pending["all"]:
        session.execute(kept_table.delete())
        return
    c = kept_table.c
    conditions = []
    if pending["entries"]:
        conditions.append(c.package_id.in_(sorted(pending["entries"])))
    if pending["departments"]:
        owned = sa.select(model.Package.id).where(
            model.Package.owner_org.in_(sorted(pending["departments"]))
        )
        conditions.append(c.package_id.in_(owned))
    session.execute(kept_table.delete().where(sa.or_(*conditions)))


def _drop_pending(session: orm.Session, *_: Any) -> None:
    session.info.pop(_PENDING, None)


for _event in ("after_update", "after_delete"):
    event.listen(model.Package, _event, _entry_changed)
for _event in ("after_insert", "after_update", "after_delete"):
    event.listen(model.Resource, _event, _resource_changed)
event.listen(model.Group, "after_update", _department_changed)
event.listen(orm.Session, "do_orm_execute", _bulk_changed)
event.listen(orm.Session, "before_commit", _forget)
event.listen(orm.Session, "after_rollback", _drop_pending)
