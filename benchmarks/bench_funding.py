"""How fast the funding module answers: one stay, and whole match tables.

Measures, each size in a fresh process so its peak memory (``ru_maxrss``) is its own:

- ``estimate_for_matches`` on random matches (apprentices in the 13 NRW twinning home
  cities, placements in their partner cities, stays of 1-20 weeks, a tenth with fewer
  opportunities), with daily rates entered (the full arithmetic);
- ``budget_check`` and the Beneficiary Module export (CSV) on the first 1,000 rows;
- one ``eligibility`` + ``estimate_erasmus`` for a single stay (the command's work).

Run::

    .venv/bin/python benchmarks/bench_funding.py               # 10k, 100k, 1M matches
    .venv/bin/python benchmarks/bench_funding.py 10000 50000   # chosen sizes
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


def build_tables(n_matches: int, seed: int = 7):
    import numpy as np
    import pandas as pd

    from mobility.io.specs import empty_frame
    from mobility.reference.twinnings import load_partnerships

    rng = np.random.default_rng(seed)
    twins = load_partnerships()
    homes = twins.drop_duplicates("home_city")[["home_city", "home_country", "home_lat",
                                                "home_lon"]]
    n_app, n_plc = max(n_matches // 10, 100), max(n_matches // 50, 50)
    h = homes.iloc[rng.integers(0, len(homes), n_app)].reset_index(drop=True)
    app = pd.DataFrame({
        "apprentice_id": [f"A{i}" for i in range(n_app)], "name": "Synthetic person",
        "email": "a@example.org",
        "date_of_birth": pd.Timestamp("2000-01-01")
        + pd.to_timedelta(rng.integers(0, 3650, n_app), unit="D"),
        "sending_organisation": "Synthetic chamber", "home_city": h["home_city"],
        "home_country": h["home_country"], "home_lat": h["home_lat"], "home_lon": h["home_lon"],
        "trade": "Tischler/in", "isco08": "7522", "training_year": 2, "languages": "de:native",
        "available_from": pd.Timestamp("2027-03-01"), "available_to": pd.Timestamp("2027-12-31"),
        "desired_weeks": rng.integers(1, 21, n_app), "preferred_countries": "",
        "max_distance_km": np.nan, "fewer_opportunities": rng.random(n_app) < 0.1,
        "synthetic": True})
    p = twins.iloc[rng.integers(0, len(twins), n_plc)].reset_index(drop=True)
    plc = pd.DataFrame({
        "placement_id": [f"P{i}" for i in range(n_plc)],
        "company_id": [f"C{i}" for i in range(n_plc)], "trade": "Tischler/in", "isco08": "7522",
        "city": p["partner_city"], "country": p["partner_country"], "lat": p["partner_lat"],
        "lon": p["partner_lon"], "slots": 2, "start": pd.Timestamp("2027-04-01"),
        "end": pd.Timestamp("2027-09-30"), "min_weeks": 1, "max_weeks": 52, "languages": "en:B1",
        "accommodation": True, "accepts_related_trades": False, "synthetic": True})
    comp = pd.DataFrame({"company_id": plc["company_id"], "name": "Synthetic host",
                         "city": plc["city"], "country": plc["country"], "lat": plc["lat"],
                         "lon": plc["lon"], "sector": "", "contact_email": "", "website": "",
                         "synthetic": True})
    def shaped(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
        # Columns the format gained since (optional ones) are added empty.
        template = empty_frame(kind)
        return frame.reindex(columns=template.columns).astype(dict(template.dtypes))

    app, plc, comp = shaped(app, "apprentices"), shaped(plc, "placements"), shaped(comp,
                                                                                 "companies")
    matches = pd.DataFrame({
        "apprentice_id": app["apprentice_id"].to_numpy()[rng.integers(0, n_app, n_matches)],
        "placement_id": plc["placement_id"].to_numpy()[rng.integers(0, n_plc, n_matches)],
        "score": rng.random(n_matches)})
    return matches, app, plc, comp


def measure_one(n_matches: int) -> dict[str, float]:
    from mobility.funding.beneficiary import export_beneficiary_module
    from mobility.funding.budget import budget_check
    from mobility.funding.eligibility import FundingContext, eligibility
    from mobility.funding.estimate import estimate_erasmus, estimate_for_matches
    from mobility.funding.rates import DailyRateTable

    rates = DailyRateTable(call_year=2026, rates={1: 1.0, 2: 1.0, 3: 1.0},
                           source="benchmark placeholder, not a real rate")
    matches, app, plc, comp = build_tables(n_matches)
    estimate_for_matches(matches.head(100), app, plc, daily_rates=rates)  # warm caches
    started = time.perf_counter()
    out = estimate_for_matches(matches, app, plc, daily_rates=rates)
    matches_s = time.perf_counter() - started
    shortlist = out.head(1000)
    started = time.perf_counter()
    budget_check(shortlist, budget_eur=float(shortlist["funding_estimate_eur"].sum()) / 2)
    budget_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        export_beneficiary_module(shortlist, app, plc, comp, Path(tmp) / "bm.csv")
        export_s = time.perf_counter() - started
    ctx = FundingContext.from_names("Dortmund,DE", "Amiens,FR", days=28)
    started = time.perf_counter()
    for _ in range(20):
        eligibility(ctx)
        estimate_erasmus(ctx, daily_rates=rates)
    single_ms = (time.perf_counter() - started) / 20 * 1000
    return {"matches": n_matches, "estimate_for_matches_s": round(matches_s, 3),
            "rows_per_s": round(n_matches / matches_s),
            "erasmus_rows": int(out["funding_programme"].isin(
                ["erasmus_short", "erasmus_pro"]).sum()),
            "budget_check_1k_s": round(budget_s, 4), "bm_export_1k_s": round(export_s, 3),
            "single_stay_ms": round(single_ms, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--child":
        print(json.dumps(measure_one(int(argv[1]))))
        return
    sizes = [int(a) for a in argv] or list(DEFAULT_SIZES)
    for size in sizes:
        done = subprocess.run([sys.executable, __file__, "--child", str(size)],
                              capture_output=True, text=True, check=True)
        print(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main(sys.argv[1:])
