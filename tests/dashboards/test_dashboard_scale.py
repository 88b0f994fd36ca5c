"""Every page for every role in a real browser on a full-size published file (the scale-1
synthetic Iowa set), with the accessibility check, each page's time to draw printed and a
tall screenshot of each page for docs/dashboards.md.

Runs when PPA_TEST_SCALE_PUBLISHED names such a file (built by `ppa run` over a landing zone
from `ppa generate --scale 1`); skipped otherwise, since building one takes many minutes.
Screenshots go to PPA_SCREENSHOTS_DIR (docs/screenshots refreshes those the docs show).
Times are printed (`-s`) for reading, never asserted: `ppa bench` measures performance.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import browser_app
import duckdb
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_app import CHROMIUM, CHROMIUM_ARGS, open_page, served, wait_for_idle
from test_dashboard_pages import ROLE_PAGES

from dashboards.users import add_user

PUBLISHED = os.environ.get("PPA_TEST_SCALE_PUBLISHED")
SCREENSHOTS = Path(os.environ.get("PPA_SCREENSHOTS_DIR") or "/tmp/ppa-screenshots-scale")
SITE_OF = {"site_coordinator": "S02"}
# The role each page's screenshot is taken as: the record-level view where there is one.
SCREENSHOT_ROLE = {"overview": "state_coordinator", "site": "site_coordinator",
                   "fidelity": "state_coordinator", "outcomes": "leadership",
                   "reach": "state_coordinator", "contract": "state_coordinator",
                   "data-quality": "state_coordinator",
                   "methodology": "state_coordinator"}
# Leadership's own view of the pages that tell the story: its suppressed publication.
LEADERSHIP_SCREENSHOTS = {"overview": "leadership-overview", "outcomes": "leadership-outcomes",
                          "reach": "leadership-reach"}
# The outcomes page in full (effect by group, reunification curves), which leadership's is not.
COORDINATOR_SCREENSHOTS = {"outcomes": "outcomes-coordinator"}
VIEWPORT = {"width": 1400, "height": 1000}

pytestmark = [
    pytest.mark.skipif(not PUBLISHED, reason="set PPA_TEST_SCALE_PUBLISHED to a scale-1 file"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args():
    return {"viewport": VIEWPORT, "accept_downloads": True}


@pytest.fixture(scope="module")
def as_of() -> str:
    with duckdb.connect(PUBLISHED, read_only=True) as con:
        return str(con.sql("select as_of_date from marts.meta_refresh").fetchall()[0][0])


@pytest.fixture(scope="module", params=list(ROLE_PAGES))
def app(request, tmp_path_factory):
    role = request.param
    folder = tmp_path_factory.mktemp("scale_signed_in")
    users_file = folder / "users.toml"
    name, password = f"scale.{role}", f"a long password for {role}"
    add_user(users_file, name, role, SITE_OF.get(role), password)
    browser_app.credentials.update(name=name, password=password)
    env = {"PPA_PUBLISHED": PUBLISHED, "PPA_AUDIT_LOG": str(folder / "audit.log"),
           "PPA_USERS_FILE": str(users_file)}
    with served(env) as url:
        yield role, url


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


# Each chart's drawing (Vega's svg or canvas) and its size; "-" for a chart not drawn yet.
CHART_SIZES = """() => Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart]'))
    .map(chart => {
        const drawing = chart.querySelector('.vega-embed svg, .vega-embed canvas');
        if (!drawing) return '-';
        const box = drawing.getBoundingClientRect();
        return box.width > 0 && box.height > 0 ? `${box.width}x${box.height}` : '-';
    })"""


def _wait_for_charts(page, seconds: float = 30) -> None:
    """Until every chart on the page is drawn and has kept its size over half a second
    (a chart is drawn again at its new width when the viewport changes)."""
    deadline = time.monotonic() + seconds
    before = None
    while True:
        sizes = page.evaluate(CHART_SIZES)
        if sizes == before and "-" not in sizes:
            return
        assert time.monotonic() < deadline, f"charts not drawn or still moving: {sizes}"
        before = sizes
        page.wait_for_timeout(500)


def _photograph(page, path: Path) -> None:
    """The page drawn in a viewport as tall as its content (Streamlit scrolls inside its own
    container, so a full-page shot of a short viewport shows only the top)."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(height, 1000), 9000)})
    wait_for_idle(page)
    _wait_for_charts(page)
    page.screenshot(path=path, type="png")
    page.set_viewport_size(VIEWPORT)


def test_every_page_on_the_scale_1_data(app, page, as_of):
    role, url = app
    for path in ROLE_PAGES[role]:
        query = "?site=S01" if path == "site" and role == "state_coordinator" else ""
        address = f"{url}/{'' if path == 'overview' else path}{query}"
        started = time.monotonic()
        open_page(page, address)
        seconds = time.monotonic() - started
        assert page.get_by_test_id("stException").count() == 0, (role, path)
        main = page.get_by_test_id("stMain")
        assert f"Data as of {as_of}" in main.get_by_test_id("stCaptionContainer").first.inner_text()
        assert _serious(page) == [], (role, path)
        print(f"{role:18s} {path:13s} drawn in {seconds:5.1f} s")
        names = [path] if SCREENSHOT_ROLE[path] == role else []
        if role == "leadership" and path in LEADERSHIP_SCREENSHOTS:
            names.append(LEADERSHIP_SCREENSHOTS[path])
        if role == "state_coordinator" and path in COORDINATOR_SCREENSHOTS:
            names.append(COORDINATOR_SCREENSHOTS[path])
        for name in names:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            _photograph(page, SCREENSHOTS / f"{name}.png")
