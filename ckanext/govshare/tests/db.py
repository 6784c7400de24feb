"""Database helpers shared by the test packages."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from ckan import model

from ckanext.govshare.audit import chain, store
from ckanext.govshare.audit.model import archive_table, event_table, head_table


def reset_audit() -> None:
    """Empty the audit trail through the maintenance escape (as only the archive command does).

    The audit tables are not on CKAN's metadata, so CKAN's ``clean_db`` leaves them alone (its
    ``delete_all`` would trip the append-only trigger): tests that count events of the whole
    trail start from an empty one.
    """
    model.Session.remove()
    with model.meta.engine.begin() as conn, store.maintenance(conn):
        conn.execute(sa.delete(event_table))
        conn.execute(sa.delete(archive_table))
        conn.execute(
            sa.update(head_table).values(seq=0, prev_hash=chain.GENESIS, hash=chain.GENESIS)
        )


#: Snapshots live in schemas named with this prefix (one per kept world).
SNAPSHOT_SCHEMA = "govshare_test_snapshot"
#: Tables kept by triggers from others (the search index's facet counts and the log of its
#: facet changes): putting their rows back would count the index's restored rows twice (or
#: take back the log of the restore itself); the triggers restore them.
DERIVED = ("govshare_search_facet_count", "govshare_search_facet_change")


@dataclass
class _Table:
    name: str
    columns: list[str]  # writable columns (generated ones left out)
    key: list[str]  # primary key columns; empty: the whole table is put back
    rows: int = 0  # rows at the snapshot
    schema: str = SNAPSHOT_SCHEMA  # where the snapshot's copy is

    @property
    def quoted(self) -> str:
        return f'public."{self.name}"'

    @property
    def copy(self) -> str:
        return f'{self.schema}."{self.name}"'

    def same_key(self, left: str, right: str) -> str:
        return " AND ".join(f'{left}."{c}" = {right}."{c}"' for c in self.key)


def _tables(conn: sa.engine.Connection) -> list[_Table]:
    """The public tables (Alembic's version tables left out), parents before children."""
    columns: dict[str, list[str]] = {}
    for name, column in conn.execute(
        sa.text(
            "SELECT c.relname, a.attname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 "
            "AND NOT a.attisdropped AND a.attgenerated = '' "
            "AND c.relname NOT LIKE '%alembic_version' AND c.relname <> ALL(:derived) "
            "ORDER BY c.relname, a.attnum"
        ),
        {"derived": list(DERIVED)},
    ):
        columns.setdefault(name, []).append(column)
    keys: dict[str, list[str]] = {}
    for name, column in conn.execute(
        sa.text(
            "SELECT c.relname, a.attname FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) "
            "WHERE n.nspname = 'public' AND i.indisprimary ORDER BY c.relname, a.attnum"
        )
    ):
        keys.setdefault(name, []).append(column)
    parents: dict[str, set[str]] = {name: set() for name in columns}
    for child, parent in conn.execute(
        sa.text(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        )
    ):
        child, parent = child.strip('"'), parent.strip('"')
        if child in parents and parent in columns and parent != child:
            parents[child].add(parent)
    ordered: list[str] = []
    placed: set[str] = set()

    def place(name: str, seen: frozenset[str]) -> None:
        if name in placed or name in seen:
            return
        for parent in sorted(parents[name]):
            place(parent, seen | {name})
        placed.add(name)
        ordered.append(name)

    for name in sorted(columns):
        place(name, frozenset())
    return [_Table(name, columns[name], keys.get(name, [])) for name in ordered]


class Snapshot:
    """The database as a module's world left it, put back before each of its tests.

    ``take`` copies every public table into a schema of its own and notes the transaction
    id. ``restore`` finds the tables a test changed by the rows' ``xmin`` (the transaction
    that wrote each row) and their counts, then, in one transaction: deletes the rows added
    since, writes the changed rows back and adds the deleted ones again. That isolates the
    tests that write (through actions, the web app, their own connections or threads alike)
    for a few milliseconds a test, where building the world again costs seconds. When a
    table cannot be put back (a schema changed, a constraint in the way), ``restore``
    answers ``False`` and the world is built again.
    """

    def __init__(self, tables: list[_Table], xid: int, schema: str) -> None:
        self.tables = tables
        self.xid = xid
        self.schema = schema

    @classmethod
    def take(cls, schema: str) -> Snapshot:
        """Copy the database into ``schema`` (replacing what was there)."""
        model.Session.remove()
        with model.meta.engine.begin() as conn:
            tables = _tables(conn)
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            for table in tables:
                table.schema = schema
                table.rows = conn.execute(
                    sa.text(f"CREATE UNLOGGED TABLE {table.copy} AS TABLE {table.quoted}")
                ).rowcount
            xid = conn.execute(sa.text("SELECT txid_current() % 4294967296")).scalar_one()
        return cls(tables, xid, schema)

    def changed(self, conn: sa.engine.Connection) -> dict[str, tuple[int, int]]:
        """``{table: (rows now, rows written since)}`` of the tables a test changed."""
        query = " UNION ALL ".join(
            f"SELECT '{t.name}', count(*), count(*) FILTER "
            f"(WHERE xmin::text::bigint > {self.xid}) FROM {t.quoted}"
            for t in self.tables
        )
        rows = {t.name: t.rows for t in self.tables}
        return {
            name: (now, written)
            for name, now, written in conn.execute(sa.text(query))
            if written or now != rows[name]
        }

    def restore(self) -> bool:
        """Put the snapshot back; ``False`` if it could not be."""
        model.Session.remove()
        try:
            with model.meta.engine.begin() as conn, store.maintenance(conn):
                changed = self.changed(conn)
                if not changed:
                    return True
                dirty = [t for t in self.tables if t.name in changed]
                for t in reversed(dirty):  # rows added since: children first
                    if not t.key:
                        conn.execute(sa.text(f"DELETE FROM {t.quoted}"))
                        continue
                    conn.execute(
                        sa.text(
                            f"DELETE FROM {t.quoted} AS t WHERE xmin::text::bigint > {self.xid} "
                            f"AND NOT EXISTS (SELECT 1 FROM {t.copy} AS s "
                            f"WHERE {t.same_key('s', 't')})"
                        )
                    )
                for t in dirty:  # rows changed since
                    values = [c for c in t.columns if c not in t.key]
                    if t.key and values:
                        assign = ", ".join(f'"{c}" = s."{c}"' for c in values)
                        conn.execute(
                            sa.text(
                                f"UPDATE {t.quoted} AS t SET {assign} FROM {t.copy} AS s "
                                f"WHERE {t.same_key('s', 't')} "
                                f"AND t.xmin::text::bigint > {self.xid}"
                            )
                        )
                for t in dirty:  # rows deleted since: parents first
                    now, written = changed[t.name]
                    if t.key and now - written >= t.rows:
                        continue
                    cols = ", ".join(f'"{c}"' for c in t.columns)
                    missing = (
                        f" WHERE NOT EXISTS (SELECT 1 FROM {t.quoted} AS t "
                        f"WHERE {t.same_key('s', 't')})"
                        if t.key
                        else ""
                    )
                    conn.execute(
                        sa.text(
                            f"INSERT INTO {t.quoted} ({cols}) "
                            f"SELECT {cols} FROM {t.copy} AS s{missing}"
                        )
                    )
                xid = conn.execute(sa.text("SELECT txid_current() % 4294967296")).scalar_one()
            self.xid = xid
            with model.meta.engine.connect() as conn:
                return not self.changed(conn)
        except sa.exc.SQLAlchemyError:
            return False
        finally:
            model.Session.remove()

    @staticmethod
    def drop() -> None:
        """Drop every snapshot's schema."""
        with model.meta.engine.begin() as conn:
            schemas = conn.execute(
                sa.text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :prefix"),
                {"prefix": f"{SNAPSHOT_SCHEMA}%"},
            ).scalars()
            for schema in list(schemas):
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))

    def differences(self) -> list[str]:
        """The tables whose content is not the snapshot's (slow: for checking ``restore``)."""
        found = []
        with model.meta.engine.connect() as conn:
            for t in self.tables:
                digest = "SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))"
                now = conn.execute(sa.text(f"{digest} FROM {t.quoted} AS x")).scalar_one()
                then = conn.execute(sa.text(f"{digest} FROM {t.copy} AS x")).scalar_one()
                if now != then:
                    found.append(t.name)
        return found
