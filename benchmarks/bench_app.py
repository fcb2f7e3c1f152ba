"""How fast the dashboard's first page appears, on the demo database, in a real browser.

Steps, each timed:

1. ``mobility init-db`` into a fresh SQLite file (schema, twinnings, demo caseload,
   demo accounts): the one-off build ``make run`` does on first start.
2. ``streamlit run app.py`` until ``/_stcore/health`` answers (server start-up).
3. Chromium opens the app; time until the first page is rendered (the sign-in form
   when sign-in is wired, else the first page's title). Target: under 3 s.
4. Sign in as the demo adviser (when there is a form) and time until the first page's
   title shows: the first page with data, cold caches.
5. Open the same page again in a new tab: warm caches.

Peak memory is the streamlit server's ``ru_maxrss`` (from ``RUSAGE_CHILDREN`` after it
ends). Needs ``/usr/bin/chromium``.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TITLE = "Praktikum im Ausland finden"  # the first page without sign-in
ADVISER_PAGE = "Fallliste"  # the demo adviser's home page (its first tab)


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


def first_render(page, url: str) -> tuple[float, str]:
    """Seconds from navigation until the first page or the sign-in form shows."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']")
    page.locator(f"text={TITLE}").or_(page.locator(f"text={ADVISER_PAGE}")).or_(
        page.get_by_role("button", name="Anmelden")).first.wait_for()
    what = "sign-in form" if page.get_by_role("button", name="Anmelden").count() else "first page"
    return time.perf_counter() - started, what


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apprentices", type=int, default=2000)
    parser.add_argument("--placements", type=int, default=1000)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"needs {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-app-"))
    env = {**os.environ, "MOBILITY_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
           "MOBILITY_VAR_DIR": str(folder / "var")}
    rows = []

    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mobility", "init-db",
                    "--demo-apprentices", str(args.apprentices),
                    "--demo-placements", str(args.placements)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    rows.append(("init-db (build demo database)", time.perf_counter() - started))
    size_mb = (folder / "bench.db").stat().st_size / 1e6

    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_health(port, server)
        rows.append(("server start-up (until /_stcore/health)", time.perf_counter() - started))
        url = f"http://127.0.0.1:{port}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            # One context: the second tab shares the sign-in cookie like a returning user.
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(120_000)
            seconds, what = first_render(page, url)
            rows.append((f"first render, cold ({what})", seconds))
            if what == "sign-in form":
                sys.path.insert(0, str(ROOT / "src"))
                from mobility.auth.users import DEMO_PASSWORDS

                started = time.perf_counter()
                page.get_by_role("textbox", name="Benutzername").fill("demo-adviser")
                page.get_by_role("textbox", name="Passwort").fill(DEMO_PASSWORDS["demo-adviser"])
                page.get_by_role("button", name="Anmelden").click()
                page.locator(f"text={ADVISER_PAGE}").first.wait_for()
                rows.append(("sign in -> adviser's page with data", time.perf_counter() - started))
                page.wait_for_timeout(2000)  # the sign-in cookie is written
            second = context.new_page()
            second.set_default_timeout(120_000)
            seconds, what = first_render(second, url)
            rows.append((f"new tab, signed in, warm caches ({what})", seconds))
            # A second visitor: new browser profile (no cookie, no cached JS), warm server.
            other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            other.set_default_timeout(120_000)
            seconds, what = first_render(other, url)
            rows.append((f"second visitor, warm server ({what})", seconds))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    print(f"demo data: {args.apprentices:,} apprentices, {args.placements:,} placements; "
          f"database {size_mb:.1f} MB")
    print(f"{'step':<48} {'seconds':>8}")
    for name, seconds in rows:
        print(f"{name:<48} {seconds:8.2f}")
    print(f"peak memory of the largest child process (streamlit or init-db): {peak_mb:,.0f} MB")
    print("target: first render under 3 s after start-up")


if __name__ == "__main__":
    main()
