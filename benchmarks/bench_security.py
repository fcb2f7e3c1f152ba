"""Costs of the trust layer: password hashing, the policy check, narrowing a caseload,
suppressing counts, erasing one apprentice from a populated database, and refusing
hostile uploads of full upload size (each must stay under 2 s and 200 MB).

Run: ``.venv/bin/python benchmarks/bench_security.py [apprentices]`` (default 100,000).
Prints sizes, wall times and peak memory (ru_maxrss for the process; tracemalloc for
each hostile upload).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, func, repeat: int = 1):
    start = time.perf_counter()
    for _ in range(repeat):
        result = func()
    each = (time.perf_counter() - start) / repeat
    unit = f"{each * 1e6:,.1f} us" if each < 1e-3 else f"{each:,.3f} s"
    print(f"{label:58s} {unit:>14s}   peak {peak_mb():,.0f} MB")
    return result


def main(n: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-security-"))
    os.environ["MOBILITY_DATABASE_URL"] = f"sqlite:///{folder / 'bench.db'}"
    os.environ["MOBILITY_VAR_DIR"] = str(folder / "var")

    from mobility.auth import (
        Action,
        Principal,
        Role,
        authorize,
        suppress_small_counts,
        visible_apprentices,
    )
    from mobility.auth.erasure import erase_apprentice
    from mobility.auth.passwords import hash_password, verify_password
    from mobility.io import read_table
    from mobility.storage import create_schema, get_engine, upsert_table

    print(f"apprentices: {n:,}")
    stored = timed("bcrypt hash_password (cost 12)", lambda: hash_password("a long passphrase"),
                   3)
    timed("bcrypt verify_password (cost 12)", lambda: verify_password("a long passphrase",
                                                                      stored), 3)
    adviser = Principal("mueller", Role.ADVISER, organisation="HWK Org 3")
    row = {"apprentice_id": "A1", "sending_organisation": "HWK Org 3", "home_city": "X"}
    timed("authorize(adviser, EDIT_SHORTLIST, row)",
          lambda: authorize(adviser, Action.EDIT_SHORTLIST, row), 20_000)

    rng = np.random.default_rng(1)
    orgs = [f"HWK Org {i}" for i in range(50)]
    cities = ["Dortmund", "Köln", "Essen", "Bochum", "Hagen"]
    lines = ["apprentice_id,name,email,sending_organisation,home_city,home_country,home_lat,"
             "home_lon,trade,training_year,available_from,available_to,desired_weeks"]
    org_pick = rng.integers(0, len(orgs), n)
    city_pick = rng.integers(0, len(cities), n)
    for i in range(n):
        lines.append(f"A{i},Person {i},p{i}@example.org,{orgs[org_pick[i]]},"
                     f"{cities[city_pick[i]]},DE,51.5,7.4,Tischlerin,2,2026-03-01,"
                     "2026-05-31,4")
    frame = timed("read_table (apprentices)", lambda: read_table(
        ("\n".join(lines) + "\n").encode(), "apprentices").frame)
    seen = timed("visible_apprentices(adviser, caseload)",
                 lambda: visible_apprentices(adviser, frame), 5)
    print(f"{'  rows visible to the adviser':58s} {len(seen):>14,}")
    counts = pd.DataFrame({"cell": range(1000), "count": rng.integers(0, 30, 1000)})
    timed("suppress_small_counts (1,000 cells)", lambda: suppress_small_counts(counts), 20)

    engine = get_engine()
    create_schema(engine)
    timed("store the caseload (upsert_table)", lambda: upsert_table(engine, "apprentices",
                                                                    frame))
    size = Path(engine.url.database).stat().st_size / 1e6
    print(f"{'  database file':58s} {size:>11,.1f} MB")
    system = Principal("system", Role.ADMINISTRATOR)
    report = timed("erase_apprentice (scan + secure delete + VACUUM)",
                   lambda: erase_apprentice(engine, "A7", actor=system))
    print(f"{'  rows deleted':58s} {sum(report.rows_deleted.values()):>14,}")


def _sheet_workbook(sheet_xml: bytes) -> bytes:
    """A minimal .xlsx whose first sheet is ``sheet_xml`` (as hostile tools write)."""
    import io
    import zipfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from test_security_limits import workbook

    template = workbook("@@SHEET@@")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"@@SHEET@@", sheet_xml)
            dst.writestr(info.filename, data)
    return out.getvalue()


def hostile_uploads() -> None:
    """Upload-sized hostile files: time and traced peak memory of their refusal."""
    import tracemalloc

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from memory_probe import reading_growth_mb
    from mobility.io import UPLOAD_MAX_BYTES, read_table

    header = (b"apprentice_id,name,email,sending_organisation,home_city,home_country,trade,"
              b"training_year,available_from,available_to,desired_weeks")
    good = (b"A{i},Lea,lea@example.org,HWK Dortmund,Dortmund,DE,Koch,2,2026-03-01,"
            b"2026-05-31,4")
    rows = UPLOAD_MAX_BYTES // (len(good) + 8) - 10
    body = b"\n".join(good.replace(b"{i}", str(i).encode()) for i in range(rows))
    cases = {
        "CSV, 1,000,000-column header": b",".join(b"c%d" % i for i in range(1_000_000)),
        "CSV, 49 MB of separators in one row": header + b"\n" + b"," * (49 * 2**20),
        "CSV, 49 MB, bad row at the end": header + b"\n" + body + b"\n" + b"x," * 300,
        "XLSX, one cell at row 1,048,576": _sheet_workbook(
            b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">'
            b'<c r="A1048576"><v>1</v></c></row></sheetData>'),
        "XLSX, 150,000 cells in column XFD": _sheet_workbook(
            b'<dimension ref="A1:K2"/><sheetData>' + b"".join(
                b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (r, r)
                for r in range(1, 150_001)) + b"</sheetData>"),
        "XLSX, 500,000 good rows then column XFD": _sheet_workbook(
            b"<sheetData>" + b"".join(
                b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>2</v></c></row>'
                % (r, r, r, r) for r in range(1, 500_001))
            + b'<row r="500001"><c r="XFD500001"><v>1</v></c></row></sheetData>'),
    }
    for label, data in cases.items():
        start = time.perf_counter()
        result = read_table(data, "apprentices", name="hostile", max_bytes=UPLOAD_MAX_BYTES)
        elapsed = time.perf_counter() - start
        tracemalloc.start()
        read_table(data, "apprentices", name="hostile", max_bytes=UPLOAD_MAX_BYTES)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        verdict = "refused" if not result.ok else "ACCEPTED"
        growth, _ = reading_growth_mb(data)
        print(f"{label:40s} {len(data) / 1e6:7.1f} MB  {verdict:8s} {elapsed:6.2f} s  "
              f"traced peak {peak:6.0f} MB  RSS growth (fresh process) {growth:6.0f} MB  "
              f"({len(result.problems)} problems)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--hostile"]:
        hostile_uploads()
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
