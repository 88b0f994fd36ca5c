"""The dashboards as users get them: `dashboards/app.py` served by `streamlit run` on a
free loopback port, signed in through its Username / Password form.

A Streamlit session lives as long as the page's connection: opening an address anew
starts a new session, so `open_page` signs in again whenever the form shows.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from orchestration.config import REPO_ROOT

STREAMLIT = str(Path(sys.executable).parent / "streamlit")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
APP = str(REPO_ROOT / "dashboards" / "app.py")
# The user the served app signs in as: (name, password), set by the serving fixture.
credentials: dict[str, str] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def served(env: dict[str, str], app: str = APP):
    """Serve `app` (the dashboards) with `env`; yield its base URL; stop the server after."""
    port = free_port()
    server = subprocess.Popen(
        [STREAMLIT, "run", app, "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=REPO_ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _healthy(url):
            assert server.poll() is None, "streamlit exited"
            assert time.monotonic() < deadline, "streamlit did not come up"
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_for_idle(page) -> None:
    """Wait until no script run is going on, twice over a short pause: a widget bound to the
    URL can start a second run right after the first, and elements fade while one runs."""
    for _ in range(2):
        page.wait_for_selector(APP_IDLE, timeout=90_000)
        page.wait_for_timeout(500)
    page.wait_for_selector(APP_IDLE, timeout=90_000)


def sign_in(page) -> None:
    page.get_by_role("textbox", name="Username").fill(credentials["name"])
    page.get_by_role("textbox", name="Password").fill(credentials["password"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for(timeout=90_000)


def open_page(page, url: str) -> None:
    """Go to `url`, sign in when asked, and wait until the page is drawn and idle."""
    page.goto(url)
    page.get_by_test_id("stHeading").first.wait_for(timeout=90_000)
    wait_for_idle(page)
    if page.get_by_role("textbox", name="Username").count():
        sign_in(page)
        wait_for_idle(page)
