"""Journeys on the demo database with the README's demo accounts, in Debian's Chromium:
sign in, run the role's main action, reload the page, find the same result; sign out
and find no menu. Screenshots go to ``tests/artifacts/`` (look at them).
"""

from __future__ import annotations

import re

import pytest

import test_browser_journeys as journeys
from mobility.auth.users import DEMO_PASSWORDS
from test_browser_journeys import CHROMIUM, form_settled, shot

# The running-app and browser fixtures of the other journeys, shared by name.
server = journeys.server
browser_page = journeys.browser_page

pytestmark = [
    # A journey waits on a real browser and server on 2 shared cores: a run whose timing
    # misses is tried again, up to twice (pytest-rerunfailures); a real defect fails all 3.
    pytest.mark.flaky(reruns=2, reruns_delay=2),
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium"),
]


def wait_idle(page) -> None:
    """Wait until Streamlit finished its run (the demo database's first runs are slow
    on a loaded machine: a longer wait than the small journeys')."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=90_000)


@pytest.fixture
def demo_url(server):
    """The app on a fresh demo database (a small caseload: the same code as make run)."""
    from mobility.storage import get_engine
    from mobility.storage.setup import init_database

    init_database(get_engine(), demo_apprentices=300, demo_placements=200)
    return server()


def sign_in(page, url: str, user: str, title: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Anmelden").wait_for()
    form_settled(page)
    page.get_by_role("textbox", name="Benutzername").fill(user)
    page.get_by_role("textbox", name="Passwort").fill(DEMO_PASSWORDS[user])
    page.get_by_role("button", name="Anmelden").click()
    try:
        page.get_by_role("heading", name=title, exact=True).first.wait_for()
    except Exception:
        shot(page, f"failed_sign_in_{user}")  # what the browser showed instead
        raise
    page.wait_for_timeout(1500)  # the sign-in cookie is written (one more rerun)
    wait_idle(page)


def test_the_apprentice_searches_reloads_and_finds_the_same_cards(demo_url, browser_page):
    page = browser_page
    page.set_default_timeout(90_000)
    sign_in(page, demo_url, "demo-azubi", "Praktikum im Ausland finden")
    page.get_by_role("button", name="Plätze suchen").click()
    heading = page.get_by_text(re.compile(r"^\d+ passende Plätze$")).first
    heading.wait_for()
    wait_idle(page)
    first = heading.inner_text()
    cards = page.locator("[data-testid='stVerticalBlockBorderWrapper'] strong").all_inner_texts()
    assert "Zeitraum:" in page.inner_text("body")
    shot(page, "demo_apprentice_cards", "[data-testid='stPlotlyChart']")
    url = page.url
    assert url.rstrip("/").endswith("/apprentice")  # its own address, not "/"
    page.reload()  # the cookie signs in again; the same profile gives the same cards
    page.get_by_role("heading", name="Praktikum im Ausland finden", exact=True).first.wait_for()
    wait_idle(page)
    assert "Page not found" not in page.inner_text("body")
    page.get_by_role("button", name="Plätze suchen").click()
    page.get_by_text(first, exact=True).first.wait_for()
    wait_idle(page)
    again = page.locator("[data-testid='stVerticalBlockBorderWrapper'] strong").all_inner_texts()
    assert again == cards


def test_the_municipality_reloads_to_the_same_reach_and_signs_out_without_a_menu(
        demo_url, browser_page):
    page = browser_page
    page.set_default_timeout(90_000)
    sign_in(page, demo_url, "demo-city", "Reichweite der Partnerschaften")
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for()
    page.get_by_text("Linienfarbe:", exact=False).first.wait_for()
    partners = page.locator("[data-testid='stDataFrame']").first.inner_text()
    shot(page, "demo_municipality_reach", "[data-testid='stPlotlyChart']")
    assert page.url.rstrip("/").endswith("/municipality")
    page.reload()
    page.get_by_role("heading", name="Reichweite der Partnerschaften", exact=True).first.wait_for()
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for()
    wait_idle(page)
    assert page.locator("[data-testid='stDataFrame']").first.inner_text() == partners

    page.get_by_role("button", name="Abmelden").click()
    page.get_by_text("Sie sind abgemeldet", exact=False).first.wait_for()
    wait_idle(page)
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert "Reichweite der Partnerschaften" not in page.inner_text("body")
    shot(page, "demo_signed_out")


def test_the_administrator_signs_out_and_no_administrator_menu_remains(demo_url,
                                                                      browser_page):
    page = browser_page
    page.set_default_timeout(90_000)
    sign_in(page, demo_url, "demo-admin", "Daten und Einstellungen")
    assert page.locator("[data-testid='stSidebarNav']").count() == 1  # the menu, signed in
    page.get_by_role("button", name="Abmelden").click()
    page.get_by_text("Sie sind abgemeldet", exact=False).first.wait_for()
    wait_idle(page)
    body = page.inner_text("body")
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert "Daten und Einstellungen" not in body and "Verwaltung" not in body
