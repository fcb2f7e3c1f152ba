"""How long keeping partnerships takes with a nation-wide table.

Stores ``N`` partnerships (default: the 5,441 rows of ``../shared/reference/twinnings_de.csv``
when present, else synthetic rows of 1,840 municipalities), then times what one render of
the "Keep partnerships" section and one save do: list a municipality's rows, read one,
its history, a CSV and an XLSX export, one change and one add. Prints sizes, times and
peak memory.

    PYTHONPATH=src python benchmarks/bench_partnerships.py [--rows N]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import pandas as pd

from mobility.auth import Principal, Role
from mobility.storage import create_schema, new_engine, upsert_table
from mobility.storage.partnerships import (
    PartnershipKey,
    add_partnership,
    change_partnership,
    city_partnerships,
    city_partnerships_file,
    get_partnership,
    partnership_history,
    shaped,
    working_partnerships,
)

#: The nation-wide list next to the checkout (``../shared/reference``), wherever it sits.
SHARED = next((p / "shared" / "reference" / "twinnings_de.csv"
               for p in Path(__file__).resolve().parents
               if (p / "shared" / "reference" / "twinnings_de.csv").exists()), Path("-"))


def _table(rows: int | None) -> pd.DataFrame:
    if rows is None and SHARED.exists():
        raw = pd.read_csv(SHARED, dtype=str, keep_default_na=False)
        frame = pd.DataFrame({
            "home_city": raw["city"], "home_country": "DE", "home_ags": raw["city_ags"],
            "home_lat": raw["city_lat"].astype(float), "home_lon": raw["city_lon"].astype(float),
            "partner_city": raw["partner"], "partner_country": raw["partner_country"],
            "partner_lat": pd.to_numeric(raw["partner_lat"]),
            "partner_lon": pd.to_numeric(raw["partner_lon"]),
            "since_year": pd.to_numeric(raw["since_year"]), "status": "active"})
    else:
        n = rows or 5441
        frame = pd.DataFrame({
            "home_city": [f"Gemeinde {i % 1840}" for i in range(n)], "home_country": "DE",
            "home_lat": 51.0, "home_lon": 7.0, "partner_city": [f"Town {i}" for i in range(n)],
            "partner_country": "FR", "partner_lat": 48.0, "partner_lon": 2.0,
            "status": "active"})
    frame = frame.dropna(subset=["partner_lat", "partner_lon"])
    frame = frame.drop_duplicates(["home_city", "partner_city", "partner_country"])
    frame = frame[frame["partner_city"] != ""]
    return shaped(frame)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int)
    args = parser.parse_args()
    engine = new_engine()
    create_schema(engine)
    table = _table(args.rows)
    upsert_table(engine, "partnerships", table)
    city = "Dortmund" if (table["home_city"] == "Dortmund").any() else table["home_city"][0]
    who = Principal("stadt", Role.MUNICIPALITY, city=city)
    print(f"{len(table):,} partnerships of {table['home_city'].nunique():,} municipalities; "
          f"{city}: {int((table['home_city'] == city).sum())}")
    timings = {}

    def timed(label, func):
        start = time.perf_counter()
        result = func()
        timings[label] = time.perf_counter() - start
        return result

    from mobility.geo import gazetteer

    timed("gazetteer", gazetteer)  # loaded once per process (the dashboard keeps it)
    rows = timed("list", lambda: city_partnerships(engine, who))
    key = PartnershipKey.of(rows.iloc[0])
    record = timed("read one", lambda: get_partnership(engine, who, key))
    timed("change", lambda: change_partnership(engine, who, key, expected=record.token,
                                               status="dormant"))
    timed("add", lambda: add_partnership(engine, who, partner_city="Lyon",
                                         partner_country="FR"))
    timed("history", lambda: partnership_history(engine, who))
    timed("csv", lambda: city_partnerships_file(engine, who, "csv"))
    timed("xlsx", lambda: city_partnerships_file(engine, who, "xlsx"))
    held = working_partnerships(engine)  # what the dashboard's cache holds

    def render():  # one render of the section: list, form, history, both downloads
        mine = city_partnerships(engine, who, table=held)
        get_partnership(engine, who, PartnershipKey.of(mine.iloc[0]), table=mine)
        partnership_history(engine, who, table=held)
        city_partnerships_file(engine, who, "csv", table=held)
        city_partnerships_file(engine, who, "xlsx", table=held)

    timed("render", render)
    for label, seconds in timings.items():
        print(f"{label:>9}: {seconds * 1000:7.1f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
