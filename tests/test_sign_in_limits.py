"""Sign-in limits under attack: concurrent guesses at one name (threads of one server and
separate server processes), one password tried against many names, and text too long to
be a name."""

import multiprocessing
import threading
from collections import Counter

import pytest

from dashboards import sign_in, users

PASSWORD = "correct horse battery"
ATTACKER = "203.0.113.7"


@pytest.fixture
def users_file(tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    monkeypatch.setenv("PPA_USERS_FILE", str(path))
    monkeypatch.setenv("PPA_AUDIT_LOG", str(tmp_path / "audit.log"))
    users.add_user(path, "ana", "site_coordinator", "S01", PASSWORD)
    return path


def guess_at_once(count: int, name: str, password: str, client: str) -> list[str]:
    """`count` sign-ins started together, each in a thread of this process."""
    start = threading.Barrier(count)
    results: list[str] = []

    def guess():
        start.wait()
        results.append(sign_in.attempt_sign_in(name, password, client))

    threads = [threading.Thread(target=guess) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_forty_concurrent_guesses_at_one_name_check_at_most_five_passwords(
        users_file, monkeypatch):
    checked = Counter()
    real_check = sign_in.check_sign_in

    def counted_check(*args):
        checked["passwords"] += 1
        return real_check(*args)

    monkeypatch.setattr(sign_in, "check_sign_in", counted_check)
    results = Counter(guess_at_once(40, "ana", "not the password", ATTACKER))
    assert checked["passwords"] <= 5
    assert results[sign_in.FAILED] == checked["passwords"]
    assert results[sign_in.REFUSED] == 40 - checked["passwords"]
    assert sign_in.attempt_sign_in("ana", PASSWORD, "198.51.100.1") == sign_in.REFUSED


def _server_process(ready, go, results, name, password, client):
    """One more dashboards server: ten concurrent guesses once every process is ready."""
    ready.set()
    go.wait()
    for message in guess_at_once(10, name, password, client):
        results.put(message)


def test_forty_guesses_from_four_server_processes_check_at_most_five_passwords(users_file):
    fork = multiprocessing.get_context("fork")
    go, results = fork.Event(), fork.Queue()
    readies = [fork.Event() for _ in range(4)]
    processes = [fork.Process(target=_server_process,
                              args=(ready, go, results, "ana", "not the password", ATTACKER))
                 for ready in readies]
    for process in processes:
        process.start()
    for ready in readies:
        assert ready.wait(60)
    go.set()
    messages = Counter(results.get(timeout=120) for _ in range(40))
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    assert messages[sign_in.FAILED] <= 5
    assert messages[sign_in.REFUSED] == 40 - messages[sign_in.FAILED]


def test_one_password_against_many_names_is_refused_from_that_client(users_file, monkeypatch):
    monkeypatch.setenv("PPA_SIGN_IN_FAILURES_PER_CLIENT", "4")
    for name in ("ben", "cy", "dee", "ed"):
        assert sign_in.attempt_sign_in(name, PASSWORD, ATTACKER) == sign_in.FAILED
    # The next name, even a real one with its right password, is refused from there ...
    assert sign_in.attempt_sign_in("ana", PASSWORD, ATTACKER) == sign_in.REFUSED_CLIENT
    # ... and the user herself, elsewhere, signs in.
    assert sign_in.attempt_sign_in("ana", PASSWORD, "198.51.100.1") is None


def test_failures_across_every_client_refuse_everyone_within_the_minute(users_file, monkeypatch):
    monkeypatch.setenv("PPA_SIGN_IN_FAILURES_PER_MINUTE", "3")
    for i, name in enumerate(("ben", "cy", "dee")):
        assert sign_in.attempt_sign_in(name, PASSWORD, f"198.51.100.{i}") == sign_in.FAILED
    assert sign_in.attempt_sign_in("ana", PASSWORD, "192.0.2.1") == sign_in.REFUSED_EVERYONE


def test_a_name_longer_than_64_characters_is_refused_unchecked_and_uncounted(
        users_file, monkeypatch):
    monkeypatch.setattr(sign_in, "check_sign_in", lambda *args: pytest.fail("checked"))
    pasted = "x" * 65
    for _ in range(10):
        assert sign_in.attempt_sign_in(pasted, PASSWORD, ATTACKER) == sign_in.FAILED
    assert pasted not in (users_file.parent / "audit.log").read_text()
    assert not users_file.with_name("users.throttle.json").exists()
