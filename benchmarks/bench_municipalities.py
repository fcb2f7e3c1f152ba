"""How fast home towns resolve to municipalities, and twin towns are found.

Measures, on a synthetic import column of N home towns (default 100,000) drawn from the
register (names as written, "Koeln"-style folds, postcodes, "PLZ Name", AGS codes,
ambiguous names such as "Frankfurt", and unknown places):

* the register's first load (``data/municipalities_de.csv``);
* :meth:`MunicipalityRegister.resolve_many` over the column;
* :func:`mobility.matching.twins.home_keys` (what matching does for every apprentice);
* building the twin-town table of all 5,372 partnerships against P placements
  (default 50,000) in real partner towns and elsewhere;
* with ``--page``: the apprentice page (Streamlit AppTest, server side, on a fresh demo
  database of 2,000 x 1,000): a first search, then searches from other home towns that
  resolve through the register (one without a partnership, so the neighbours' note shows).

Prints rows, seconds, peak memory and the machine's load. The issue's target: 100,000
home towns in <= 5 s.

Run: ``.venv/bin/python benchmarks/bench_municipalities.py [--rows N] [--placements P]``
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import pandas as pd


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def line(label: str, rows: int, seconds: float) -> None:
    print(f"{label:<44} {rows:>9,} rows {seconds:7.2f} s  peak {peak_mb():6,.0f} MB",
          flush=True)


def home_column(register, n: int, rng: np.random.Generator) -> pd.Series:
    table = register.table.sample(n, replace=True, random_state=1,
                                  weights=register.table["population"].astype(float))
    form = rng.integers(0, 6, n)
    names = table["name"].to_numpy(dtype=object)
    texts = np.where(form == 0, table["postcode"].to_numpy(dtype=object), names)
    texts = np.where(form == 1, table["ags"].to_numpy(dtype=object), texts)
    texts = np.where(form == 2, table["postcode"].to_numpy(dtype=object) + " " + names, texts)
    texts = np.where(form == 3, pd.Series(names).str.replace("ü", "ue").str.replace(
        "ö", "oe").str.replace("ä", "ae").str.upper().to_numpy(dtype=object), texts)
    odd = rng.random(n)
    texts = np.where(odd < 0.02, "Frankfurt", texts)
    texts = np.where((odd >= 0.02) & (odd < 0.03), "Atlantisstadt", texts)
    return pd.Series(texts, dtype="string")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--placements", type=int, default=50_000)
    parser.add_argument("--page", action="store_true", help="also time the apprentice page")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"load average at start: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")

    start = time.perf_counter()
    from mobility.reference.municipalities import municipality_register

    register = municipality_register()
    line("load the register", len(register), time.perf_counter() - start)

    texts = home_column(register, args.rows, rng)
    start = time.perf_counter()
    found = register.resolve_many(texts)
    line("resolve_many (names, postcodes, AGS, ...)", args.rows, time.perf_counter() - start)
    print("  outcome:", found["how"].value_counts().to_dict())

    from mobility.geo import gazetteer
    from mobility.matching.twins import build_twin_table, home_keys

    start = time.perf_counter()
    gazetteer()
    line("load the gazetteer", len(gazetteer()), time.perf_counter() - start)
    start = time.perf_counter()
    home_keys(texts, pd.Series(["DE"] * len(texts)))
    line("home_keys (what matching runs)", args.rows, time.perf_counter() - start)

    from mobility.reference.twinnings import load_partnerships

    partners = load_partnerships()
    pick = partners.sample(args.placements, replace=True, random_state=2)
    elsewhere = rng.random(args.placements) < 0.5
    city = np.where(elsewhere, "Somewhere", pick["partner_city"].to_numpy(dtype=object))
    start = time.perf_counter()
    table = build_twin_table(partners, city, pick["partner_country"].to_numpy(dtype=object),
                             pick["partner_lat"].to_numpy(float),
                             pick["partner_lon"].to_numpy(float))
    line(f"twin table: {len(partners):,} partnerships x", args.placements,
         time.perf_counter() - start)
    print(f"  {len(table.twin_keys):,} (home, placement) twin pairs")
    if args.page:
        apprentice_page()
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


def apprentice_page() -> None:
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    folder = Path(tempfile.mkdtemp(prefix="bench-page-"))
    os.environ["MOBILITY_DATABASE_URL"] = f"sqlite:///{folder / 'mobility.db'}"
    subprocess.run([sys.executable, "-m", "mobility.cli", "init-db", "--demo-apprentices",
                    "2000", "--demo-placements", "1000"], check=True, capture_output=True)
    from streamlit.testing.v1 import AppTest

    from mobility.auth.users import SYSTEM, add_user
    from mobility.storage import get_engine
    from mobility.ui.pages import page_path

    add_user(get_engine(), "bench-admin", "administrator", "bench-password-123", actor=SYSTEM,
             rounds=4)
    at = AppTest.from_file(str(root / "app.py"), default_timeout=120)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = at.session_state["name"] = "bench-admin"
    at.run()
    at.switch_page(str(page_path("apprentice"))).run()

    def search(home: str) -> float:
        at.text_input(key="home_city_new").set_value(home)
        start = time.perf_counter()
        next(b for b in at.button if b.label == "Plätze suchen").click().run()
        seconds = time.perf_counter() - start
        assert not at.exception, [e.value for e in at.exception]
        # A refused home town is a quick error message, not a search: it must not count.
        assert not at.error, [e.value for e in at.error]
        return seconds

    print(f"apprentice page, first search (Dortmund): {search('Dortmund'):.2f} s")
    for home in ("Unna", "Lünen", "59065 Hamm", "Siegen", "Hattingen", "05978036"):
        print(f"apprentice page, search from {home:<12} {search(home):.2f} s")


if __name__ == "__main__":
    main()
