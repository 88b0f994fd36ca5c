"""Dashboard users: the users file and its rules. No Streamlit here (the CLI uses it too).

The file (`PPA_USERS_FILE`, default data/users.toml) holds, per user name, the role,
the site (site coordinators only), an argon2id password hash, a disabled flag and the
e-mail address the monthly packet goes to (optional):

    [users."ana"]
    role = "site_coordinator"
    site_id = "S01"
    password_hash = "$argon2id$v=19$..."
    disabled = false
    email = "ana@example.org"

It is only ever replaced whole (a temporary file with mode 0600, then `os.replace`),
so a reader never sees half a file and a rejected change leaves it as it was.
Users who sign in through an identity provider (OIDC) are entries named by their email,
added without a password (an empty hash: they cannot sign in with one).

For tests and scripts: `add_user(path, name, role, site_id, password)`, then
`find_user(path, name)` or `check_sign_in(path, name, password)`.

Beside the file, `users.name-key` (mode 0600, made on first use) is this install's key for
`name_digest`: what was typed as a name is kept, in the audit log and the throttle, only
as its keyed digest unless it is a user's name.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import secrets
import tempfile
import tomllib
from dataclasses import dataclass, replace
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path

import tomli_w
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dashboards.viewer import ROLES, SITE_COORDINATOR, Viewer

# users_file_path is part of this module's API (the CLI and the sign-in page call it here).
from orchestration.config import REPO_ROOT, users_file_path  # noqa: F401

MIN_PASSWORD_LENGTH = 12
# Longer text in Username is no name (and may be a pasted password): refused unread.
MAX_NAME_LENGTH = 64
SITES_SEED = REPO_ROOT / "seeds" / "sites.csv"
# argon2-cffi's defaults are argon2id with the RFC 9106 "low memory" parameters.
_HASHER = PasswordHasher()
# Checked against when the name is unknown, so an unknown name costs as long as a wrong
# password and the two cannot be told apart by timing.
_UNKNOWN_USER_HASH = _HASHER.hash("no such user: the time of a real check")


class UserError(ValueError):
    """A change the users file refuses; the message is one line for the CLI."""


class UsersFileError(UserError):
    """The users file cannot be read: not TOML, or an entry without a role."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    site_id: str | None
    password_hash: str
    disabled: bool = False
    email: str | None = None

    def viewer(self) -> Viewer:
        return Viewer(name=self.name, role=self.role, site_id=self.site_id)



def known_sites() -> set[str]:
    with SITES_SEED.open(newline="", encoding="utf-8") as seed:
        return {row["site_id"] for row in csv.DictReader(seed)}


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def load_users(path: Path) -> dict[str, User]:
    """Every user in the file by name; no file means no users."""
    if not path.exists():
        return {}
    try:
        with path.open("rb") as file:
            table = tomllib.load(file).get("users", {})
        return {
            name: User(
                name=name,
                role=entry["role"],
                site_id=entry.get("site_id"),
                password_hash=entry.get("password_hash", ""),
                disabled=bool(entry.get("disabled", False)),
                email=entry.get("email") or None,
            )
            for name, entry in table.items()
        }
    except tomllib.TOMLDecodeError as exc:
        raise UsersFileError(f"{path} is not a valid users file: {exc}") from exc
    except (KeyError, AttributeError, TypeError) as exc:
        raise UsersFileError(
            f"{path} is not a valid users file: every [users.NAME] table needs a role"
        ) from exc


def find_user(path: Path, name: str) -> User | None:
    return load_users(path).get(name)


def check_sign_in(path: Path, name: str, password: str) -> User | None:
    """The user when the name exists, is not disabled and the password matches, else None."""
    user = find_user(path, name)
    stored = user.password_hash if user and user.password_hash else _UNKNOWN_USER_HASH
    matches = password_matches(stored, password)
    return user if user and user.password_hash and matches and not user.disabled else None


