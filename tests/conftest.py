"""Shared fixtures. Tests never touch the user's database or cache folders."""

from __future__ import annotations

import os
import tempfile

import pytest

# Outside any one test (collection, doctests, a page's background warm-up thread that
# outlives its AppTest) the package must not fall back to the checkout's var/: that left
# an empty var/mobility.db behind, and `make run` then skipped building the demo database.
_SESSION_STATE = tempfile.mkdtemp(prefix="mobility-tests-")
os.environ["MOBILITY_VAR_DIR"] = _SESSION_STATE
os.environ["MOBILITY_DATABASE_URL"] = f"sqlite:///{_SESSION_STATE}/mobility.db"
# Derived caches (the gazetteer index, the register and partner keys of
# mobility.reference.cache) go to this session's folder, never the user's ~/.cache.
os.environ["MOBILITY_CACHE_DIR"] = os.path.join(_SESSION_STATE, "cache")
# AppTest has a Streamlit runtime, so app.py would start its warm-up thread once per
# test database; one that outlived its test opened the next test's new database while
# that test created it ("database is locked"). Browser tests turn it back on for their
# servers (tests/test_browser_journeys.py).
os.environ["MOBILITY_WARM_UP"] = "0"


@pytest.fixture(autouse=True)
def _isolated_database(tmp_path, monkeypatch):
    """Each test gets its own SQLite file unless it asks for PostgreSQL explicitly."""
    monkeypatch.setenv("MOBILITY_DATABASE_URL", f"sqlite:///{tmp_path / 'mobility.db'}")


@pytest.fixture
def fresh_caches():
    """Streamlit's caches are process-global: an app test starts with none (and so reads
    its own database) and leaves none behind. App test modules use it with
    ``pytestmark = pytest.mark.usefixtures("fresh_caches")``."""
    from app_support import clear_streamlit_caches

    clear_streamlit_caches()
    yield
    clear_streamlit_caches()
