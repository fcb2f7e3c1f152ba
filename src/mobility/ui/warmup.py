"""Load what the first search needs while the sign-in form is on screen.

The first apprentice search used to pay for unpickling the gazetteer (~2.7 s, 170,000
places), importing the matching stack (scipy, numba, ~0.6-4 s), fitting the matcher on
the stored placements and partnerships (~0.7-8 s) and loading its numba kernels (~2 s
from numba's cache, which ``make run`` fills before the server starts:
:mod:`mobility.matching.warm`) - 11 s and more in a browser on 2 shared cores.
:func:`warm_up` starts one background thread per server process and database that
does all of it, so a person who spends a few seconds typing their password finds it
ready. The thread only fills caches (:mod:`mobility.ui.cache`,
:func:`mobility.geo.gazetteer`); it draws nothing, and a page that needs something
before it is ready simply waits for the same lock.

``MOBILITY_WARM_UP=0`` turns it off. The test suite does: AppTest runs pages with a
Streamlit runtime too, and a warm-up thread that outlived its test read the database
address of the *next* test and held that test's brand-new database while it was being
created ("database is locked" in CI).
"""

from __future__ import annotations

import logging
import threading

_started: set[str] = set()
#: Values of ``MOBILITY_WARM_UP`` that turn the warm-up off.
OFF = {"0", "false", "no", "off"}
_lock = threading.Lock()


def _work() -> None:
    # Cached functions called outside a script run log a harmless "missing
    # ScriptRunContext" warning; this thread is not a script run on purpose.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR)
    try:
        from mobility.geo import gazetteer

        gazetteer()
        from mobility.ui import cache

        fitted = cache.matcher()
        sample = cache.data()["apprentices"].head(1).reset_index(drop=True)
        if not sample.empty:  # loads the numba kernels (compiled by `make run`) once per process
            fitted.recommend(sample, k=1)
        import mobility.funding.estimate  # noqa: F401  (imports the funding tables' code)
    except Exception:
        logging.getLogger(__name__).exception("warm-up failed")


def warm_up() -> threading.Thread | None:
    """Start the warm-up thread once per process and database; returns it (or None
    when it ran already, or when no Streamlit server runs)."""
    import os

    import streamlit as st

    if not st.runtime.exists() or os.environ.get("MOBILITY_WARM_UP", "1").strip() in OFF:
        return None
    from mobility.storage import database_url

    url = database_url()
    with _lock:
        if url in _started:
            return None
        _started.add(url)
    thread = threading.Thread(target=_work, name="mobility-warm-up", daemon=True)
    thread.start()
    return thread
