"""How fast files are read, validated, stored and exported.

Generates (once, cached under ``benchmarks/out/``) a synthetic caseload with
``mobility.demo.write_demo`` and measures:

* read + validate apprentices.csv (default 1,000,000 rows) and placements.csv
  (default 500,000 rows) with :func:`mobility.io.read_table`;
* the same apprentices as a Windows-1252, semicolon, decimal-comma file (German Excel);
* upsert of 100,000 apprentices into a fresh SQLite file, then a re-import (updates);
* read back from the database, export to CSV, and a 5,000-row XLSX round trip.

Prints rows, seconds, rows per second and peak memory (ru_maxrss of this process).

Run: ``.venv/bin/python benchmarks/bench_io.py [--apprentices N] [--placements M]``
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def line(label: str, rows: int, seconds: float, extra: str = "") -> None:
    rate = rows / seconds if seconds else float("inf")
    print(f"{label:<48} {rows:>10,} rows {seconds:8.2f} s {rate:>12,.0f} rows/s "
          f"peak {peak_mb():7,.0f} MB {extra}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apprentices", type=int, default=1_000_000)
    parser.add_argument("--placements", type=int, default=500_000)
    parser.add_argument("--db-rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from mobility.demo import write_demo
    from mobility.io import read_table, write_table
    from mobility.storage import create_schema, new_engine, read_table_from_db, upsert_table

    folder = OUT / f"io_{args.apprentices}_{args.placements}_{args.seed}"
    if not (folder / "placements.csv").exists():
        start = time.perf_counter()
        write_demo(folder, n_apprentices=args.apprentices, n_placements=args.placements,
                   seed=args.seed)
        line("generate demo files (not io; cached)", args.apprentices,
             time.perf_counter() - start)
    for kind in ("apprentices", "placements", "companies"):
        size = (folder / f"{kind}.csv").stat().st_size
        print(f"{kind}.csv: {size / 1e6:,.1f} MB")

    start = time.perf_counter()
    apprentices = read_table(folder / "apprentices.csv", "apprentices")
    line("read+validate apprentices.csv", apprentices.rows_read, time.perf_counter() - start,
         f"ok={apprentices.ok}")
    start = time.perf_counter()
    placements = read_table(folder / "placements.csv", "placements")
    line("read+validate placements.csv", placements.rows_read, time.perf_counter() - start,
         f"ok={placements.ok}")
    companies = read_table(folder / "companies.csv", "companies")
    if not (apprentices.ok and placements.ok and companies.ok):
        print("validation problems in generated data:", apprentices.problems[:5],
              placements.problems[:5], companies.problems[:5])
        return 1

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        german = tmp / "apprentices_excel.csv"
        sample = apprentices.frame.head(200_000)
        from mobility.io.writing import export_frame

        text = export_frame(sample, "apprentices")
        for col in ("home_lat", "home_lon", "max_distance_km"):
            text[col] = text[col].map(lambda v: "" if v != v else str(v).replace(".", ","))
        text.to_csv(german, sep=";", index=False, encoding="cp1252", errors="replace")
        start = time.perf_counter()
        excel = read_table(german, "apprentices")
        line("read+validate cp1252 ';' decimal-comma CSV", excel.rows_read,
             time.perf_counter() - start, f"ok={excel.ok}")

        engine = new_engine(f"sqlite:///{tmp / 'bench.db'}")
        create_schema(engine)
        n = min(args.db_rows, len(apprentices.frame))
        rows = apprentices.frame.head(n)
        start = time.perf_counter()
        counts = upsert_table(engine, "apprentices", rows)
        line("upsert apprentices into empty SQLite", n, time.perf_counter() - start,
             f"inserted={counts.inserted:,}")
        start = time.perf_counter()
        counts = upsert_table(engine, "apprentices", rows)
        line("re-import same apprentices (updates)", n, time.perf_counter() - start,
             f"updated={counts.updated:,}")
        start = time.perf_counter()
        back = read_table_from_db(engine, "apprentices")
        line("read apprentices back from SQLite", len(back), time.perf_counter() - start)
        start = time.perf_counter()
        write_table(back, "apprentices", tmp / "export.csv")
        line("export apprentices to CSV", len(back), time.perf_counter() - start)
        small = back.head(5_000)
        start = time.perf_counter()
        write_table(small, "apprentices", tmp / "export.xlsx")
        again = read_table(tmp / "export.xlsx", "apprentices")
        line("XLSX write + read round trip", len(small), time.perf_counter() - start,
             f"ok={again.ok}")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
