"""`literal` in a real browser: Streamlit's own markdown renderer (served by `streamlit run`,
read by chromium) shows each hostile value as exactly its text, with no link, image,
emphasis, code, formula or icon made of it."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.config import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tests" / "dashboard_apps"))
from markdown_probe import VALUES

PROBE = REPO_ROOT / "tests" / "dashboard_apps" / "markdown_probe.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# What markdown could have made of a value: none may appear.
MADE = ("img, strong, em, del, code, h1, h2, blockquote, li, table, .katex, "
        "[data-testid='stIconMaterial'], span[style*='color']")
# Links other than a heading's own anchor (a link to "#its-id", Streamlit's).
LINKS = "a:not([href^='#'])"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def probe_url(tmp_path_factory):
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamlit"), "run", str(PROBE),
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=REPO_ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, "streamlit exited"
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "streamlit did not come up"
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


def test_each_value_shows_as_its_own_text_in_every_markdown_element(probe_url, page):
    page.set_default_timeout(60_000)
    page.goto(probe_url)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    for i, value in enumerate(VALUES):
        box = page.locator(f".st-key-value_{i}")
        # st.markdown, st.caption and st.error draw a markdown container; st.subheader a heading.
        elements = [*box.get_by_test_id("stMarkdownContainer").all(),
                    *box.get_by_test_id("stHeading").all()]
        assert len(elements) == 4, value
        for element in elements:
            assert " ".join(element.inner_text().split()) == value, value
            assert element.locator(MADE).count() == 0, (value, element.inner_html())
            # A bare address stays a link (GFM links it from the text itself), its target
            # the very text shown; no value makes a link whose text hides where it goes.
            for link in element.locator(LINKS).all():
                shown = link.inner_text()
                assert link.get_attribute("href") in (shown, f"mailto:{shown}"), value
