"""Sign-in throttle: after 5 failed sign-ins for a name within 15 minutes, that name is
refused for the next 15 minutes, whoever tries it and from wherever.

The state lives in a small JSON file beside the users file (`users.throttle.json` next
to `users.toml`, mode 0600), not in the session: a reload or a new browser tab is a new
session and must not reset the count, nor may a server restart. The audit log holds the
same failures but grows without bound and may be moved or rotated by whoever runs the
server; this file holds only the last 15 minutes and is read on every attempt.
Unknown names are throttled like known ones, so the throttle says nothing about which
names exist.
"""

from __future__ import annotations

import fcntl
import json
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from dashboards.users import write_private_atomically

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
LOCKOUT_SECONDS = 15 * 60

# Sessions are threads of one server process (the thread lock); more than one server or
# the CLI may share the file (the file lock).
_THREAD_LOCK = threading.Lock()


def throttle_path(users_file: Path) -> Path:
    return users_file.with_name(users_file.stem + ".throttle.json")


def refused_until(users_file: Path, name: str, now: float | None = None) -> float | None:
    """When the lockout of `name` ends (epoch seconds), or None when it may try."""
    now = time.time() if now is None else now
    entry = _read(throttle_path(users_file)).get(name, {})
    until = entry.get("locked_until", 0)
    return until if until > now else None


def record_failure(users_file: Path, name: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    with _locked(users_file, now) as state:
        entry = state.setdefault(name, {})
        failures = [t for t in entry.get("failures", []) if t > now - WINDOW_SECONDS] + [now]
        if len(failures) >= MAX_FAILURES:
            state[name] = {"failures": [], "locked_until": now + LOCKOUT_SECONDS}
        else:
            entry["failures"] = failures


def record_success(users_file: Path, name: str, now: float | None = None) -> None:
    with _locked(users_file, time.time() if now is None else now) as state:
        state.pop(name, None)


@contextmanager
def _locked(users_file: Path, now: float):
    """The state to change, written back (without expired entries) when the block ends."""
    path = throttle_path(users_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_suffix(".lock")
    with _THREAD_LOCK, lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = _read(path)
        yield state
        current = {
            name: entry for name, entry in state.items()
            if entry.get("locked_until", 0) > now
            or any(t > now - WINDOW_SECONDS for t in entry.get("failures", []))
        }
        write_private_atomically(path, json.dumps(current, sort_keys=True))


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
