"""`ppa users`: add, list, set-password, disable; bad input fails in one line and changes nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboards import sessions, users

PPA = str(Path(sys.executable).parent / "ppa")
# Each test starts `ppa users` processes (loading the package) and hashes passwords.
pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"


@pytest.fixture
def users_file(tmp_path):
    return tmp_path / "users.toml"


def ppa_users(users_file, *args, password=PASSWORD):
    env = {**os.environ, "PPA_USERS_FILE": str(users_file)}
    return subprocess.run(
        [PPA, "users", *args], input=f"{password}\n", capture_output=True, text=True, env=env,
        check=False,
    )


def test_add_list_set_password_and_disable(users_file):
    assert ppa_users(users_file, "add", "ana", "--role", "site_coordinator", "--site", "S01").returncode == 0
    assert ppa_users(users_file, "add", "lee", "--role", "leadership").returncode == 0
    listing = ppa_users(users_file, "list")
    assert listing.returncode == 0
    assert listing.stdout.splitlines() == [
        "ana\tsite_coordinator\tS01\tactive",
        "lee\tleadership\t-\tactive",
    ]
    assert "argon2" not in listing.stdout + listing.stderr

    before = users_file.read_text()
    assert ppa_users(users_file, "set-password", "ana", password="another long phrase").returncode == 0
    assert users_file.read_text() != before
    assert ppa_users(users_file, "disable", "lee").returncode == 0
    assert ppa_users(users_file, "list").stdout.splitlines()[1] == "lee\tleadership\t-\tdisabled"


@pytest.mark.parametrize(
    ("args", "password", "reason"),
    [
        (["add", "new", "--role", "admin"], PASSWORD, "unknown role 'admin'"),
        (["add", "new", "--role", "site_coordinator"], PASSWORD, "a site coordinator needs --site"),
        (["add", "new", "--role", "site_coordinator", "--site", "S99"], PASSWORD, "unknown site 'S99'"),
        (["add", "new", "--role", "leadership"], "short", "password too short"),
        (["add", "ana", "--role", "leadership"], PASSWORD, "user 'ana' already exists"),
        (["set-password", "ana"], "short", "password too short"),
        (["set-password", "ghost"], PASSWORD, "no user 'ghost'"),
        (["disable", "ghost"], PASSWORD, "no user 'ghost'"),
    ],
)
def test_bad_input_exits_non_zero_in_one_line_and_leaves_the_file(users_file, args, password, reason):
    users.add_user(users_file, "ana", "site_coordinator", "S01", PASSWORD)
    before = users_file.read_bytes()
    result = ppa_users(users_file, *args, password=password)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert reason in result.stderr
    assert users_file.read_bytes() == before


@pytest.mark.parametrize("args", [["list"], ["disable", "ana"]])
def test_a_broken_users_file_is_named_in_one_line(users_file, args):
    users_file.write_text('[users."ana"\nrole = "leadership"\n')
    result = ppa_users(users_file, *args)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        (f"ppa: error: {users_file} is not a valid users file: "
         "Expected ']' at the end of a table declaration (at line 1, column 13)")
    ]


def test_an_identity_provider_user_is_added_without_a_password(users_file):
    result = ppa_users(users_file, "add", "lee@example.org", "--role", "leadership", "--no-password")
    assert result.returncode == 0
    assert users.find_user(users_file, "lee@example.org").password_hash == ""


def test_users_help_lists_every_subcommand():
    result = subprocess.run([PPA, "users", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for command in ("add", "list", "set-password", "disable", "rotate-sessions"):
        assert command in result.stdout


def test_a_new_password_a_disabled_user_and_a_new_session_key_end_dashboard_sessions(users_file):
    users.add_user(users_file, "ana", "site_coordinator", "S01", PASSWORD)
    users.add_user(users_file, "lee", "leadership", None, PASSWORD)
    ana, lee = (sessions.issue(users_file, name) for name in ("ana", "lee"))
    assert ppa_users(users_file, "set-password", "ana", password="another long phrase").returncode == 0
    assert sessions.verify(users_file, ana) is None
    assert sessions.verify(users_file, lee) is not None
    assert ppa_users(users_file, "disable", "lee").returncode == 0
    assert sessions.verify(users_file, lee) is None
    ana = sessions.issue(users_file, "ana")
    rotated = ppa_users(users_file, "rotate-sessions")
    assert rotated.returncode == 0
    assert "every dashboard session has ended" in rotated.stderr
    assert sessions.verify(users_file, ana) is None
