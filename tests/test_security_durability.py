"""An import killed half way (SIGKILL, mid-write) leaves the database exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import sqlalchemy as sa

from db_support import BACKENDS, fresh_database
from mobility.io import read_table
from mobility.storage import create_schema, dispose_engines, get_engine, upsert_table

HEADER = ("apprentice_id,name,email,sending_organisation,home_city,home_country,home_lat,"
          "home_lon,trade,training_year,available_from,available_to,desired_weeks\n")
ROWS = 150_000  # big enough that storing it takes a few seconds in 20,000-row chunks


def _row(i: int, name: str) -> str:
    return (f"K{i:07d},{name} {i},p{i}@example.org,HWK Dortmund,Dortmund,DE,51.51,7.47,"
            "Tischlerin,2,2026-03-01,2026-05-31,4\n")


def _snapshot(engine: sa.Engine) -> dict[str, list[tuple]]:
    tables = sa.MetaData()
    tables.reflect(engine)
    with engine.connect() as conn:
        return {name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
                for name, t in tables.tables.items()}


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path, monkeypatch):
    """A database with three stored apprentices."""
    with fresh_database(request.param, tmp_path) as url:
        monkeypatch.setenv("MOBILITY_DATABASE_URL", url)
        engine = get_engine(url)
        create_schema(engine)
        existing = HEADER + "".join(_row(i, "Before") for i in range(3))
        upsert_table(engine, "apprentices", read_table(existing.encode(), "apprentices").frame)
        yield url


def test_an_import_killed_mid_write_changes_nothing(database, tmp_path):
    big = tmp_path / "big.csv"
    # The first rows update the three stored apprentices: a partial write would show.
    big.write_text(HEADER + "".join(_row(i, "After") for i in range(ROWS)), encoding="utf-8")
    before = _snapshot(get_engine(database))
    dispose_engines()

    proc = subprocess.Popen(
        [sys.executable, "-m", "mobility", "import", str(big), "--kind", "apprentices"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        env={**os.environ, "MOBILITY_DATABASE_URL": database})
    seen = []
    for line in proc.stderr:  # progress lines: "[ 27%] stored 40,000 of 150,000 apprentices"
        seen.append(line)
        if "stored 40,000" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)[-500:]

    engine = get_engine(database)
    assert _snapshot(engine) == before
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    # and the database is usable at once: no lock or half transaction left behind
    again = HEADER + _row(0, "Later")
    upsert_table(engine, "apprentices", read_table(again.encode(), "apprentices").frame)
    with engine.connect() as conn:
        name = conn.execute(sa.text("select name from apprentices where apprentice_id = "
                                    "'K0000000'")).scalar()
    assert name == "Later 0"
