"""Facet counts kept with the index, per value and visibility; GIN indexes without pending lists.

Revision ID: 4d2a6b8f0c53
Revises: a1c0e5f3b201
Create Date: 2026-12-06

Counting the facets of the whole visible catalogue by a scan unpacks every entry's facet codes
(about 950,000 values at 100,000 entries, 120-164 ms). ``govshare_search_facet_count`` keeps
the counts instead: statement triggers on the index add, for each statement, one row per
(visibility, facet code) with the change of its count, so the counts change in the same
transaction as the rows, whoever writes them (CKAN's indexing, ``search-index clear``, a
``DELETE``). Writers only ever insert: no row is shared between two writers' transactions, so no
writer waits for another or deadlocks. About every ``COMPACT_EVERY`` delta rows, the writer
whose insert crosses the mark merges the table into one row per key (if no other transaction
is merging: an advisory lock taken with ``try``). See ``search/facet_counts.py``.
"""

from alembic import op

revision = "4d2a6b8f0c53"
down_revision = "a1c0e5f3b201"
branch_labels = None
depends_on = None

INDEX = "govshare_search_index"
COUNTS = "govshare_search_facet_count"
COMPACT_EVERY = 4096
# pg_try_advisory_xact_lock key of the merge: hashtext('govshare_search_facet_count').
LOCK_KEY = "hashtext('govshare_search_facet_count')"
GIN_INDEXES = (
    "ix_govshare_search_index_tsv",
    "ix_govshare_search_index_terms",
    "ix_govshare_search_index_facets",
)

VISIBILITY = "site_id, state, capacity, dataset_type, permission_labels"
_AUTOVACUUM = [
    ("autovacuum_vacuum_scale_factor", "0.02"),
    ("autovacuum_vacuum_insert_scale_factor", "0.02"),
    ("autovacuum_analyze_scale_factor", "0.02"),
]
AUTOVACUUM = ", ".join(f"{k} = {v}" for k, v in _AUTOVACUUM)
COUNTS_AUTOVACUUM = (
    "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, "
    "autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 1000, "
    "autovacuum_vacuum_cost_delay = 0"
)

_KEY = "site_id, state, capacity, dataset_type, entity_type, labels, code"
_ROW_KEY = (
    "r.site_id, r.state, r.capacity, r.dataset_type, r.entity_type, r.permission_labels AS labels"
)


def _codes(rows: str, sign: str) -> str:
    """One row per (visibility, code) of the rows, with the code 0 (hits) for every row."""
    return (
        f"SELECT {_ROW_KEY}, c.code, {sign}1 AS n FROM {rows} r, "
        f"unnest(r.facet_ids || CAST(0 AS bigint)) AS c(code)"
    )


