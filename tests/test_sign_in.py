"""The sign-in page driven as a user would (AppTest): one message for any failed sign-in,
the throttle, a disabled user out at the next click, sign-out, the audit lines, and a
broken users file shown as a plain message."""

import json
import stat
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import users
from dashboards.sign_in import FAILED, REFUSED, UNAVAILABLE
from orchestration.config import REPO_ROOT

PROBE = str(REPO_ROOT / "tests" / "dashboard_apps" / "signed_in_probe.py")
PASSWORD = "correct horse battery"


@pytest.fixture
def users_file(tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    monkeypatch.setenv("PPA_USERS_FILE", str(path))
    monkeypatch.setenv("PPA_AUDIT_LOG", str(tmp_path / "audit.log"))
    users.add_user(path, "ana", "site_coordinator", "S01", PASSWORD)
    return path


def audit_actions(tmp_path) -> list[tuple[str, str]]:
    lines = (tmp_path / "audit.log").read_text().splitlines()
    return [(event["user"], event["action"]) for event in map(json.loads, lines)]


def open_app() -> AppTest:
    return AppTest.from_file(PROBE, default_timeout=60).run()


def sign_in(app: AppTest, name: str, password: str) -> AppTest:
    labels = {field.label: field for field in app.text_input}
    labels["Username"].input(name)
    labels["Password"].input(password)
    next(b for b in app.button if b.label == "Sign in").click()
    return app.run()


def is_signed_in(app: AppTest) -> bool:
    return any("Signed in as" in m.value for m in app.markdown)


def test_nobody_signed_in_sees_only_the_sign_in_form(users_file):
    app = open_app()
    assert not app.exception
    assert [field.label for field in app.text_input] == ["Username", "Password"]
    assert not is_signed_in(app)


def test_the_right_password_signs_in_and_the_session_keeps_the_name(users_file, tmp_path):
    app = sign_in(open_app(), "ana", PASSWORD)
    assert not app.exception
    assert is_signed_in(app)
    assert "site_coordinator, site S01" in app.markdown[0].value
    assert app.session_state["ppa_user"] == "ana"
    assert audit_actions(tmp_path) == [("ana", "sign_in")]


def test_an_unknown_user_and_a_wrong_password_get_the_same_message(users_file, tmp_path):
    wrong = sign_in(open_app(), "ana", "not the password")
    unknown = sign_in(open_app(), "nobody", PASSWORD)
    assert [e.value for e in wrong.error] == [FAILED]
    assert [e.value for e in unknown.error] == [FAILED]
    assert not is_signed_in(wrong) and not is_signed_in(unknown)
    nobody = f"unknown:{users.name_digest(users_file, 'nobody')}"
    assert audit_actions(tmp_path) == [("ana", "sign_in_failed"), (nobody, "sign_in_failed")]


def test_a_password_typed_as_the_username_is_kept_nowhere(users_file, tmp_path):
    """What names no user reaches the audit log and the throttle only as a keyed digest."""
    app = sign_in(open_app(), PASSWORD, PASSWORD)
    assert [e.value for e in app.error] == [FAILED]
    for kept in (tmp_path / "audit.log", tmp_path / "users.throttle.json"):
        assert PASSWORD not in kept.read_text()
    [(logged, action)] = audit_actions(tmp_path)
    assert action == "sign_in_failed"
    assert logged == f"unknown:{users.name_digest(users_file, PASSWORD)}"
    # The digest is keyed by this install's private key: not a plain hash of the text.
    key = tmp_path / "users.name-key"
    assert len(key.read_bytes()) == 32 and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert users.name_digest(tmp_path / "other" / "users.toml", PASSWORD) != logged[8:]


def test_five_failures_refuse_the_name_even_with_the_right_password_after_a_reload(users_file):
    app = open_app()
    for _ in range(5):
        app = sign_in(app, "ana", "not the password")
        assert [e.value for e in app.error] == [FAILED]
    reloaded = sign_in(open_app(), "ana", PASSWORD)
    assert [e.value for e in reloaded.error] == [REFUSED]
    assert not is_signed_in(reloaded)


def test_a_disabled_user_cannot_sign_in_and_is_out_at_the_next_click(users_file, tmp_path):
    app = sign_in(open_app(), "ana", PASSWORD)
    assert is_signed_in(app)
    users.disable_user(users_file, "ana")
    app.run()
    assert not is_signed_in(app)
    assert [field.label for field in app.text_input] == ["Username", "Password"]
    assert "ppa_user" not in app.session_state
    again = sign_in(open_app(), "ana", PASSWORD)
    assert [e.value for e in again.error] == [FAILED]
    assert audit_actions(tmp_path)[-2:] == [("ana", "sign_out_no_access"), ("ana", "sign_in_failed")]


def test_sign_out_returns_to_the_sign_in_form(users_file, tmp_path):
    app = sign_in(open_app(), "ana", PASSWORD)
    app.sidebar.button[0].click()
    app.run()
    assert not is_signed_in(app)
    assert "ppa_user" not in app.session_state
    assert audit_actions(tmp_path) == [("ana", "sign_in"), ("ana", "sign_out")]


def page_text(app: AppTest) -> str:
    elements = [*app.exception, *app.error, *app.warning, *app.info, *app.markdown,
                *app.caption, *app.text, *app.code]
    return "\n".join(str(getattr(e, "value", e)) for e in elements)


def test_a_broken_users_file_shows_a_plain_message_and_no_traceback(users_file):
    users_file.write_text('[users."ana"\nrole = "leadership"\n')
    visitor = sign_in(open_app(), "ana", PASSWORD)
    assert not visitor.exception
    assert [e.value for e in visitor.error] == [UNAVAILABLE]
    text = page_text(visitor)
    for detail in ("Traceback", "TOMLDecodeError", "users.toml", "line 1"):
        assert detail not in text
    # A session signed in before the file broke gets the same message at its next click.
    signed_in = AppTest.from_file(PROBE, default_timeout=60)
    signed_in.session_state["ppa_user"] = "ana"
    signed_in.run()
    assert not signed_in.exception
    assert [e.value for e in signed_in.error] == [UNAVAILABLE]
    assert not is_signed_in(signed_in)


def test_the_server_shows_no_error_details_and_keeps_xsrf_protection():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config.get("server", {}).get("enableXsrfProtection", True) is True
    assert not (REPO_ROOT / "dashboards" / "pages").exists()


def test_a_page_test_can_sign_a_user_in_through_session_state(users_file):
    app = AppTest.from_file(PROBE, default_timeout=60)
    app.session_state["ppa_user"] = "ana"
    app.run()
    assert is_signed_in(app)
