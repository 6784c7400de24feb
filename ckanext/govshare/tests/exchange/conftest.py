"""Fixtures of the batch exchange tests (issue 17).

``exchange_db``: a second local PostgreSQL database standing for a department's exchange
node (前置机, 2016 Measures art. 12), created once per test database and kept between
sessions (creating a database costs about a second; its tables are the tests' to empty).
"""

from __future__ import annotations

from collections.abc import Iterator

import ckan.plugins.toolkit as tk
import psycopg2
import pytest
from psycopg2 import sql
from sqlalchemy.engine import make_url

EXCHANGE_HOST = "127.0.0.1"
EXCHANGE_USER = "postgres"


def exchange_db_name() -> str:
    """``<test database>_exchange``: one exchange database per test configuration."""
    database = make_url(tk.config.get("sqlalchemy.url")).database
    assert database, "sqlalchemy.url names no database"
    return f"{database}_exchange"


def admin_connection(dbname: str = "postgres") -> psycopg2.extensions.connection:
    """A superuser connection (trust authentication on 127.0.0.1), autocommit."""
    conn = psycopg2.connect(host=EXCHANGE_HOST, user=EXCHANGE_USER, dbname=dbname)
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def exchange_db() -> Iterator[str]:
    """The DSN ``postgresql://postgres@127.0.0.1/<test database>_exchange``; created if missing."""
    name = exchange_db_name()
    conn = admin_connection()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    yield f"postgresql://{EXCHANGE_USER}@{EXCHANGE_HOST}/{name}"
