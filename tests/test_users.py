"""The users file: argon2id hashes only, mode 0600, and every refused change leaves it as it was."""

import os
import stat

import pytest

from dashboards import users

PASSWORD = "correct horse battery"


@pytest.fixture
def path(tmp_path):
    return tmp_path / "users.toml"


def test_a_password_is_stored_only_as_an_argon2id_hash(path):
    users.add_user(path, "ana", "site_coordinator", "S01", PASSWORD)
    text = path.read_text()
    assert PASSWORD not in text
    stored = users.find_user(path, "ana")
    assert stored.password_hash.startswith("$argon2id$")
    assert users.password_matches(stored.password_hash, PASSWORD)
    assert not users.password_matches(stored.password_hash, PASSWORD + "!")
    assert not users.password_matches("not a hash", PASSWORD)


def test_the_file_is_readable_by_its_owner_only(path):
    users.add_user(path, "lee", "leadership", None, PASSWORD)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    users.disable_user(path, "lee")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_file_is_0600_whatever_the_umask_and_its_mode_before(path):
    path.write_text("")
    path.chmod(0o644)
    previous = os.umask(0o277)
    try:
        users.add_user(path, "lee", "leadership", None, PASSWORD)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert users.find_user(path, "lee")


@pytest.mark.parametrize(("text", "says"), [
    ('[users."ana"\nrole = ', "not a valid users file"),
    ('[users."ana"]\nsite_id = "S01"\n', "needs a role"),
])
def test_a_broken_file_is_refused_with_its_path_and_reason(path, text, says):
    path.write_text(text)
    with pytest.raises(users.UsersFileError, match=says) as raised:
        users.load_users(path)
    assert str(path) in str(raised.value)


def test_sign_in_checks_name_password_and_disabled_flag(path):
    users.add_user(path, "sam", "state_coordinator", None, PASSWORD)
    assert users.check_sign_in(path, "sam", PASSWORD).viewer().role == "state_coordinator"
    assert users.check_sign_in(path, "sam", "wrong password!!") is None
    assert users.check_sign_in(path, "nobody", PASSWORD) is None
    users.disable_user(path, "sam")
    assert users.check_sign_in(path, "sam", PASSWORD) is None
    assert users.find_user(path, "sam").disabled


def test_a_user_added_without_a_password_cannot_sign_in_with_one(path):
    users.add_user(path, "lee@example.org", "leadership", None, None)
    assert users.find_user(path, "lee@example.org").password_hash == ""
    assert users.check_sign_in(path, "lee@example.org", "") is None
    assert users.check_sign_in(path, "lee@example.org", PASSWORD) is None


def test_set_password_replaces_the_hash(path):
    users.add_user(path, "sam", "state_coordinator", None, PASSWORD)
    users.set_password(path, "sam", "a brand new passphrase")
    assert users.check_sign_in(path, "sam", PASSWORD) is None
    assert users.check_sign_in(path, "sam", "a brand new passphrase")


def test_the_viewer_carries_role_and_site(path):
    users.add_user(path, "ana", "site_coordinator", "S01", PASSWORD)
    viewer = users.find_user(path, "ana").viewer()
    assert (viewer.name, viewer.role, viewer.site_id) == ("ana", "site_coordinator", "S01")


@pytest.mark.parametrize(
    ("name", "role", "site", "password", "reason"),
    [
        ("new", "admin", None, PASSWORD, "unknown role"),
        ("new", "site_coordinator", None, PASSWORD, "needs --site"),
        ("new", "site_coordinator", "S99", PASSWORD, "unknown site"),
        ("new", "leadership", "S01", PASSWORD, "only a site coordinator"),
        ("new", "leadership", None, "elevenchars", "too short"),
        ("ana", "leadership", None, PASSWORD, "already exists"),
        (" new", "leadership", None, PASSWORD, "non-empty"),
        ("n" * 65, "leadership", None, PASSWORD, "at most 64 characters"),
    ],
)
def test_bad_input_is_refused_and_the_file_is_unchanged(path, name, role, site, password, reason):
    users.add_user(path, "ana", "site_coordinator", "S01", PASSWORD)
    before = path.read_bytes()
    with pytest.raises(users.UserError, match=reason):
        users.add_user(path, name, role, site, password)
    assert path.read_bytes() == before


def test_changes_to_a_missing_user_are_refused(path):
    with pytest.raises(users.UserError, match="no user"):
        users.disable_user(path, "ghost")
    with pytest.raises(users.UserError, match="no user"):
        users.set_password(path, "ghost", PASSWORD)
    assert not path.exists()


def test_the_default_path_is_under_the_repo_and_the_env_var_overrides_it(monkeypatch, tmp_path):
    monkeypatch.delenv("PPA_USERS_FILE", raising=False)
    assert users.users_file_path() == users.REPO_ROOT / "data" / "users.toml"
    monkeypatch.setenv("PPA_USERS_FILE", str(tmp_path / "u.toml"))
    assert users.users_file_path() == tmp_path / "u.toml"
