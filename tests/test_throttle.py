"""The sign-in throttle: 5 failures in 15 minutes lock a name for 15 minutes, on disk."""

import stat

import pytest

from dashboards import throttle

T0 = 1_800_000_000.0
MINUTE = 60.0


@pytest.fixture
def users_file(tmp_path):
    return tmp_path / "users.toml"


def fail(users_file, name, *minutes):
    for minute in minutes:
        throttle.record_failure(users_file, name, now=T0 + minute * MINUTE)


def test_the_fifth_failure_within_15_minutes_locks_the_name_for_15_minutes(users_file):
    fail(users_file, "ana", 0, 1, 2, 3)
    assert throttle.refused_until(users_file, "ana", now=T0 + 3 * MINUTE) is None
    fail(users_file, "ana", 4)
    assert throttle.refused_until(users_file, "ana", now=T0 + 5 * MINUTE) == T0 + 19 * MINUTE
    assert throttle.refused_until(users_file, "ana", now=T0 + 18.9 * MINUTE)
    assert throttle.refused_until(users_file, "ana", now=T0 + 19 * MINUTE) is None
    assert throttle.refused_until(users_file, "ben", now=T0 + 5 * MINUTE) is None


def test_failures_older_than_15_minutes_do_not_count(users_file):
    fail(users_file, "ana", 0, 1, 2, 3, 16, 17, 18)
    assert throttle.refused_until(users_file, "ana", now=T0 + 18 * MINUTE) is None
    fail(users_file, "ana", 19)  # four within the last 15 minutes: those of 0..3 expired
    assert throttle.refused_until(users_file, "ana", now=T0 + 19 * MINUTE) is None
    fail(users_file, "ana", 20)
    assert throttle.refused_until(users_file, "ana", now=T0 + 20 * MINUTE) == T0 + 35 * MINUTE


def test_a_success_clears_the_count(users_file):
    fail(users_file, "ana", 0, 1, 2, 3)
    throttle.record_success(users_file, "ana", now=T0 + 4 * MINUTE)
    fail(users_file, "ana", 5)
    assert throttle.refused_until(users_file, "ana", now=T0 + 5 * MINUTE) is None


def test_the_state_is_a_private_file_beside_the_users_file(users_file):
    fail(users_file, "ana", 0)
    state = users_file.with_name("users.throttle.json")
    assert state.exists()
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert "ana" in state.read_text()
    throttle.record_success(users_file, "ana", now=T0)
    assert state.read_text() == "{}"
