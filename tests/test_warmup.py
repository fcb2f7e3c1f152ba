"""The warm-up thread starts once per process and database, and not at all with
MOBILITY_WARM_UP=0 (the test suite's setting: AppTest has a runtime too)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from mobility.ui import warmup


def _script():
    import streamlit as st

    from mobility.ui.warmup import warm_up

    thread = warm_up()
    if thread is not None:
        thread.join()
    st.write("started" if thread is not None else "not started")


def _run() -> str:
    at = AppTest.from_function(_script, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    return at.markdown[0].value


def test_warm_up_is_off_with_the_setting_and_once_per_database_without(monkeypatch):
    ran = []
    monkeypatch.setattr(warmup, "_work", lambda: ran.append(1))
    monkeypatch.setattr(warmup, "_started", set())
    for off in ("0", "off", "false"):
        monkeypatch.setenv("MOBILITY_WARM_UP", off)
        assert _run() == "not started"
    monkeypatch.setenv("MOBILITY_WARM_UP", "1")
    assert _run() == "started"
    assert _run() == "not started"  # the same database: once per process
    assert ran == [1]
