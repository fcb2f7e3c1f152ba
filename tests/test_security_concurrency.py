"""Two advisers, one shortlist entry: real concurrent writers, never a lost update.

Writers are real threads and real processes against a SQLite file, and against a
PostgreSQL server when ``MOBILITY_TEST_POSTGRES_URL`` is set (``.ci/run`` starts one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from db_support import BACKENDS, fresh_database
from mobility.auth.audit import audit_trail
from mobility.auth.users import SYSTEM
from mobility.errors import ConflictError
from mobility.storage import create_schema, dispose_engines, get_engine, upsert_table
from mobility.storage.shortlist import get_shortlist, set_shortlist_status

WRITERS = 4
INCREMENTS = 5


def _seed(url: str) -> None:
    from mobility.io import read_table

    engine = get_engine(url)
    create_schema(engine)
    for kind, data in [
        ("companies", b"company_id,name,city,country\nC1,Joinery,Leeds,GB\n"),
        ("placements", b"placement_id,company_id,trade,city,country,slots,start,end,min_weeks,"
                       b"max_weeks\nP1,C1,Tischler,Leeds,GB,1,2026-03-01,2026-06-30,2,6\n"),
        ("apprentices", b"apprentice_id,name,home_city,home_country,trade,training_year,"
                        b"available_from,available_to,desired_weeks\n"
                        b"A1,Lea,Dortmund,DE,Tischlerin,2,2026-03-01,2026-05-31,4\n"),
    ]:
        upsert_table(engine, kind, read_table(data, kind).frame)
    set_shortlist_status(engine, "A1", "P1", "suggested", note="0", user="setup",
                         expected_version=0)


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path, monkeypatch):
    """A database URL with the schema and one shortlist entry (version 1, note "0")."""
    with fresh_database(request.param, tmp_path) as url:
        monkeypatch.setenv("MOBILITY_DATABASE_URL", url)
        _seed(url)
        yield url


def _save_from_stale_read(url: str, user: str, barrier) -> str:
    """Read version 1 like a page would, wait for everyone, then save: one must win."""
    engine = get_engine(url)
    seen = int(get_shortlist(engine, apprentice_id="A1")["version"].iloc[0])
    barrier.wait(timeout=60)
    try:
        set_shortlist_status(engine, "A1", "P1", "contacted", note=f"by {user}", user=user,
                             expected_version=seen)
        return "saved"
    except ConflictError as exc:
        return f"refused: {exc}"


def _increment(url: str, user: str, times: int, barrier) -> int:
    """Add one to the note ``times`` times, re-reading after every refusal (what an
    adviser does after "reload"); returns how many refusals it took."""
    engine = get_engine(url)
    barrier.wait(timeout=60)
    refusals = 0
    done = 0
    while done < times:
        row = get_shortlist(engine, apprentice_id="A1").iloc[0]
        try:
            set_shortlist_status(engine, "A1", "P1", "contacted", note=str(int(row["note"]) + 1),
                                 user=user, expected_version=int(row["version"]))
            done += 1
        except ConflictError:
            refusals += 1
    dispose_engines()
    return refusals


def _check_one_winner(url: str, outcomes: list[str]) -> None:
    assert outcomes.count("saved") == 1, outcomes
    refused = [o for o in outcomes if o != "saved"]
    assert len(refused) == WRITERS - 1
    entry = get_shortlist(get_engine(url), apprentice_id="A1").iloc[0]
    winner = entry["updated_by"]
    assert entry["version"] == 2 and entry["note"] == f"by {winner}"
    for message in refused:
        assert f"changed by {winner} at " in message and message.endswith("reload")


def test_threads_saving_a_stale_entry_leave_exactly_one_winner(database):
    barrier = threading.Barrier(WRITERS)
    with ThreadPoolExecutor(WRITERS) as pool:
        outcomes = list(pool.map(lambda i: _save_from_stale_read(database, f"adviser{i}",
                                                                 barrier), range(WRITERS)))
    _check_one_winner(database, outcomes)


# Writers in separate interpreters, started with subprocess rather than multiprocessing:
# spawn re-imports the parent's __main__, which AppTest tests in the same worker replace.
WORKER = r"""
import json, os, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import test_security_concurrency as t
ready, go = Path(sys.argv[3]), Path(sys.argv[4])
class FileBarrier:  # every writer has read what it needs before any of them writes
    def wait(self, timeout):
        ready.touch()
        deadline = time.monotonic() + timeout
        while not go.exists():
            if time.monotonic() > deadline:
                raise TimeoutError("no go signal")
            time.sleep(0.005)
job = sys.argv[2]
url, user = os.environ["MOBILITY_DATABASE_URL"], os.environ["WRITER"]
if job == "stale":
    print(json.dumps(t._save_from_stale_read(url, user, FileBarrier())))
else:
    print(json.dumps(t._increment(url, user, int(os.environ["TIMES"]), FileBarrier())))
"""


def _run_processes(database: str, job: str, tmp_path) -> list:
    go = tmp_path / f"go-{job}"
    procs, ready = [], []
    for i in range(WRITERS):
        flag = tmp_path / f"ready-{job}-{i}"
        ready.append(flag)
        env = {**os.environ, "MOBILITY_DATABASE_URL": database, "WRITER": f"adviser{i}",
               "TIMES": str(INCREMENTS)}
        procs.append(subprocess.Popen(
            [sys.executable, "-c", WORKER, str(Path(__file__).parent), job, str(flag), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    deadline = time.monotonic() + 120
    while not all(f.exists() for f in ready):
        assert time.monotonic() < deadline, "writers did not start"
        assert all(p.poll() is None for p in procs), [p.communicate()[1] for p in procs]
        time.sleep(0.01)
    go.touch()
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    return outputs


def test_processes_saving_a_stale_entry_leave_exactly_one_winner(database, tmp_path):
    dispose_engines()  # no connections held while the children work
    _check_one_winner(database, _run_processes(database, "stale", tmp_path))


def test_concurrent_increments_in_processes_lose_no_update(database, tmp_path):
    dispose_engines()
    _run_processes(database, "increment", tmp_path)
    entry = get_shortlist(get_engine(database), apprentice_id="A1").iloc[0]
    assert int(entry["note"]) == WRITERS * INCREMENTS
    assert entry["version"] == 1 + WRITERS * INCREMENTS
    # Every successful change, and only those, is in the audit trail.
    trail = audit_trail(get_engine(database), SYSTEM, entity="shortlist")
    assert len(trail) == 1 + WRITERS * INCREMENTS


def test_concurrent_increments_in_threads_lose_no_update(database):
    barrier = threading.Barrier(WRITERS)
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(lambda i: _increment(database, f"adviser{i}", INCREMENTS, barrier),
                      range(WRITERS)))
    entry = get_shortlist(get_engine(database), apprentice_id="A1").iloc[0]
    assert int(entry["note"]) == WRITERS * INCREMENTS
