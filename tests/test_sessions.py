"""Sign-ins that last: the session token's issue, check, expiry, renewal and revocation, and
the signed-in page checking it again at every rerun (AppTest). The browser's side - the
cookie, a reload, a shared link - is tests/dashboards/test_lasting_sign_in.py."""

import json
import stat
import threading
import time

import pytest
from itsdangerous import URLSafeTimedSerializer
from streamlit.testing.v1 import AppTest

from dashboards import sessions, users
from dashboards.sign_in import COOKIE_KEY, SESSION_KEY, TOKEN_KEY
from orchestration.config import REPO_ROOT, session_key_path

PROBE = str(REPO_ROOT / "tests" / "dashboard_apps" / "signed_in_probe.py")
PASSWORD = "correct horse battery"
T0 = 1_800_000_000.0


@pytest.fixture
def users_file(tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    monkeypatch.setenv("PPA_USERS_FILE", str(path))
    monkeypatch.setenv("PPA_AUDIT_LOG", str(tmp_path / "audit.log"))
    users.add_user(path, "ana", "site_coordinator", "S01", PASSWORD)
    users.add_user(path, "lee", "leadership", None, PASSWORD)
    return path


def test_a_token_names_its_user_and_is_signed_with_a_private_key_made_on_first_use(users_file):
    token = sessions.issue(users_file, "ana", now=T0)
    assert sessions.verify(users_file, token, now=T0 + 1) == sessions.Session("ana", T0)
    # No role, no site: those are read from the users file at every rerun.
    assert URLSafeTimedSerializer("not the key").loads_unsafe(token) == (
        False, {"user": "ana", "epoch": 0})
    key = session_key_path(users_file)
    assert key == users_file.with_name("users.session-key")
    assert len(key.read_bytes()) == 32 and stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_token_expires_eight_hours_after_it_was_issued(users_file):
    token = sessions.issue(users_file, "ana", now=T0)
    assert sessions.LIFETIME_SECONDS == 8 * 3600
    assert sessions.verify(users_file, token, now=T0 + 8 * 3600) is not None
    assert sessions.verify(users_file, token, now=T0 + 8 * 3600 + 1) is None


def test_a_token_is_due_for_renewal_after_ten_minutes_and_its_renewal_lasts_eight_hours_more(
        users_file):
    session = sessions.verify(users_file, sessions.issue(users_file, "ana", now=T0), now=T0)
    assert not session.renewal_due(now=T0 + sessions.RENEW_AFTER_SECONDS - 1)
    assert session.renewal_due(now=T0 + sessions.RENEW_AFTER_SECONDS)
    renewed = sessions.issue(users_file, "ana", now=T0 + 7 * 3600)
    assert sessions.verify(users_file, renewed, now=T0 + 14 * 3600) is not None


def test_a_forged_or_altered_token_opens_nothing(users_file, tmp_path):
    token = sessions.issue(users_file, "ana", now=T0)
    rest = token.split(".", 1)[1]
    as_lee = sessions.issue(users_file, "lee", now=T0).split(".", 1)[0]
    assert sessions.verify(users_file, f"{as_lee}.{rest}", now=T0) is None
    assert sessions.verify(users_file, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
                           now=T0) is None
    elsewhere = tmp_path / "other" / "users.toml"
    assert sessions.verify(users_file, sessions.issue(elsewhere, "ana", now=T0), now=T0) is None
    for junk in ("", "not a token", "a.b.c", "." * 4000):
        assert sessions.verify(users_file, junk, now=T0) is None


def test_ending_a_users_sessions_ends_every_token_of_theirs_and_no_one_elses(users_file):
    first, second = (sessions.issue(users_file, "ana", now=T0 + i) for i in range(2))
    lee = sessions.issue(users_file, "lee", now=T0)
    sessions.end_sessions(users_file, "ana")
    assert sessions.verify(users_file, first, now=T0 + 5) is None
    assert sessions.verify(users_file, second, now=T0 + 5) is None
    assert sessions.verify(users_file, lee, now=T0 + 5) is not None
    # A sign-in after it lasts as before.
    again = sessions.issue(users_file, "ana", now=T0 + 10)
    assert sessions.verify(users_file, again, now=T0 + 11) is not None
    epochs = sessions.epochs_path(users_file)
    assert json.loads(epochs.read_text()) == {"ana": 1}
    assert stat.S_IMODE(epochs.stat().st_mode) == 0o600


def test_sign_outs_at_the_same_time_are_all_kept(users_file):
    names = [f"user{i}" for i in range(24)]
    threads = [threading.Thread(target=sessions.end_sessions, args=(users_file, name))
               for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert json.loads(sessions.epochs_path(users_file).read_text()) == dict.fromkeys(names, 1)


def test_rotating_the_key_ends_every_session(users_file):
    tokens = [sessions.issue(users_file, name, now=T0) for name in ("ana", "lee")]
    key = session_key_path(users_file).read_bytes()
    sessions.rotate_key(users_file)
    assert session_key_path(users_file).read_bytes() != key
    assert stat.S_IMODE(session_key_path(users_file).stat().st_mode) == 0o600
    assert [sessions.verify(users_file, t, now=T0 + 1) for t in tokens] == [None, None]
    assert sessions.verify(users_file, sessions.issue(users_file, "ana", now=T0), now=T0 + 1)


def test_a_broken_sessions_file_is_named(users_file):
    token = sessions.issue(users_file, "ana", now=T0)
    sessions.epochs_path(users_file).write_text('{"ana": "one"}')
    with pytest.raises(users.UsersFileError, match="users.sessions.json is not a valid"):
        sessions.verify(users_file, token, now=T0)


# The signed-in page (AppTest): the token is checked again at every rerun.

def signed_in(token: str) -> AppTest:
    app = AppTest.from_file(PROBE, default_timeout=60)
    app.session_state[SESSION_KEY] = "ana"
    app.session_state[TOKEN_KEY] = token
    return app.run()


def is_signed_in(app: AppTest) -> bool:
    return any("Signed in as" in m.value for m in app.markdown)


def audit_actions(tmp_path) -> list[tuple[str, str]]:
    lines = (tmp_path / "audit.log").read_text().splitlines()
    return [(event["user"], event["action"]) for event in map(json.loads, lines)]


def test_a_password_sign_in_keeps_a_token_and_asks_the_browser_to_keep_it(users_file):
    app = AppTest.from_file(PROBE, default_timeout=60).run()
    fields = {field.label: field for field in app.text_input}
    fields["Username"].input("ana")
    fields["Password"].input(PASSWORD)
    next(b for b in app.button if b.label == "Sign in").click()
    app.run()
    assert is_signed_in(app)
    token = app.session_state[TOKEN_KEY]
    assert sessions.verify(users_file, token).name == "ana"
    assert app.session_state[COOKIE_KEY] == token


@pytest.mark.parametrize("end", [
    lambda path: sessions.end_sessions(path, "ana"),
    sessions.rotate_key,
])
def test_a_session_ended_elsewhere_is_out_at_the_next_click(users_file, tmp_path, end):
    app = signed_in(sessions.issue(users_file, "ana"))
    assert is_signed_in(app)
    end(users_file)
    app.run()
    assert not is_signed_in(app)
    assert [field.label for field in app.text_input] == ["Username", "Password"]
    assert SESSION_KEY not in app.session_state and TOKEN_KEY not in app.session_state
    # The browser's cookie is cleared.
    assert app.session_state[COOKIE_KEY] == ""
    assert audit_actions(tmp_path) == [("ana", "session_ended")]


def test_an_expired_token_is_out(users_file, tmp_path):
    app = signed_in(sessions.issue(users_file, "ana", now=time.time() - 8 * 3600 - 5))
    assert not is_signed_in(app)
    assert audit_actions(tmp_path) == [("ana", "session_ended")]


def test_a_click_renews_a_token_ten_minutes_old_and_the_cookie_with_it(users_file):
    issued = time.time() - sessions.RENEW_AFTER_SECONDS - 5
    old = sessions.issue(users_file, "ana", now=issued)
    app = signed_in(old)
    assert is_signed_in(app)
    renewed = app.session_state[TOKEN_KEY]
    assert renewed != old
    assert sessions.verify(users_file, renewed).issued_at > issued
    assert app.session_state[COOKIE_KEY] == renewed
    # A fresh token is kept as it is: nothing to write.
    fresh = signed_in(sessions.issue(users_file, "ana"))
    assert COOKIE_KEY not in fresh.session_state


def test_signing_out_ends_the_users_tokens_everywhere(users_file, tmp_path):
    elsewhere = sessions.issue(users_file, "ana")
    app = signed_in(sessions.issue(users_file, "ana"))
    app.sidebar.button[0].click()
    app.run()
    assert not is_signed_in(app)
    assert app.session_state[COOKIE_KEY] == ""
    assert sessions.verify(users_file, elsewhere) is None
    assert audit_actions(tmp_path) == [("ana", "sign_out")]
