"""Where each user's monthly packet goes: `ppa users add --email`, `ppa users set-email`,
kept in the users file; anything but one plain address is refused and changes nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboards import users

PPA = str(Path(sys.executable).parent / "ppa")


def ppa_users(users_file, *args):
    env = {**os.environ, "PPA_USERS_FILE": str(users_file)}
    return subprocess.run([PPA, "users", *args], input="correct horse battery\n",
                          capture_output=True, text=True, env=env, check=False)


def test_an_address_given_at_add_or_set_later_is_kept(tmp_path):
    path = tmp_path / "users.toml"
    users.add_user(path, "ana", "site_coordinator", "S01", None, "ana@example.org")
    users.add_user(path, "lee", "leadership", None, None)
    assert users.find_user(path, "lee").email is None
    users.set_email(path, "lee", "lee@example.org")
    assert {u.name: u.email for u in users.load_users(path).values()} == {
        "ana": "ana@example.org", "lee": "lee@example.org"}


@pytest.mark.parametrize("address", [
    "ana", "ana@localhost", "ana@example.org, bob@example.org", "Ana <ana@example.org>",
    "ana@example.org\nBcc: eve@example.org",
])
def test_anything_but_one_plain_address_is_refused_and_changes_nothing(tmp_path, address):
    path = tmp_path / "users.toml"
    users.add_user(path, "ana", "site_coordinator", "S01", None, "ana@example.org")
    before = path.read_bytes()
    with pytest.raises(users.UserError, match="is not an e-mail address"):
        users.set_email(path, "ana", address)
    with pytest.raises(users.UserError, match="is not an e-mail address"):
        users.add_user(path, "bo", "state_coordinator", None, None, address)
    assert path.read_bytes() == before


@pytest.mark.slow
def test_ppa_users_add_email_and_set_email(tmp_path):
    path = tmp_path / "users.toml"
    added = ppa_users(path, "add", "ana", "--role", "site_coordinator", "--site", "S01",
                      "--email", "ana@example.org")
    assert added.returncode == 0, added.stderr
    assert users.find_user(path, "ana").email == "ana@example.org"
    refused = ppa_users(path, "set-email", "ana", "not-an-address")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "ppa: error: 'not-an-address' is not an e-mail address")
    assert ppa_users(path, "set-email", "ana", "ana@site.example.org").returncode == 0
    assert users.find_user(path, "ana").email == "ana@site.example.org"
