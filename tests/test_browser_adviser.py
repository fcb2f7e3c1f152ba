"""The adviser's year in Chromium: sign in with the README's demo account, run an
allocation, adopt it as the working plan, reload, and find the same plan, with names.

Uses the server and browser fixtures of ``test_browser_journeys`` (Debian's Chromium at
/usr/bin/chromium; skipped without it). Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import pytest

from app_support import load_demo_into
from test_browser_journeys import (  # noqa: F401  (fixtures are used by name)
    CHROMIUM,
    browser_page,
    form_settled,
    open_tab,
    server,
    shot,
    wait_idle,
)

pytestmark = [
    # A journey waits on a real browser and server on 2 shared cores: a run whose timing
    # misses is tried again, up to twice (pytest-rerunfailures); a real defect fails all 3.
    pytest.mark.flaky(reruns=2, reruns_delay=2),
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium"),
]

DEMO_ADVISER = ("demo-adviser", "demo-adviser-2026")  # README, section "Sign-in"


def _sign_in(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']")
    form_settled(page)
    page.get_by_role("textbox", name="Benutzername").fill(DEMO_ADVISER[0])
    page.get_by_role("textbox", name="Passwort").fill(DEMO_ADVISER[1])
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Fallliste").first.wait_for()
    page.wait_for_timeout(1000)  # the sign-in cookie triggers one more rerun
    wait_idle(page)


def _open_tab(page) -> str:
    """The label of the selected tab."""
    wait_idle(page)
    return page.locator("[role='tab'][aria-selected='true']").first.inner_text()


def test_demo_adviser_adopts_an_allocation_and_finds_it_again_after_a_reload(
        server, browser_page):  # noqa: F811
    from mobility.auth.users import create_demo_accounts
    from mobility.storage import get_engine
    from mobility.storage.runs import adopted_run_id, list_match_runs

    load_demo_into()
    create_demo_accounts(get_engine(), rounds=4)
    page = browser_page
    url = server()
    _sign_in(page, url)

    open_tab(page, "Verteilung berechnen")
    page.get_by_role("button", name="Verteilung starten").click()
    page.get_by_role("button", name="Als Arbeitsplan übernehmen").wait_for(timeout=120_000)
    assert _open_tab(page) == "Verteilung berechnen"  # the result is where she acted
    header = page.get_by_text("Lauf vom").first.inner_text()
    page.get_by_role("button", name="Als Arbeitsplan übernehmen").click()
    page.get_by_text("Arbeitsplan Ihrer Organisation").first.wait_for()
    runs = list_match_runs(get_engine())
    assert len(runs) == 1 and runs.loc[0, "organisation"] == "HWK Dortmund"
    assert adopted_run_id(get_engine(), "HWK Dortmund") == runs.loc[0, "run_id"]

    page.reload()  # a new session: only the stored run can bring the plan back
    page.wait_for_selector("[data-testid='stApp']")
    if page.get_by_role("button", name="Anmelden").count():
        _sign_in(page, url)
    else:  # the cookie signed her in again, and the address named the open tab
        assert "adviser_tab=" in page.url
        page.get_by_text("Arbeitsplan Ihrer Organisation").first.wait_for()
        assert _open_tab(page) == "Verteilung berechnen"
    page.get_by_text("Fallliste").first.wait_for()
    open_tab(page, "Verteilung berechnen")
    page.get_by_text("Arbeitsplan Ihrer Organisation").first.wait_for()
    assert page.get_by_text("Lauf vom").first.inner_text() == header
    assert not page.get_by_text("Noch keine Verteilung").count()
    page.locator("[data-testid='stDataFrame']:visible").last.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    path = shot(page, "adviser_plan_after_reload")
    assert path.stat().st_size > 10_000

    # Names first: the shortlist picker and the plan's pair read as people and companies.
    open_tab(page, "Vorschläge je Azubi")
    entry = page.get_by_text("· vorgeschlagen ·").first  # the plan's pair, on the shortlist
    entry.wait_for()
    picker = page.locator("[data-testid='stSelectbox']:visible").filter(has_text="Azubi")
    shown = picker.first.evaluate(
        "el => [el.innerText, ...[...el.querySelectorAll('input')].map(i => i.value)]"
        ".join(' ')")
    assert "Azubi 1 · Tischler/in · Dortmund (A1)" in shown, shown
    assert any(firm in entry.inner_text() for firm in ("Leeds Joinery Ltd",
                                                       "Atelier Bois Amiens"))
    shot(page, "adviser_shortlist_names")
    assert len(list_match_runs(get_engine())) == 1  # re-opened, not re-run
