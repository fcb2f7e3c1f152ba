"""Chart shaping: the open-places chart keeps each city's total and the n biggest
trades, checked against a plain-Python count."""

from __future__ import annotations

from collections import Counter

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from mobility.ui.views import top_trades

rows = st.lists(st.tuples(st.sampled_from(["Leeds", "Lille", "Lyon"]),
                          st.sampled_from([f"T{i}" for i in range(12)]),
                          st.integers(0, 9)), min_size=1, max_size=40)


@settings(max_examples=80, deadline=None)
@given(rows=rows, n=st.integers(1, 6))
def test_top_trades_keeps_totals_and_the_biggest_trades(rows, n):
    frame = (pd.DataFrame(rows, columns=["city", "trade", "open_places"])
             .groupby(["city", "trade"], as_index=False)["open_places"].sum())
    out = top_trades(frame, n, "other")
    by_trade: Counter = Counter()
    by_city: Counter = Counter()
    for city, trade, places in frame.itertuples(index=False):
        by_trade[trade] += places
        by_city[city] += places
    assert dict(out.groupby("city")["open_places"].sum()) == dict(by_city)
    kept = set(out["trade"]) - {"other"}
    assert len(kept) <= n
    # No trade left out has more places than one kept (ties may go either way).
    if kept and set(by_trade) - kept:
        assert min(by_trade[k] for k in kept) >= max(by_trade[t] for t in set(by_trade) - kept)
    assert not out.duplicated(["city", "trade"]).any()
