"""Storing the import kinds: engine settings, upserts, all-or-nothing, init-db."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from mobility.cli import main
from mobility.errors import ConfigurationError, ValidationError
from mobility.io import KINDS, read_table
from mobility.storage import (
    count_rows,
    create_schema,
    database_url,
    dispose_engines,
    get_engine,
    new_engine,
    read_table_from_db,
    upsert_table,
)
from mobility.storage.setup import init_database, is_initialised

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
ORDER = ["partnerships", "companies", "placements", "apprentices"]


def example(kind: str) -> pd.DataFrame:
    result = read_table(EXAMPLES / f"{kind}.csv", kind)
    assert result.ok, result.problems
    return result.frame


@pytest.fixture
def engine():
    engine = get_engine()
    create_schema(engine)
    return engine


PG_URL = os.environ.get("MOBILITY_TEST_POSTGRES_URL", "")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_engine(request, tmp_path, monkeypatch):
    """The schema on SQLite, and on PostgreSQL when a test server is given."""
    if request.param == "sqlite":
        yield get_engine()
        return
    if not PG_URL:
        pytest.skip("MOBILITY_TEST_POSTGRES_URL is not set")
    schema = f"io_{uuid.uuid4().hex[:12]}"  # our own schema: parallel runs cannot collide
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    monkeypatch.setenv("MOBILITY_DATABASE_URL", f"{PG_URL}{sep}options=-csearch_path%3D{schema}")
    try:
        yield get_engine()
    finally:
        dispose_engines()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def filled(any_engine):
    create_schema(any_engine)
    for kind in ORDER:
        upsert_table(any_engine, kind, example(kind))
    return any_engine


def snapshot(engine: sa.Engine) -> dict[str, list]:
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {name: sorted(map(repr, conn.execute(sa.select(table)).all()))
                for name, table in meta.tables.items() if name != "audit_log"}


def test_the_default_url_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MOBILITY_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert database_url().endswith("x.db")
    monkeypatch.delenv("MOBILITY_DATABASE_URL")
    assert database_url().endswith("var/mobility.db")


def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(engine):
    assert get_engine() is engine  # one engine per URL and process
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_bad_database_url_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="not valid"):
        new_engine("no such url")
    with pytest.raises(ConfigurationError, match="no database driver"):
        new_engine("oracle+nonexistent://u:p@h/db")


@pytest.mark.parametrize("kind", KINDS)
def test_a_stored_table_reads_back_with_the_same_columns_dtypes_and_values(filled, kind):
    stored = read_table_from_db(filled, kind)
    expected = example(kind).sort_values(list(_key(kind))).reset_index(drop=True)
    pd.testing.assert_frame_equal(stored, expected)


def _key(kind):
    from mobility.io import spec_for

    return spec_for(kind).key


def test_reimporting_the_same_ids_updates_rows_instead_of_duplicating(filled):
    changed = example("apprentices")
    changed.loc[0, "name"] = "Lea Umbenannt (synthetic)"
    counts = upsert_table(filled, "apprentices", changed)
    assert (counts.inserted, counts.updated) == (0, len(changed))
    stored = read_table_from_db(filled, "apprentices")
    assert len(stored) == len(changed)
    assert "Lea Umbenannt (synthetic)" in set(stored["name"])


def test_an_import_records_who_imported_what_in_the_audit_log(engine):
    upsert_table(engine, "companies", example("companies"), user="mueller", source="c.csv")
    with engine.connect() as conn:
        row = conn.execute(sa.text("select who, action, entity, detail from audit_log")).one()
    assert row.who == "mueller" and row.action == "import" and row.entity == "companies"
    assert '"inserted": 5' in row.detail


def test_a_placement_of_an_unknown_company_is_refused_by_the_database_and_nothing_is_written(
        engine):
    placements = example("placements")
    with pytest.raises(ValidationError, match="import companies first"):
        upsert_table(engine, "placements", placements)
    assert count_rows(engine, "placements") == 0


def test_a_frame_not_in_the_import_format_is_refused(engine):
    frame = example("companies").drop(columns="lat")
    with pytest.raises(ValidationError, match="not in the import format"):
        upsert_table(engine, "companies", frame)


def test_a_failing_import_leaves_the_database_exactly_as_it_was(filled, tmp_path, capsys):
    before = snapshot(filled)
    counts_before = {kind: count_rows(filled, kind) for kind in KINDS}
    text = (EXAMPLES / "apprentices.csv").read_text(encoding="utf-8").splitlines()
    # A valid new row and a changed existing row, then one bad row at the very end.
    text.append(text[1].replace("EX-A001", "EX-A999").replace("Lea", "Neu"))
    text[2] = text[2].replace("Jonas Muster", "Jonas Geändert")
    text.append(text[3].replace("EX-A003", "EX-A998").replace(",2,de:", ",9,de:"))
    bad = tmp_path / "apprentices_bad.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")

    assert main(["import", str(bad), "--kind", "apprentices"]) == 2
    err = capsys.readouterr().err
    assert "apprentices_bad.csv, row 9, column 'training_year'" in err
    assert "nothing was imported" in err
    assert {kind: count_rows(filled, kind) for kind in KINDS} == counts_before
    assert snapshot(filled) == before


def test_concurrent_sessions_can_write_and_read_through_one_engine(engine):
    upsert_table(engine, "companies", example("companies"))
    frames = {kind: example(kind) for kind in ("placements", "apprentices")}
    errors: list[BaseException] = []

    def work(kind: str) -> None:
        try:
            for _ in range(5):
                upsert_table(engine, kind, frames[kind])
                read_table_from_db(engine, "companies")
        except BaseException as exc:  # collected: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in frames for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count_rows(engine, "apprentices") == len(frames["apprentices"])


def test_init_database_loads_the_twinnings_once_and_is_safe_to_run_again():
    engine = get_engine()
    assert not is_initialised(engine)
    first = init_database(engine, with_demo=False)
    assert first["partnerships"] >= 124 and first["apprentices"] == 0
    assert is_initialised(engine)
    assert init_database(engine, with_demo=False) == first


def test_init_database_with_demo_loads_a_synthetic_caseload_through_the_importer():
    pytest.importorskip("mobility.demo")
    engine = get_engine()
    counts = init_database(engine, demo_apprentices=40, demo_placements=20)
    assert counts["apprentices"] == 40 and counts["placements"] == 20
    assert read_table_from_db(engine, "apprentices")["synthetic"].all()


def test_init_db_command_if_missing_returns_at_once_when_the_database_exists(capsys):
    assert main(["init-db", "--no-demo"]) == 0
    assert "database built" in capsys.readouterr().out
    assert main(["init-db", "--if-missing"]) == 0
    assert "database ready" in capsys.readouterr().out


def test_reading_and_storing_report_progress_up_to_done(engine):
    seen: list[tuple[float, str]] = []
    result = read_table(EXAMPLES / "companies.csv", "companies",
                        progress=lambda f, m: seen.append((f, m)))
    assert [m for _, m in seen] == ["read file", "validate", "done"]
    stored: list[float] = []
    upsert_table(engine, "companies", result.frame, progress=lambda f, m: stored.append(f))
    assert stored and stored[-1] == 1.0 and stored == sorted(stored)
