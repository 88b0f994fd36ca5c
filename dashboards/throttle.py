"""Sign-in throttle: failed sign-ins counted per name, per client and across everyone, with
the limits of `orchestration.config.SignInLimits` (defaults: 5 per name and 20 per client
within 15 minutes, each refusing for 15 minutes; 30 a minute across everyone).

- A name over its limit is refused whoever tries it and from wherever: someone guessing
  one user's password.
- A client (the address the request came from) over its limit is refused whatever name it
  tries: one password tried against every name.
- With the limit per minute reached, every sign-in is refused until the last minute holds
  fewer failures: guessing spread over many addresses.

An attempt counts as a failure before its password is checked: `reserve` checks the limits
and records the failure in one step under the lock, `record_failure` turns a limit reached
into a lockout, and `record_success` takes the reservation back. Concurrent attempts cannot
all pass the check before any failure is recorded; refused attempts are not counted.

The state lives in a small JSON file beside the users file (`users.throttle.json` next to
`users.toml`, mode 0600), not in the session: a reload or a new browser tab is a new
session and must not reset the count, nor may a server restart. It holds only the last
15 minutes and is read on every attempt. Names are kept as `users.name_digest` gives them,
never as typed; unknown names are throttled like known ones, so the throttle says nothing
about which names exist.
"""

from __future__ import annotations

import fcntl
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dashboards.users import write_private_atomically
from orchestration.config import SignInLimits, sign_in_limits

MINUTE = 60.0
# Which limit refused an attempt.
NAME, CLIENT, EVERYONE = "name", "client", "everyone"
# `st.context.ip_address` is None for a browser on the server's own machine.
LOCAL_CLIENT = "localhost"

# Sessions are threads of one server process (the thread lock); more than one server or
# the CLI may share the file (the file lock).
_THREAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class Refusal:
    limit: str
    until: float


@dataclass(frozen=True)
class Reservation:
    """An attempt counted as a failure until `record_success` takes it back."""

    name: str
    client: str
    at: float


def throttle_path(users_file: Path) -> Path:
    return users_file.with_name(users_file.stem + ".throttle.json")


def refusal(users_file: Path, name: str, client: str | None,
            now: float | None = None) -> Refusal | None:
    """Which limit refuses an attempt at `name` (its digest) from `client` now, if any."""
    now = time.time() if now is None else now
    return _refusal(_read(throttle_path(users_file)), name, client or LOCAL_CLIENT, now,
                    sign_in_limits())


def reserve(users_file: Path, name: str, client: str | None,
            now: float | None = None) -> Reservation | Refusal:
    """Count an attempt at `name` (its digest) from `client` as failed, or refuse it."""
    now = time.time() if now is None else now
    client = client or LOCAL_CLIENT
    limits = sign_in_limits()
    with _locked(users_file, now, limits) as state:
        refused = _refusal(state, name, client, now, limits)
        if refused:
            return refused
        for kind, key in (("names", name), ("clients", client)):
            entry = state.setdefault(kind, {}).setdefault(key, {})
            entry["failures"] = _within(entry.get("failures", []), now, limits.window_seconds)
            entry["failures"].append(now)
        state["recent"] = _within(state.get("recent", []), now, MINUTE) + [now]
    return Reservation(name=name, client=client, at=now)


def record_failure(users_file: Path, reservation: Reservation) -> None:
    """The password was wrong: a name or client at its limit is locked out from now."""
    limits = sign_in_limits()
    now = reservation.at
    with _locked(users_file, now, limits) as state:
        for kind, key, limit in (("names", reservation.name, limits.per_name),
                                 ("clients", reservation.client, limits.per_client)):
            entry = state.get(kind, {}).get(key)
            if entry and len(_within(entry.get("failures", []), now,
                                     limits.window_seconds)) >= limit:
                state[kind][key] = {"failures": [],
                                    "locked_until": now + limits.lockout_seconds}


def record_success(users_file: Path, reservation: Reservation) -> None:
    """The password was right: the name's count is cleared and the attempt not counted."""
    limits = sign_in_limits()
    with _locked(users_file, reservation.at, limits) as state:
        state.get("names", {}).pop(reservation.name, None)
        client = state.get("clients", {}).get(reservation.client, {})
        _forget(client.get("failures", []), reservation.at)
        _forget(state.get("recent", []), reservation.at)


def _refusal(state: dict, name: str, client: str, now: float,
             limits: SignInLimits) -> Refusal | None:
    for kind, key, limit, refused in (("names", name, limits.per_name, NAME),
                                      ("clients", client, limits.per_client, CLIENT)):
        entry = state.get(kind, {}).get(key, {})
        if entry.get("locked_until", 0) > now:
            return Refusal(refused, entry["locked_until"])
        failures = _within(entry.get("failures", []), now, limits.window_seconds)
        if len(failures) >= limit:
            # Attempts still being checked already fill the limit.
            return Refusal(refused, failures[-limit] + limits.lockout_seconds)
    recent = _within(state.get("recent", []), now, MINUTE)
    if len(recent) >= limits.per_minute:
        return Refusal(EVERYONE, recent[-limits.per_minute] + MINUTE)
    return None


def _within(times: list[float], now: float, seconds: float) -> list[float]:
    return sorted(t for t in times if t > now - seconds)


def _forget(times: list[float], at: float) -> None:
    if at in times:
        times.remove(at)


@contextmanager
def _locked(users_file: Path, now: float, limits: SignInLimits):
    """The state to change, written back (without expired entries) when the block ends."""
    path = throttle_path(users_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_suffix(".lock")
    with _THREAD_LOCK, lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = _read(path)
        yield state
        current = {
            kind: {
                key: entry for key, entry in state.get(kind, {}).items()
                if entry.get("locked_until", 0) > now
                or _within(entry.get("failures", []), now, limits.window_seconds)
            }
            for kind in ("names", "clients")
        }
        current["recent"] = _within(state.get("recent", []), now, MINUTE)
        write_private_atomically(
            path, json.dumps({k: v for k, v in current.items() if v}, sort_keys=True))


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
