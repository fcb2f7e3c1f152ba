"""Journeys through the real app in Debian's Chromium (Playwright), one per role.

Each test starts ``streamlit run app.py`` on a free local port against its own SQLite
file (initialised first, then passed to the server through ``MOBILITY_DATABASE_URL``),
drives the page like a person would and saves a screenshot under ``tests/artifacts/``.
Skipped when ``/usr/bin/chromium`` is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app_support import APP, ROOT, apprentices_csv, load_demo_into
from auth_support import ACCOUNTS, PASSWORD, add_test_accounts
from mobility.ui.auth import COOKIE_NAME

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    # A journey waits on a real browser and server on 2 shared cores: a run whose timing
    # misses is tried again, up to twice (pytest-rerunfailures); a real defect fails all 3.
    pytest.mark.flaky(reruns=2, reruns_delay=2),
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def compile_matching_kernels(database_url: str) -> None:
    """Compile the matcher's numba kernels in this process, on the test's own data.

    They are cached on disk (``cache=True``): the server then loads them instead of
    compiling while the browser waits. In a fresh clone the first compilation takes
    30 s to minutes on 2 cores, which made the journeys' 90 s waits flaky.
    """
    from mobility.matching.matcher import Matcher
    from mobility.storage import get_engine, read_table_from_db

    engine = get_engine(database_url)
    placements = read_table_from_db(engine, "placements")
    apprentices = read_table_from_db(engine, "apprentices").head(20).reset_index(drop=True)
    if placements.empty or apprentices.empty:
        return
    fitted = Matcher().fit(placements)
    fitted.recommend(apprentices.head(1), k=1)
    for method in ("stable", "optimal"):
        fitted.allocate(apprentices, method=method)


def start_server(database_url: str, port: int) -> subprocess.Popen:
    """``streamlit run app.py`` on ``port`` with the test's database; returns once the
    health endpoint answers."""
    compile_matching_kernels(database_url)
    env = {**os.environ, "MOBILITY_DATABASE_URL": database_url, "MOBILITY_WARM_UP": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode(errors="replace")) from None
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("streamlit did not answer within 60 s")


@pytest.fixture
def server():
    """A running app; the test's database holds whatever it loaded before calling."""
    processes = []

    def start() -> str:
        port = free_port()
        processes.append(start_server(os.environ["MOBILITY_DATABASE_URL"], port))
        return f"http://127.0.0.1:{port}"

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def wait_for_cookie(context, seconds: float = 60) -> None:
    """Wait until the sign-in cookie is in the browser (written one rerun or more after
    the sign-in; on a loaded machine that takes seconds)."""
    deadline = time.monotonic() + seconds
    while not any(c["name"] == COOKIE_NAME for c in context.cookies()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {COOKIE_NAME} cookie {seconds:.0f} s after signing in")
        time.sleep(0.1)


def form_settled(page) -> None:
    """Wait until the sign-in form stopped changing: its cookie component reports once
    after it loaded and reruns the page, and a click during that rerun can land on the
    form being redrawn and be lost (a person does not click that fast)."""
    page.get_by_role("button", name="Anmelden").wait_for()
    page.wait_for_load_state("networkidle")
    wait_idle(page)


def open_app(page, url: str, text: str, role: str) -> None:
    """Open ``url``, sign in with the form as the test account of ``role``, and wait
    for ``text``."""
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']")
    form_settled(page)
    page.get_by_role("textbox", name="Benutzername").fill(ACCOUNTS[role][0])
    page.get_by_role("textbox", name="Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text(text, exact=False).first.wait_for()
    wait_for_cookie(page.context, seconds=30)  # a reload before it is written signs out
    wait_idle(page)


def open_tab(page, name: str) -> None:
    """Click the tab ``name`` once the page is idle, and make sure it stays selected."""
    tab = page.get_by_role("tab", name=name)
    for _ in range(5):
        wait_idle(page)
        tab.click()
        page.wait_for_timeout(300)
        if tab.get_attribute("aria-selected") == "true":
            return
    raise AssertionError(f"tab {name!r} did not open")


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label`` (after any rerun settles).

    A rerun that lands between opening the list and clicking the option closes the list
    again (seen on a loaded machine): then the list is opened once more, up to 3 times.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        wait_idle(page)
        page.get_by_role("combobox", name=label).first.click()
        try:
            page.get_by_role("option", name=option, exact=True).first.click(timeout=15_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")


def wait_idle(page) -> None:
    """Wait until Streamlit finished the rerun a click started."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=30_000)


def shot(page, name: str, focus: str | None = None) -> Path:
    """Screenshot the window; Streamlit scrolls inside its own container, so scroll the
    element ``focus`` (a selector) into view first."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if focus:
        page.locator(focus).first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_apprentice_finds_placements_and_sees_the_map(server, browser_page):
    load_demo_into()
    add_test_accounts()
    page = browser_page
    # The apprentice account belongs to A1 (a carpenter from Dortmund): their own profile.
    open_app(page, server(), "Praktikum im Ausland finden", "apprentice")  # the default page
    page.get_by_role("button", name="Plätze suchen").click()
    page.get_by_text("2 passende Plätze").wait_for()
    page.get_by_text("Leeds Joinery Ltd").first.wait_for()
    page.get_by_text("Partnerstadt von Dortmund").first.wait_for()
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for()
    page.wait_for_timeout(1500)  # let the map draw its borders layer
    path = shot(page, "apprentice_journey", "[data-testid='stPlotlyChart']")
    assert path.stat().st_size > 10_000


def test_adviser_imports_allocates_and_confirms_a_match(server, browser_page, tmp_path):
    from mobility.storage import get_engine
    from mobility.storage.shortlist import get_shortlist

    load_demo_into(with_apprentices=False)
    add_test_accounts()
    # The adviser works for HWK Dortmund and imports that organisation's caseload.
    lines = apprentices_csv().splitlines()
    upload = tmp_path / "apprentices.csv"
    upload.write_text("\n".join([lines[0], *[x for x in lines[1:] if "HWK Dortmund" in x]]),
                      encoding="utf-8")
    page = browser_page
    open_app(page, server(), "Fallliste", "adviser")  # lands on the match board

    open_tab(page, "Daten importieren")
    choose(page, "Art der Datei", "Azubis")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(upload))
    page.get_by_role("button", name="Prüfen").click()
    page.get_by_text("keine Fehler").wait_for()
    page.get_by_role("button", name="In die Datenbank schreiben").click()
    page.get_by_text("7 Zeilen gespeichert").wait_for()

    open_tab(page, "Verteilung berechnen")
    page.get_by_role("button", name="Verteilung starten").click()
    page.get_by_text("Anteil Partnerstädte").wait_for()

    open_tab(page, "Vorschläge je Azubi")
    page.get_by_role("button", name="Zur Vorschlagsliste").first.click()
    wait_idle(page)
    choose(page, "Status", "bestätigt")
    page.get_by_role("button", name="Speichern").first.click()
    wait_idle(page)
    page.get_by_text("bestätigt ·").first.wait_for()
    shot(page, "adviser_journey", "text=bestätigt ·")
    stored = get_shortlist(get_engine())
    assert stored["status"].tolist() == ["confirmed"]


def test_municipality_opens_its_reach_map(server, browser_page):
    load_demo_into()
    add_test_accounts()
    page = browser_page
    open_app(page, server(), "Partnerstädte", "municipality")  # lands on its reach page
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for()
    page.get_by_text("Lücken").first.wait_for()
    page.get_by_text("weniger als 5").first.wait_for()
    page.wait_for_timeout(1500)
    path = shot(page, "municipality_journey", "[data-testid='stPlotlyChart']")
    assert path.stat().st_size > 10_000
