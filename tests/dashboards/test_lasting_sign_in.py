"""Sign-ins that last, in a real browser (Debian's chromium through Playwright): a password
sign-in survives a reload and opens a shared link signed in; signing out (in any tab),
disabling the user and rotating the session key each end it at the next click."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_app import CHROMIUM, CHROMIUM_ARGS, served, wait_for_idle
from playwright.sync_api import expect

from dashboards import users
from dashboards.sessions import LIFETIME_SECONDS
from dashboards.sign_in import COOKIE
from orchestration.config import REPO_ROOT

PROBE = str(REPO_ROOT / "tests" / "dashboard_apps" / "lasting_sign_in_probe.py")
PPA = str(Path(sys.executable).parent / "ppa")
PASSWORD = "a long password for the probe"
# One user per test: a test that disables its user or signs it out leaves the others be.
NAMES = ("ana", "ben", "cy", "dee")
# A sign-in checks an argon2 hash and every rerun reads the users file: seconds on a busy machine.
WAIT = 60_000

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    """The probe served with a users file of its own; yields (base URL, users file, audit log)."""
    folder = tmp_path_factory.mktemp("lasting_sign_in")
    users_file, audit = folder / "users.toml", folder / "audit.log"
    for name in NAMES:
        users.add_user(users_file, name, "site_coordinator", "S01", PASSWORD)
    env = {"PPA_USERS_FILE": str(users_file), "PPA_AUDIT_LOG": str(audit)}
    with served(env, app=PROBE) as url:
        yield url, users_file, audit


@pytest.fixture
def context(browser):
    context = browser.new_context()
    context.set_default_timeout(60_000)
    yield context
    context.close()


def opened(context, url: str):
    page = context.new_page()
    page.goto(url)
    page.get_by_test_id("stHeading").first.wait_for(timeout=90_000)
    wait_for_idle(page)
    return page


def sign_in(context, url: str, name: str):
    page = opened(context, url)
    page.get_by_role("textbox", name="Username").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible(timeout=WAIT)
    wait_for_idle(page)
    return page


def session_cookie(context, seconds: float = 30) -> dict | None:
    """The session cookie once the page has written it (a frame of the page writes it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [c for c in context.cookies() if c["name"] == COOKIE and c["value"]]
        if found:
            return found[0]
        time.sleep(0.25)
    return None


def cookie_cleared(context, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not [c for c in context.cookies() if c["name"] == COOKIE and c["value"]]:
            return True
        time.sleep(0.25)
    return False


def expect_signed_in(page, name: str) -> None:
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("textbox", name="Username")).to_have_count(0, timeout=WAIT)


def expect_signed_out(page) -> None:
    expect(page.get_by_role("textbox", name="Username")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Signed in as")).to_have_count(0, timeout=WAIT)


def click_again(page) -> None:
    page.get_by_role("button", name="Show again").click()
    wait_for_idle(page)


def audit_actions(audit: Path, name: str) -> list[str]:
    events = map(json.loads, audit.read_text().splitlines())
    return [event["action"] for event in events if event["user"] == name]


def test_a_reload_and_a_shared_link_open_signed_in(probe, context):
    url, _, audit = probe
    page = sign_in(context, url, "ana")
    cookie = session_cookie(context)
    assert cookie is not None
    assert (cookie["sameSite"], cookie["path"], cookie["secure"]) == ("Strict", "/", False)
    assert abs(cookie["expires"] - (time.time() + LIFETIME_SECONDS)) < 120
    page.reload()
    wait_for_idle(page)
    expect_signed_in(page, "ana")
    shared = opened(context, f"{url}/report?site=S01")
    expect_signed_in(shared, "ana")
    expect(shared.get_by_role("heading", name="Report")).to_be_visible(timeout=WAIT)
    expect(shared.get_by_text("Site asked for: S01")).to_be_visible(timeout=WAIT)
    assert audit_actions(audit, "ana") == ["sign_in", "session_resumed", "session_resumed"]
    # Another browser, without the cookie, is asked to sign in.
    stranger = context.browser.new_context()
    try:
        expect_signed_out(opened(stranger, f"{url}/report?site=S01"))
    finally:
        stranger.close()


def test_signing_out_ends_the_session_in_every_tab(probe, context):
    url, _, audit = probe
    page = sign_in(context, url, "ben")
    assert session_cookie(context) is not None
    other_tab = opened(context, f"{url}/report")
    expect_signed_in(other_tab, "ben")
    page.get_by_role("button", name="Sign out").click()
    wait_for_idle(page)
    expect_signed_out(page)
    assert cookie_cleared(context)
    click_again(other_tab)
    expect_signed_out(other_tab)
    page.reload()
    wait_for_idle(page)
    expect_signed_out(page)
    assert audit_actions(audit, "ben") == ["sign_in", "session_resumed", "sign_out",
                                           "session_ended"]


def test_disabling_the_user_ends_the_session_at_the_next_click(probe, context):
    url, users_file, _ = probe
    page = sign_in(context, url, "cy")
    assert session_cookie(context) is not None
    users.disable_user(users_file, "cy")
    click_again(page)
    expect_signed_out(page)
    assert cookie_cleared(context)
    page.reload()
    wait_for_idle(page)
    expect_signed_out(page)


def test_rotating_the_session_key_ends_every_session(probe, context):
    url, users_file, _ = probe
    page = sign_in(context, url, "dee")
    before = session_cookie(context)
    assert before is not None
    rotated = subprocess.run([PPA, "users", "rotate-sessions"], capture_output=True, text=True,
                             env={**os.environ, "PPA_USERS_FILE": str(users_file)}, check=False)
    assert rotated.returncode == 0, rotated.stderr
    click_again(page)
    expect_signed_out(page)
    page.reload()
    wait_for_idle(page)
    expect_signed_out(page)
    # Signed in again, the new key's session lasts as before.
    page = sign_in(context, url, "dee")
    after = session_cookie(context)
    assert after is not None and after["value"] != before["value"]
    page.reload()
    wait_for_idle(page)
    expect_signed_in(page, "dee")
