"""The dashboards in a real browser (Debian's chromium through Playwright): every page for
every role, a filter change, CSV and monthly-packet downloads, screenshots, accessibility."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import browser_app
import fastexcel
import polars as pl
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_app import CHROMIUM, CHROMIUM_ARGS, open_page, served, wait_for_idle
from conftest import NOT_COUNTS, RECORD_ID_COLUMNS, marts
from test_dashboard_pages import ROLE_PAGES

from dashboards.users import add_user

# The docs' screenshots: refreshed when PPA_SCREENSHOTS_DIR names docs/screenshots.
SCREENSHOTS = Path(os.environ.get("PPA_SCREENSHOTS_DIR") or "/tmp/ppa-screenshots")
SITE_OF = {"site_coordinator": "S02"}
# The page each screenshot shows it from: the record-level view where there is one.
SCREENSHOT_ROLE = {"overview": "state_coordinator", "site": "site_coordinator",
                   "fidelity": "state_coordinator", "outcomes": "leadership",
                   "reach": "state_coordinator", "contract": "state_coordinator",
                   "data-quality": "state_coordinator",
                   "methodology": "state_coordinator"}

def at(url: str, path: str, query: str = "") -> str:
    """A page's address: Streamlit serves the first page (the overview) at the root only."""
    return f"{url}/{'' if path == 'overview' else path}{query}"


pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args():
    return {"viewport": {"width": 1400, "height": 1000}, "accept_downloads": True}


@pytest.fixture(scope="module", params=list(ROLE_PAGES))
def app(request, published, tmp_path_factory):
    """One served app per role; yields (role, base URL, audit log path)."""
    role = request.param
    folder = tmp_path_factory.mktemp("signed_in")
    audit, users_file = folder / "audit.log", folder / "users.toml"
    name, password = f"browser.{role}", f"a long password for {role}"
    add_user(users_file, name, role, SITE_OF.get(role), password)
    browser_app.credentials.update(name=name, password=password)
    env = {"PPA_PUBLISHED": str(published), "PPA_AUDIT_LOG": str(audit),
           "PPA_USERS_FILE": str(users_file)}
    with served(env) as url:
        yield role, url, audit


@pytest.fixture(scope="module")
def role_context(app, browser, browser_context_args):
    """One browser context per served role, each test's page a new tab of it: the tabs share
    its cache (Streamlit's scripts, loaded and compiled once, not once per test) and its
    lasting sign-in, as one user's browser does. Each test still opens its pages by address."""
    context = browser.new_context(**browser_context_args)
    yield context
    context.close()


@pytest.fixture
def page(role_context):
    page = role_context.new_page()
    yield page
    page.close()


def _serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} at {[n['html'][:120] for n in v['nodes'][:3]]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_every_page_opens_passes_axe_and_is_photographed(app, page):
    role, url, _ = app
    for path in ROLE_PAGES[role]:
        query = "?site=S01" if path == "site" and role == "state_coordinator" else ""
        open_page(page, at(url, path, query))
        assert page.get_by_test_id("stException").count() == 0, path
        assert page.get_by_test_id("stMain").get_by_test_id("stHeading").first.is_visible()
        caption = page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first
        assert "Data as of 2024-08-01" in caption.inner_text()
        assert _serious_violations(page) == [], (role, path)
        if SCREENSHOT_ROLE[path] == role:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{path}.png", full_page=True)


def test_pages_a_role_may_not_see_are_not_served(app, page):
    role, url, _ = app
    for path in set(SCREENSHOT_ROLE) - set(ROLE_PAGES[role]):
        open_page(page, at(url, path))
        # The sign-in form answers at every page address; signed in, the role's navigation
        # has no such page and falls back to the first page (the overview).
        assert not page.url.rstrip("/").endswith(path), path
        heading = page.get_by_test_id("stMain").get_by_test_id("stHeading").first
        assert heading.inner_text() == "Overview", path


def _select(page, label: str, option: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    box.locator("input").click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_idle(page)


def test_a_filter_change_reaches_the_url_and_the_page(app, page):
    _, url, _ = app
    open_page(page, at(url, "overview"))
    _select(page, "To month", "2024-03")
    page.wait_for_url("**to=2024-03**")
    page.get_by_text("March 2024").first.wait_for()
    open_page(page, at(url, "overview", "?to=2024-04"))
    page.get_by_text("April 2024").first.wait_for()


def _audited(audit: Path, action: str) -> bool:
    """The download's audit line is written by the rerun the click starts: wait for it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if audit.exists() and f'"{action}"' in audit.read_text():
            return True
        time.sleep(0.5)
    return False


def _download(page, button_index: int = 0, label: str = "Download CSV") -> Path:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).nth(button_index).click()
    return Path(info.value.path())


def test_a_csv_download_holds_what_the_table_shows(app, page, published):
    role, url, audit = app
    open_page(page, at(url, "overview"))
    # The CSV's headers are the published labels (marts.dim_column_label).
    label = dict(marts(published, "select column_name, label from marts.dim_column_label")
                 .iter_rows())
    csv = pl.read_csv(_download(page), infer_schema=False)
    june = marts(published, "select * from marts.agg_activity_month "
                 "where service_month = ?", [dt.date(2024, 6, 1)])
    assert {label["service_month"], label["active_families"],
            label["share_forms_on_time"]} <= set(csv.columns)
    if role == "leadership":
        assert not {label[c] for c in RECORD_ID_COLUMNS if c in label} & set(csv.columns)
        for column in set(csv.columns) - {label[c] for c in NOT_COUNTS if c in label}:
            values = [v for v in csv[column].drop_nulls() if v.isdigit()]
            assert not [v for v in values if 1 <= int(v) <= 10], column
    elif role == "state_coordinator":
        shown = csv.filter(pl.col(label["service_month"]) == "2024-06")
        statewide = june.filter(pl.col("level") == "statewide")
        assert shown[label["active_families"]].cast(pl.Int64).to_list() == (
            statewide["active_families"].to_list())
        assert shown[label["share_forms_on_time"]].to_list() == [
            f"{statewide['share_forms_on_time'][0]:.2%}"]
    else:
        assert set(csv[label["area_id"]]) == {"S02"}
    assert _audited(audit, "download:trend")


def test_the_monthly_packet_downloads_and_opens(app, page):
    role, url, audit = app
    if "site" not in ROLE_PAGES[role]:
        pytest.skip(f"{role} has no site page")
    open_page(page, at(url, "site", "?site=S01"))
    packet = _download(page, label="Download the monthly packet (.xlsx)")
    workbook = fastexcel.read_excel(packet.read_bytes())
    assert workbook.sheet_names == ["Cover", "Parent Partners", "Overdue forms",
                                    "Families by month", "Family months", "Exits"]
    cover = dict(workbook.load_sheet("Cover").to_polars().iter_rows())
    expected_site = SITE_OF.get(role, "S01")
    assert cover["site"] == expected_site
    assert cover["as-of date"] == "2024-08-01"
    partners = workbook.load_sheet("Parent Partners").to_polars()
    assert partners.height > 0 and set(partners["Site"]) == {expected_site}
    assert _audited(audit, "download:monthly_packet")
    assert os.path.getsize(packet) < 5_000_000
