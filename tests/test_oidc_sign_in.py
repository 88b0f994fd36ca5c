"""Sign-in through an identity provider, for real: a local OIDC provider (oidc-provider-mock),
Streamlit served with an `[auth]` section in its secrets, and Chromium clicking through.

The provider's email is looked up in the users file for the role; an email that is not
there, or that the provider has not verified, is signed in at the provider but gets no
dashboard.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import oidc_provider_mock
import pytest
import werkzeug.serving
from playwright.sync_api import expect

from dashboards import users
from orchestration.config import REPO_ROOT

PROBE = REPO_ROOT / "tests" / "dashboard_apps" / "signed_in_probe.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LEADER = "lee@example.org"
STRANGER = "sam@example.org"
# In the users file, but the provider has not verified that this account owns the address.
UNVERIFIED = "lee.unverified@example.org"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    # Authlib's own deprecations, raised inside the mock provider and Streamlit.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def provider():
    """A local OIDC provider offering three users, one click each."""
    app = oidc_provider_mock.app(user_claims=[
        *(oidc_provider_mock.User(sub=email, claims={"email": email, "email_verified": True})
          for email in (LEADER, STRANGER)),
        oidc_provider_mock.User(sub=UNVERIFIED,
                                claims={"email": UNVERIFIED, "email_verified": False}),
    ])
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def dashboards(provider, tmp_path):
    """The sign-in probe served by `streamlit run`, its secrets naming the provider."""
    port = free_port()
    users_file = tmp_path / "users.toml"
    users.add_user(users_file, LEADER, "leadership", None, None)
    users.add_user(users_file, UNVERIFIED, "leadership", None, None)
    workdir = tmp_path / "served"
    (workdir / ".streamlit").mkdir(parents=True)
    (workdir / ".streamlit" / "secrets.toml").write_text(f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a test cookie secret, not a real one"
client_id = "ppa-dashboards"
client_secret = "ppa-dashboards-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""")
    env = {**os.environ, "PPA_USERS_FILE": str(users_file),
           "PPA_AUDIT_LOG": str(tmp_path / "audit.log")}
    streamlit = Path(sys.executable).parent / "streamlit"
    # Run from a folder of its own: Streamlit reads ./.streamlit/secrets.toml from there.
    server = subprocess.Popen(
        [str(streamlit), "run", str(PROBE), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}/_stcore/health", server)
        yield f"http://127.0.0.1:{port}", tmp_path / "audit.log"
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_for_health(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "streamlit exited"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("streamlit did not come up")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def browser_page(browser):
    """A fresh context of pytest-playwright's browser: one Playwright per test session (a
    second sync Playwright beside the browser tests' would fail inside its event loop)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def settled(page):
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    return page


def sign_in_at_provider(page, base: str, email: str) -> None:
    page.goto(base)
    settled(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.get_by_role("button", name=email).click()
    page.wait_for_url(f"{base}/**")
    settled(page)


def test_a_user_of_the_users_file_signs_in_at_the_provider_and_out(dashboards, browser_page):
    page, (base, audit_log) = browser_page, dashboards
    sign_in_at_provider(page, base, LEADER)
    expect(page.get_by_text(f"Signed in as {LEADER} (leadership")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    # Streamlit ends the session at the provider too (its end_session_endpoint), which
    # asks for a confirmation and sends the browser back to the dashboards.
    page.wait_for_url("**/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{base}/**")
    expect(settled(page).get_by_role("button", name="Sign in")).to_be_visible()
    page.reload()
    expect(settled(page).get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    assert '"action": "sign_in_oidc"' in audit_log.read_text()
    assert '"action": "sign_out"' in audit_log.read_text()


def test_an_email_missing_from_the_users_file_gets_no_dashboard(dashboards, browser_page):
    page, (base, _) = browser_page, dashboards
    sign_in_at_provider(page, base, STRANGER)
    expect(page.get_by_text(f"{STRANGER} has no access to these dashboards")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_an_email_the_provider_has_not_verified_gets_no_dashboard(dashboards, browser_page):
    page, (base, audit_log) = browser_page, dashboards
    sign_in_at_provider(page, base, UNVERIFIED)
    expect(page.get_by_text(f"has not verified the e-mail address {UNVERIFIED}")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    assert '"action": "sign_in_failed_oidc_unverified"' in audit_log.read_text()
    assert '"action": "sign_in_oidc"' not in audit_log.read_text()
