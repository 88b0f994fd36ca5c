"""The sign-in throttle: 5 failures in 15 minutes lock a name for 15 minutes, 20 lock a
client, 30 a minute refuse everyone; an attempt counts before its password is checked."""

import json
import stat

import pytest

from dashboards import throttle

T0 = 1_800_000_000.0
MINUTE = 60.0
CLIENT = "203.0.113.7"


@pytest.fixture
def users_file(tmp_path):
    return tmp_path / "users.toml"


def fail(users_file, name, *minutes, client=CLIENT):
    """A failed sign-in at each minute: reserved, then its password found wrong."""
    for minute in minutes:
        attempt = throttle.reserve(users_file, name, client, now=T0 + minute * MINUTE)
        assert isinstance(attempt, throttle.Reservation), attempt
        throttle.record_failure(users_file, attempt)


def refused_until(users_file, name, minute, client=CLIENT):
    refusal = throttle.refusal(users_file, name, client, now=T0 + minute * MINUTE)
    return refusal.until if refusal else None


def test_the_fifth_failure_within_15_minutes_locks_the_name_for_15_minutes(users_file):
    fail(users_file, "ana", 0, 1, 2, 3)
    assert refused_until(users_file, "ana", 3) is None
    fail(users_file, "ana", 4)
    assert refused_until(users_file, "ana", 5) == T0 + 19 * MINUTE
    assert refused_until(users_file, "ana", 18.9)
    assert refused_until(users_file, "ana", 19) is None
    assert refused_until(users_file, "ben", 5) is None


def test_failures_older_than_15_minutes_do_not_count(users_file):
    fail(users_file, "ana", 0, 1, 2, 3, 16, 17, 18)
    assert refused_until(users_file, "ana", 18) is None
    fail(users_file, "ana", 19)  # four within the last 15 minutes: those of 0..3 expired
    assert refused_until(users_file, "ana", 19) is None
    fail(users_file, "ana", 20)
    assert refused_until(users_file, "ana", 20) == T0 + 35 * MINUTE


def test_a_success_clears_the_count(users_file):
    fail(users_file, "ana", 0, 1, 2, 3)
    throttle.record_success(users_file, throttle.reserve(users_file, "ana", CLIENT,
                                                         now=T0 + 4 * MINUTE))
    fail(users_file, "ana", 5)
    assert refused_until(users_file, "ana", 5) is None


def test_the_state_is_a_private_file_beside_the_users_file(users_file):
    fail(users_file, "ana", 0)
    state = users_file.with_name("users.throttle.json")
    assert state.exists()
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert "ana" in state.read_text()
    throttle.record_success(users_file, throttle.reserve(users_file, "ana", CLIENT, now=T0))
    # The name is cleared; the client keeps its earlier failure (a success elsewhere must
    # not reset a client's count), and the successful attempt is not counted.
    assert json.loads(state.read_text()) == {"clients": {CLIENT: {"failures": [T0]}},
                                             "recent": [T0]}


def test_an_attempt_being_checked_counts_before_its_password_is_known(users_file):
    """Five reservations still being checked fill the name's limit: a sixth is refused."""
    attempts = [throttle.reserve(users_file, "ana", CLIENT, now=T0 + s) for s in range(5)]
    assert all(isinstance(a, throttle.Reservation) for a in attempts)
    refused = throttle.reserve(users_file, "ana", CLIENT, now=T0 + 5)
    assert refused == throttle.Refusal(throttle.NAME, T0 + 15 * MINUTE)
    # One of them had the right password: its reservation is taken back, the name is free.
    throttle.record_success(users_file, attempts[0])
    assert throttle.refusal(users_file, "ana", CLIENT, now=T0 + 6) is None


def test_one_client_trying_many_names_is_refused_at_its_limit(users_file):
    for i in range(20):
        fail(users_file, f"name{i}", i * 0.5)
    assert refused_until(users_file, "name99", 10) == T0 + 9.5 * MINUTE + 15 * MINUTE
    assert refused_until(users_file, "name99", 10, client="198.51.100.1") is None
    assert throttle.refusal(users_file, "name99", CLIENT, now=T0 + 10 * MINUTE).limit == (
        throttle.CLIENT)
    assert refused_until(users_file, "name99", 24.6) is None


def test_a_success_takes_back_only_its_own_attempt_from_the_client(users_file):
    for i in range(19):
        fail(users_file, f"name{i}", i * 0.5)
    throttle.record_success(users_file, throttle.reserve(users_file, "ana", CLIENT,
                                                         now=T0 + 10 * MINUTE))
    assert refused_until(users_file, "ben", 10) is None
    fail(users_file, "ben", 10.5)
    assert throttle.refusal(users_file, "cy", CLIENT, now=T0 + 11 * MINUTE).limit == (
        throttle.CLIENT)


def test_thirty_failures_within_a_minute_refuse_everyone_for_the_rest_of_it(users_file):
    for i in range(30):
        fail(users_file, f"name{i}", i / 60, client=f"198.51.100.{i}")
    refusal = throttle.refusal(users_file, "ana", "192.0.2.1", now=T0 + 0.5 * MINUTE)
    assert refusal == throttle.Refusal(throttle.EVERYONE, T0 + MINUTE)
    assert throttle.refusal(users_file, "ana", "192.0.2.1", now=T0 + MINUTE - 1) is not None
    assert throttle.refusal(users_file, "ana", "192.0.2.1", now=T0 + MINUTE) is None


def test_the_limits_are_settings(users_file, monkeypatch):
    monkeypatch.setenv("PPA_SIGN_IN_FAILURES_PER_NAME", "2")
    monkeypatch.setenv("PPA_SIGN_IN_FAILURES_PER_CLIENT", "3")
    monkeypatch.setenv("PPA_SIGN_IN_FAILURES_PER_MINUTE", "4")
    fail(users_file, "ana", 0, 0.01)
    assert refused_until(users_file, "ana", 0.02) == T0 + 0.01 * MINUTE + 15 * MINUTE
    fail(users_file, "ben", 0.03)
    assert throttle.refusal(users_file, "cy", CLIENT, now=T0 + 0.04 * MINUTE).limit == (
        throttle.CLIENT)
    fail(users_file, "cy", 0.05, client="198.51.100.1")
    assert throttle.refusal(users_file, "dee", "192.0.2.1", now=T0 + 0.06 * MINUTE).limit == (
        throttle.EVERYONE)
