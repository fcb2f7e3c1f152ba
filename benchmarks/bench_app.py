"""How fast the dashboard's pages appear, on the demo database, in a real browser.

Steps, each timed in Chromium (Debian's ``/usr/bin/chromium``, never a downloaded one):

1. ``mobility init-db`` into a fresh SQLite file (schema, twinnings, demo caseload,
   demo accounts): the one-off build ``make run`` does on first start.
2. ``streamlit run app.py`` until ``/_stcore/health`` answers (server start-up), then
   the sign-in form in a first browser.
3. For each demo account (README): sign in with the form, time until the role's own
   page has finished rendering; then open every page the role may use by its address,
   twice: the first visit of that page in the server process is *cold* (caches empty
   for it), the second *warm*. A page has rendered when its title shows and Streamlit's
   "running" indicator is gone.
4. The apprentice's first search ("Plätze suchen") until the cards show, and a switch
   of the language to English until the page is idle again.

The server's peak memory is ``ru_maxrss`` of the largest child process.

Run::

    .venv/bin/python benchmarks/bench_app.py                    # 2,000 demo apprentices
    .venv/bin/python benchmarks/bench_app.py --apprentices 20000 --placements 5000
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the browser tests' waits (one way to wait)
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Each page's German title (what shows once it rendered).
TITLES = {"apprentice": "Praktikum im Ausland finden", "adviser": "Vermittlung",
          "municipality": "Reichweite der Partnerschaften", "data": "Daten und Einstellungen"}
#: Demo account -> its pages, home page first (mobility.auth.pages_for on the policy).
ROLES = {"demo-azubi": ("apprentice",),
         "demo-city": ("municipality",),
         "demo-adviser": ("adviser", "apprentice", "municipality"),
         "demo-admin": ("data", "apprentice", "adviser", "municipality")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_health(port: int, process: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise SystemExit(process.stdout.read().decode(errors="replace")) from None
            time.sleep(0.05)
    raise SystemExit("streamlit did not start")


def rendered(page, text: str) -> None:
    """Wait until ``text`` shows and Streamlit has finished the run."""
    page.get_by_role("heading", name=text, exact=True).first.wait_for()
    page.wait_for_timeout(100)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")


@contextmanager
def screenshot_on_failure(page, label: str):
    """On a failed wait, keep what the browser showed (the path is printed)."""
    try:
        yield
    except Exception:
        path = Path(tempfile.gettempdir()) / f"bench-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"{label}: failed; the browser showed {path}", file=sys.stderr)
        raise


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def journey(browser, url: str, user: str, password: str, seen: set[str]) -> list[tuple]:
    """Sign in as ``user``, open each of its pages twice; rows (step, seconds)."""
    from test_browser_journeys import form_settled, wait_for_cookie

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    rows = []
    page.goto(url)
    form_settled(page)
    page.get_by_role("textbox", name="Benutzername").fill(user)
    page.get_by_role("textbox", name="Passwort").fill(password)
    pages = ROLES[user]

    def sign_in() -> None:
        page.get_by_role("button", name="Anmelden").click()
        rendered(page, TITLES[pages[0]])

    with screenshot_on_failure(page, user):
        rows.append((user, f"sign in -> {pages[0]}", timed(sign_in)))
    wait_for_cookie(context)  # a reload before it is written would sign the user out
    for name in pages:
        for visit in ("cold" if name not in seen else "warm", "warm"):
            with screenshot_on_failure(page, f"{user}-{name}"):
                seconds = timed(lambda name=name: (page.goto(f"{url}{name}"),
                                                   rendered(page, TITLES[name])))
            rows.append((user, f"{name} ({visit})", seconds))
        seen.add(name)
    if user == "demo-azubi":
        page.goto(f"{url}apprentice")
        rendered(page, TITLES["apprentice"])

        def search() -> None:
            page.get_by_role("button", name="Plätze suchen").click()
            page.get_by_text("passende Plätze", exact=False).first.wait_for()
            page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")

        rows.append((user, "first search -> cards", timed(search)))

        def switch() -> None:
            page.get_by_role("combobox", name="Sprache").first.click()
            page.get_by_role("option", name="English", exact=True).click()
            page.get_by_text("Find a placement abroad", exact=True).first.wait_for()
            page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")

        rows.append((user, "language switch -> English", timed(switch)))
    context.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apprentices", type=int, default=2000)
    parser.add_argument("--placements", type=int, default=1000)
    parser.add_argument("--accounts", nargs="*", default=list(ROLES), choices=list(ROLES),
                        help="demo accounts to run (default: all, in this order)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"needs {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "src"))
    from mobility.auth.users import DEMO_PASSWORDS

    folder = Path(tempfile.mkdtemp(prefix="bench-app-"))
    env = {**os.environ, "MOBILITY_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
           "MOBILITY_VAR_DIR": str(folder / "var")}
    rows = []
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mobility", "init-db",
                    "--demo-apprentices", str(args.apprentices),
                    "--demo-placements", str(args.placements)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    rows.append(("-", "init-db (build demo database)", time.perf_counter() - started))
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_health(port, server)
        rows.append(("-", "server start-up (until /_stcore/health)",
                     time.perf_counter() - started))
        url = f"http://127.0.0.1:{port}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            first = browser.new_page()
            first.set_default_timeout(300_000)
            rows.append(("-", "sign-in form (first visitor)", timed(lambda: (
                first.goto(url), first.get_by_role("button", name="Anmelden").wait_for()))))
            first.close()
            seen: set[str] = set()
            for user in args.accounts:
                rows += journey(browser, url, user, DEMO_PASSWORDS[user], seen)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with open("/proc/loadavg") as fh:
        load = " ".join(fh.read().split()[:3])
    print(f"demo data: {args.apprentices:,} apprentices, {args.placements:,} placements; "
          f"load average before the end: {load}")
    print("| account | step | seconds |\n| --- | --- | ---: |")
    for user, name, seconds in rows:
        print(f"| {user} | {name} | {seconds:.2f} |")
    print(f"peak memory of the largest child process (streamlit or init-db): {peak_mb:,.0f} MB")
    print("target: every page <= 2 s after sign-in, the first search <= 2 s")


if __name__ == "__main__":
    main()
