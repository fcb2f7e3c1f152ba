"""Compile (or load from numba's on-disk cache) every matching kernel once, on a tiny market.

The kernels in :mod:`mobility.matching.kernel` and :mod:`mobility.matching.assign` are
compiled on their first call in a fresh installation and cached next to their source
(``cache=True``). Compiling takes about a minute on two shared cores, and it holds
Python's global interpreter lock: when the dashboard's warm-up thread was the first to
call them, the sign-in page of a new clone waited that minute too. ``make run`` therefore
calls :func:`compile_kernels` before it starts the server (``python -m
mobility.matching.warm``); with the cache in place that takes a few seconds, and the app's
own warm-up only loads the cache.

>>> from mobility.matching.warm import compile_kernels
>>> compile_kernels("stable", twinnings=False)  # loads the cache after `make run`
"""

from __future__ import annotations

import sys
import time

#: What :func:`compile_kernels` can be limited to.
WHAT = (None, "recommend-one", "stable", "optimal")


def compile_kernels(method: str | None = None, twinnings: bool = True) -> None:
    """Call the kernels ``method`` uses once on a tiny market (every kernel: ``None``).

    Parameters
    ----------
    method : {None, "recommend-one", "stable", "optimal"}
        ``None``: recommendations, the stable and the optimal allocation. A stable run
        does not load the optimal solver, and the other way round, so the benchmark
        counts only what a method needs.
    twinnings : bool
        Fit with the shipped partnerships (the twin-town kernels) or without any (no
        reference data is loaded: ``benchmarks/bench_startup.py`` times that apart).
    """
    if method not in WHAT:
        raise ValueError(f"method must be one of {WHAT}, not {method!r}")
    import numpy as np
    import pandas as pd

    from mobility.matching import Matcher

    day = pd.Timestamp("2026-03-01")
    placements = pd.DataFrame({
        "placement_id": ["P1"], "company_id": ["C1"], "isco08": ["7411"], "city": ["Leeds"],
        "country": ["GB"], "lat": [53.8], "lon": [-1.55], "slots": [1], "start": [day],
        "end": [day + pd.Timedelta(days=90)], "min_weeks": [2], "max_weeks": [8],
        "languages": [""], "accepts_related_trades": [False]})
    apprentices = pd.DataFrame({
        "apprentice_id": ["A1", "A2"], "isco08": ["7411", "7411"],
        "home_city": ["Dortmund"] * 2, "home_country": ["DE"] * 2,
        "home_lat": [51.5] * 2, "home_lon": [7.47] * 2, "training_year": [2, 3],
        "languages": ["en:B2"] * 2, "available_from": [day] * 2,
        "available_to": [day + pd.Timedelta(days=60)] * 2, "desired_weeks": [4, 4],
        "preferred_countries": [""] * 2, "max_distance_km": [np.nan] * 2})
    matcher = Matcher().fit(placements, None if twinnings else pd.DataFrame())
    if method in (None, "recommend-one"):
        matcher.recommend(apprentices, k=1)
    for each in ("stable", "optimal"):
        if method in (None, each):
            for keep_pairs in (True, False):  # False (``mobility match``) marks, not keeps
                matcher.allocate(apprentices, method=each, keep_pairs=keep_pairs)


def main() -> int:
    """``python -m mobility.matching.warm``: compile every kernel, saying so first."""
    print("matching kernels: compiling once, or loading the compiled cache "
          "(about a minute the first time after a clone)", file=sys.stderr, flush=True)
    started = time.perf_counter()
    compile_kernels()
    print(f"matching kernels ready ({time.perf_counter() - started:.1f} s)",
          file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
