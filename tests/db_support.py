"""A fresh database of each kind for tests that must run on SQLite and PostgreSQL.

``BACKENDS`` parametrises a fixture; :func:`fresh_database` yields a URL: a SQLite file
under ``tmp_path``, or a schema of its own on the server named by
``MOBILITY_TEST_POSTGRES_URL`` (so parallel test runs cannot collide), dropped again
afterwards. Without that variable the PostgreSQL case is skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from mobility.storage import dispose_engines

PG_URL = os.environ.get("MOBILITY_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def fresh_database(backend: str, tmp_path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        dispose_engines()
        return
    if not PG_URL:
        pytest.skip("MOBILITY_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        dispose_engines()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
