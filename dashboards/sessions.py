"""Sign-ins that last: the signed, expiring token a password sign-in keeps in a cookie.

No Streamlit here (the CLI uses it too). A token names the user and the user's session
epoch, signed by itsdangerous (`URLSafeTimedSerializer`, HMAC-SHA256) with this install's
session key, and carries the time it was issued. It opens the dashboards while all of
these hold, checked again on every rerun:

- it was issued at most `SESSION_HOURS` (8) ago: a token in use is replaced by a fresh one
  once it is `RENEW_AFTER_SECONDS` (ten minutes) old, so a session ends between 7 h 50 and
  8 hours after its last click;
- the user's epoch is still the one it names: signing out, `ppa users disable` and
  `ppa users set-password` move it on (`end_sessions`), ending that user's sessions in
  every browser at their next click;
- the key that signed it is still the key: `ppa users rotate-sessions` replaces it
  (`rotate_key`), ending everyone's.

The key (`users.session-key`, orchestration.config.session_key_path) and the epochs
(`users.sessions.json`) sit beside the users file, mode 0600. The role and site are never
in a token: they are read from the users file on every rerun, so a token for a disabled
user opens nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from dashboards.users import UsersFileError, private_key, write_private_atomically
from orchestration.config import SESSION_HOURS, session_key_path

LIFETIME_SECONDS = SESSION_HOURS * 3600
# Each renewal writes the cookie again: once in ten minutes of use is enough, and a token
# replaced at every rerun would make every rerun write the cookie.
RENEW_AFTER_SECONDS = 10 * 60
# Keeps these tokens apart from anything else the same key might ever sign.
_SALT = "ppa-dashboard-session"
# Sessions are threads of one server process (the thread lock); the CLI and other servers
# may change the epochs too (the file lock).
_THREAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class Session:
    name: str
    issued_at: float

    def renewal_due(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return now - self.issued_at >= RENEW_AFTER_SECONDS


class _Signer(TimestampSigner):
    """itsdangerous' timestamp signer with the clock given (tests move it, not the system's)."""

    def __init__(self, *args, now: float | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def get_timestamp(self) -> int:
        return int(time.time() if self._now is None else self._now)


def _serializer(users_file: Path, now: float | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        private_key(session_key_path(users_file)), salt=_SALT, signer=_Signer,
        signer_kwargs={"digest_method": hashlib.sha256, "now": now},
    )


def epochs_path(users_file: Path) -> Path:
    return users_file.with_name(users_file.stem + ".sessions.json")


def issue(users_file: Path, name: str, now: float | None = None) -> str:
    """A token for `name` at the user's current epoch, issued `now`."""
    epoch = _epochs(users_file).get(name, 0)
    return _serializer(users_file, now).dumps({"user": name, "epoch": epoch})


def verify(users_file: Path, token: str, now: float | None = None) -> Session | None:
    """The session `token` opens now, or None: forged, signed with a replaced key, expired,
    or ended by a sign-out since it was issued."""
    try:
        payload, issued_at = _serializer(users_file, now).loads(
            token, max_age=LIFETIME_SECONDS, return_timestamp=True)
    except BadData:
        return None
    if not (isinstance(payload, dict) and isinstance(payload.get("user"), str)
            and isinstance(payload.get("epoch"), int)):
        return None
    name = payload["user"]
    if payload["epoch"] != _epochs(users_file).get(name, 0):
        return None
    return Session(name=name, issued_at=issued_at.timestamp())


def end_sessions(users_file: Path, name: str) -> None:
    """End every session of `name`, in every browser: its tokens name an epoch now past."""
    path = epochs_path(users_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _THREAD_LOCK, path.with_suffix(".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        epochs = _epochs(users_file)
        epochs[name] = epochs.get(name, 0) + 1
        write_private_atomically(path, json.dumps(epochs, sort_keys=True))


def rotate_key(users_file: Path) -> None:
    """Replace the session key: every token signed so far stops opening anything."""
    write_private_atomically(session_key_path(users_file), secrets.token_bytes(32))


def _epochs(users_file: Path) -> dict[str, int]:
    path = epochs_path(users_file)
    try:
        epochs = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise UsersFileError(f"{path} is not a valid sessions file: {exc}") from exc
    if not (isinstance(epochs, dict) and all(isinstance(v, int) for v in epochs.values())):
        raise UsersFileError(f"{path} is not a valid sessions file: "
                             "it maps user names to whole numbers")
    return epochs