def add_user(
    path: Path, name: str, role: str, site_id: str | None, password: str | None,
    email: str | None = None,
) -> User:
    """Add a user; `password=None` for one who signs in only through the identity provider;
    `email`, where her monthly packet is sent."""
    users = load_users(path)
    if not name or name != name.strip():
        raise UserError("a user name must be non-empty, without surrounding spaces")
    if len(name) > MAX_NAME_LENGTH:
        raise UserError(f"a user name has at most {MAX_NAME_LENGTH} characters")
    if name in users:
        raise UserError(f"user {name!r} already exists")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role == SITE_COORDINATOR and not site_id:
        raise UserError("a site coordinator needs --site")
    if role != SITE_COORDINATOR and site_id:
        raise UserError(f"only a site coordinator has a site, not a {role}")
    if site_id and site_id not in known_sites():
        raise UserError(f"unknown site {site_id!r}: not in seeds/sites.csv")
    address = None if email is None else checked_email(email)
    password_hash = "" if password is None else hash_password(password)
    user = User(name=name, role=role, site_id=site_id, password_hash=password_hash,
                email=address)
    _write(path, {**users, name: user})
    return user


def set_password(path: Path, name: str, password: str) -> None:
    user = _existing(path, name)
    _replace(path, replace(user, password_hash=hash_password(password)))


def set_email(path: Path, name: str, email: str) -> None:
    user = _existing(path, name)
    _replace(path, replace(user, email=checked_email(email)))


def checked_email(email: str) -> str:
    """`email` when it is one plain address (user@domain), else a UserError."""
    try:
        address = Address(addr_spec=email)
    except (ValueError, IndexError, HeaderParseError) as exc:
        raise UserError(f"{email!r} is not an e-mail address") from exc
    if not address.username or "." not in address.domain or address.addr_spec != email:
        raise UserError(f"{email!r} is not an e-mail address (name@domain)")
    return email


def disable_user(path: Path, name: str) -> None:
    user = _existing(path, name)
    _replace(path, replace(user, disabled=True))


def _existing(path: Path, name: str) -> User:
    user = find_user(path, name)
    if user is None:
        raise UserError(f"no user {name!r}")
    return user


def _replace(path: Path, user: User) -> None:
    _write(path, {**load_users(path), user.name: user})


def _write(path: Path, users: dict[str, User]) -> None:
    table = {
        user.name: {
            "role": user.role,
            **({"site_id": user.site_id} if user.site_id else {}),
            "password_hash": user.password_hash,
            "disabled": user.disabled,
            **({"email": user.email} if user.email else {}),
        }
        for user in users.values()
    }
    write_private_atomically(path, tomli_w.dumps({"users": table}))


def name_digest(path: Path, name: str) -> str:
    """A typed name as 16 hex digits of its HMAC-SHA256 under this install's key.

    Equal names give equal digests, so repeated attempts are counted and can be followed
    in the audit log. Keyed, not a plain hash: a name that is not a user's is often a
    password typed into the wrong field, and a plain SHA-256 of one is found again by
    hashing a word list; without the key (beside the users file, never in the log)
    nobody holding the log can test a guess.
    """
    return hmac.new(_name_key(path), name.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def name_for_log(path: Path, name: str, digest: str) -> str:
    """What the audit log keeps of a typed name: a user's name as is, any other as its
    digest (`name_digest`), so text typed into Username is never stored."""
    return name if len(name) <= MAX_NAME_LENGTH and name in load_users(path) else f"unknown:{digest}"


def _name_key(path: Path) -> bytes:
    return private_key(path.with_name(path.stem + ".name-key"))


def private_key(key_path: Path) -> bytes:
    """The 32 random bytes at `key_path`, made (mode 0600) when missing."""
    try:
        return key_path.read_bytes()
    except FileNotFoundError:
        pass
    key_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=key_path.parent, prefix=f".{key_path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(secrets.token_bytes(32))
            file.flush()
            os.fsync(file.fileno())
        # A link fails when the key exists: of two processes making it at once, one key
        # wins and both read it.
        os.link(temporary, key_path)
    except FileExistsError:
        pass
    finally:
        Path(temporary).unlink(missing_ok=True)
    return key_path.read_bytes()


def write_private_atomically(path: Path, text: str | bytes) -> None:
    """Replace `path` with `text`: readable by the owner only, never seen half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        # mkstemp asks for 0600, which the umask may narrow; the file is exactly 0600
        # before anything is written to it, and replaces the old file whatever its mode.
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as file:
            file.write(text if isinstance(text, bytes) else text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