def upgrade():
    op.execute(
        f"""
        CREATE TABLE {COUNTS} (
            id bigserial PRIMARY KEY,
            site_id text NOT NULL,
            state text,
            capacity text,
            dataset_type text,
            entity_type text,
            labels text[] NOT NULL,
            code bigint NOT NULL,
            n bigint NOT NULL
        )
        """
    )
    # Read by an index scan (``facet_counts.counts``): it visits the live rows only, and marks
    # the entries of rows a merge deleted as dead the first time it meets them, so reads stay
    # as fast between vacuums (and on servers without autovacuum) as after one. Vacuumed after
    # every 1,000 changed rows, whatever its size.
    op.execute(f"CREATE INDEX ix_{COUNTS}_code ON {COUNTS} (site_id, code)")
    op.execute(f"ALTER TABLE {COUNTS} SET ({COUNTS_AUTOVACUUM})")
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {COUNTS}_compact() RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT pg_try_advisory_xact_lock({LOCK_KEY}) THEN
                RETURN;  -- another transaction is merging
            END IF;
            WITH moved AS (DELETE FROM {COUNTS} RETURNING {_KEY}, n)
            INSERT INTO {COUNTS} ({_KEY}, n)
            SELECT {_KEY}, sum(n) FROM moved GROUP BY {_KEY} HAVING sum(n) <> 0;
        END $$
        """
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {COUNTS}_delta() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            added bigint;
            last bigint;
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO {COUNTS} ({_KEY}, n)
                SELECT {_KEY}, sum(n) FROM ({_codes("govshare_new", "+")}) d
                GROUP BY {_KEY};
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO {COUNTS} ({_KEY}, n)
                SELECT {_KEY}, sum(n) FROM ({_codes("govshare_old", "-")}) d
                GROUP BY {_KEY};
            ELSE
                INSERT INTO {COUNTS} ({_KEY}, n)
                SELECT {_KEY}, sum(n) FROM (
                    {_codes("govshare_new", "+")} UNION ALL {_codes("govshare_old", "-")}
                ) d
                GROUP BY {_KEY} HAVING sum(n) <> 0;
            END IF;
            GET DIAGNOSTICS added = ROW_COUNT;
            IF added > 0 THEN
                last := currval(pg_get_serial_sequence('{COUNTS}', 'id'));
                IF last / {COMPACT_EVERY} > (last - added) / {COMPACT_EVERY} THEN
                    PERFORM {COUNTS}_compact();
                END IF;
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {COUNTS}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {COUNTS};
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"CREATE TRIGGER {COUNTS}_insert AFTER INSERT ON {INDEX} "
        f"REFERENCING NEW TABLE AS govshare_new "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {COUNTS}_delta()"
    )
    op.execute(
        f"CREATE TRIGGER {COUNTS}_update AFTER UPDATE ON {INDEX} "
        f"REFERENCING OLD TABLE AS govshare_old NEW TABLE AS govshare_new "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {COUNTS}_delta()"
    )
    op.execute(
        f"CREATE TRIGGER {COUNTS}_delete AFTER DELETE ON {INDEX} "
        f"REFERENCING OLD TABLE AS govshare_old "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {COUNTS}_delta()"
    )
    op.execute(
        f"CREATE TRIGGER {COUNTS}_truncate AFTER TRUNCATE ON {INDEX} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {COUNTS}_truncate()"
    )
    # The rows already indexed.
    op.execute(
        f"INSERT INTO {COUNTS} ({_KEY}, n) "
        f"SELECT {_KEY}, sum(n) FROM ({_codes(INDEX, '+')}) d GROUP BY {_KEY}"
    )
    # GIN indexes without a pending list: with fastupdate on, a live site's writes pile up in
    # an unsorted list every search reads through until (auto)vacuum merges it (docs/benchmarks.md).
    for name in GIN_INDEXES:
        op.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
        op.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")
    # Date ranges counted from the index alone: the columns CKAN filters every search by ride
    # along (an index-only scan, where the rows' pages were read before).
    op.execute("DROP INDEX ix_govshare_search_index_modified")
    op.execute(
        f"CREATE INDEX ix_govshare_search_index_modified ON {INDEX} (metadata_modified, index_id) "
        f"INCLUDE ({VISIBILITY})"
    )
    # Index-only scans need pages marked all-visible: vacuum after 2 % of the rows changed
    # (the default waits for 20 %), so a live site's edits keep few pages unmarked.
    op.execute(f"ALTER TABLE {INDEX} SET ({AUTOVACUUM})")


def downgrade():
    op.execute(f"ALTER TABLE {INDEX} RESET ({', '.join(k for k, _ in _AUTOVACUUM)})")
    op.execute("DROP INDEX ix_govshare_search_index_modified")
    op.execute(
        f"CREATE INDEX ix_govshare_search_index_modified ON {INDEX} (metadata_modified, index_id)"
    )
    for name in GIN_INDEXES:
        op.execute(f"ALTER INDEX {name} RESET (fastupdate)")
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS {COUNTS}_{event} ON {INDEX}")
    op.execute(f"DROP FUNCTION IF EXISTS {COUNTS}_delta()")
    op.execute(f"DROP FUNCTION IF EXISTS {COUNTS}_truncate()")
    op.execute(f"DROP FUNCTION IF EXISTS {COUNTS}_compact()")
    op.execute(f"DROP TABLE {COUNTS}")
