"""The platform's settings, read from the environment at run time (README: Configuration).

Relative defaults resolve against the repository root, so `ppa` works from any
working directory inside the repo; absolute env values may point anywhere. Every
setting is read here and nowhere else in the orchestration package.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEMO_LANDING_DIR = SEEDS_DIR / "demo"


def _path(var: str, default: str) -> Path:
    value = os.environ.get(var) or default
    path = Path(value).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path)


def users_file_path() -> Path:
    return _path("PPA_USERS_FILE", "data/users.toml")


def audit_log_path() -> Path:
    return _path("PPA_AUDIT_LOG", "data/audit.log")


# How long a dashboard sign-in lasts after its last click (dashboards/sessions.py).
SESSION_HOURS = 8


def session_key_path(users_file: Path | None = None) -> Path:
    """The secret that signs the dashboards' sessions: `users.session-key` beside the users
    file (0600, made on first use, replaced by `ppa users rotate-sessions`)."""
    users = users_file or users_file_path()
    return users.with_name(users.stem + ".session-key")


def parse_as_of(value: str | None) -> dt.date:
    """The as-of date: an explicit YYYY-MM-DD, else PPA_AS_OF, else today."""
    value = value or os.environ.get("PPA_AS_OF")
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"as-of date {value!r} is not a YYYY-MM-DD date") from exc


@dataclass(frozen=True)
class Paths:
    landing_dir: Path
    warehouse: Path
    published: Path
    dagster_home: Path
    # Leadership's publication (suppressed aggregates only); by default beside the published
    # file, as <name>_leadership.duckdb.
    published_leadership: Path | None = None
    # The Parent Partners' names for the coordinators' pages, never in the published marts;
    # by default beside the published file, as <name>_staff.duckdb.
    staff_directory: Path | None = None

    def __post_init__(self) -> None:
        published = self.published
        if self.published_leadership is None:
            object.__setattr__(self, "published_leadership", published.with_name(
                f"{published.stem}_leadership{published.suffix}"))
        if self.staff_directory is None:
            object.__setattr__(self, "staff_directory", published.with_name(
                f"{published.stem}_staff{published.suffix}"))

    @classmethod
    def from_env(cls) -> Paths:
        return cls(
            landing_dir=_path("PPA_LANDING_DIR", "data/landing"),
            warehouse=_path("PPA_WAREHOUSE", "data/warehouse.duckdb"),
            published=_path("PPA_PUBLISHED", "data/published.duckdb"),
            dagster_home=_path("DAGSTER_HOME", "data/dagster_home"),
            published_leadership=(_path("PPA_PUBLISHED_LEADERSHIP", "")
                                  if os.environ.get("PPA_PUBLISHED_LEADERSHIP") else None),
            staff_directory=(_path("PPA_STAFF_DIRECTORY", "")
                             if os.environ.get("PPA_STAFF_DIRECTORY") else None),
        )


WAREHOUSE_TARGETS = ("duckdb", "postgres")


class SettingsError(ValueError):
    pass


def _reporting_start(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise SettingsError(f"PPA_REPORTING_START {value!r} is not a YYYY-MM month")
    return value


def _warehouse_target(value: str) -> str:
    if value not in WAREHOUSE_TARGETS:
        raise SettingsError(
            f"PPA_WAREHOUSE_TARGET {value!r} is not one of {', '.join(WAREHOUSE_TARGETS)}"
        )
    return value


# What DuckDB may hold in memory per connection, spilling to disk beyond it (its default,
# 80% of RAM, let one run of the scale-10 benchmark reach 5.5 GB; with 1GB that run peaked
# at 1,633 MB, with 768MB at 1,380 MB, 5% slower).
DEFAULT_DUCKDB_MEMORY_LIMIT = "768MB"


def _memory_limit(value: str) -> str:
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value, re.IGNORECASE):
        raise SettingsError(
            f"PPA_DUCKDB_MEMORY_LIMIT {value!r} is not an amount of memory such as 1GB or 512MB"
        )
    return value


@dataclass(frozen=True)
class SignInLimits:
    """How many failed sign-ins the dashboards take before refusing more (dashboards/throttle.py).

    Per name: someone guessing one user's password. Per client (the address a request came
    from): one password tried against every name. Per minute, across every name and client:
    guessing spread over many addresses. A name or a client over its limit is refused for
    `lockout_seconds`; over the limit per minute, everyone is refused until the last minute
    holds fewer failures.
    """

    per_name: int = 5
    per_client: int = 20
    per_minute: int = 30
    window_seconds: float = 15 * 60
    lockout_seconds: float = 15 * 60


_SIGN_IN_LIMIT_VARS = {
    "per_name": "PPA_SIGN_IN_FAILURES_PER_NAME",
    "per_client": "PPA_SIGN_IN_FAILURES_PER_CLIENT",
    "per_minute": "PPA_SIGN_IN_FAILURES_PER_MINUTE",
}


def sign_in_limits() -> SignInLimits:
    """The sign-in limits, defaults overridden by their env vars (whole numbers from 1)."""
    defaults = SignInLimits()
    values = {}
    for field, var in _SIGN_IN_LIMIT_VARS.items():
        value = (os.environ.get(var) or "").strip() or str(getattr(defaults, field))
        if not re.fullmatch(r"[1-9]\d*", value):
            raise SettingsError(f"{var} {value!r} is not a whole number of at least 1")
        values[field] = int(value)
    return SignInLimits(**values)


@dataclass(frozen=True)
class SmtpSettings:
    """Where the monthly packets are sent from (orchestration/delivery); no host, no e-mail."""

    host: str | None = None
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str | None = None
    starttls: bool = True


def _smtp_port(value: str) -> int:
    if not re.fullmatch(r"\d{1,5}", value) or not 0 < int(value) < 65536:
        raise SettingsError(f"PPA_SMTP_PORT {value!r} is not a port number (1 to 65535)")
    return int(value)


def _flag(var: str, value: str) -> bool:
    if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
        raise SettingsError(f"{var} {value!r} is not true or false")
    return value.lower() in ("true", "1", "yes")


def smtp_settings() -> SmtpSettings:
    """PPA_SMTP_*: a host makes the platform send packets, and then a sender is required."""
    host = os.environ.get("PPA_SMTP_HOST") or None
    sender = os.environ.get("PPA_SMTP_FROM") or None
    if host and not sender:
        raise SettingsError("PPA_SMTP_HOST is set: PPA_SMTP_FROM must name the sender")
    return SmtpSettings(
        host=host,
        port=_smtp_port(os.environ.get("PPA_SMTP_PORT") or "587"),
        user=os.environ.get("PPA_SMTP_USER") or None,
        password=os.environ.get("PPA_SMTP_PASSWORD") or None,
        sender=sender,
        starttls=_flag("PPA_SMTP_STARTTLS", os.environ.get("PPA_SMTP_STARTTLS") or "true"),
    )


def mask_webhook(url: str) -> str:
    """Only the scheme and host: chat webhooks carry their token in the path or the query."""
    parts = urlsplit(url)
    hidden = "/***" if (parts.path.strip("/") or parts.query) else ""
    return f"{parts.scheme}://{parts.hostname or ''}{hidden}"


def mask_dsn(dsn: str) -> str:
    """A PostgreSQL DSN, URL or key=value form, with its password masked."""
    if "://" not in dsn:
        return re.sub(r"(password\s*=\s*)('[^']*'|\S+)", r"\1***", dsn, flags=re.IGNORECASE)
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True)
class Settings:
    """Everything the platform reads from its environment, validated once."""

    paths: Paths
    as_of: dt.date
    # None: months are reported from the first service month with any activity form.
    reporting_start: str | None
    warehouse_target: str
    postgres_dsn: str | None
    alert_webhook: str | None
    users_file: Path
    audit_log: Path
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    sign_in_limits: SignInLimits = SignInLimits()
    smtp: SmtpSettings = SmtpSettings()

    @classmethod
    def from_env(cls) -> Settings:
        target = _warehouse_target((os.environ.get("PPA_WAREHOUSE_TARGET") or "duckdb").lower())
        dsn = os.environ.get("PPA_POSTGRES_DSN") or None
        if target == "postgres" and not dsn:
            raise SettingsError("PPA_WAREHOUSE_TARGET=postgres needs PPA_POSTGRES_DSN")
        return cls(
            paths=Paths.from_env(),
            as_of=parse_as_of(None),
            reporting_start=(
                _reporting_start(os.environ["PPA_REPORTING_START"])
                if os.environ.get("PPA_REPORTING_START")
                else None
            ),
            warehouse_target=target,
            postgres_dsn=dsn,
            alert_webhook=os.environ.get("PPA_ALERT_WEBHOOK") or None,
            users_file=users_file_path(),
            audit_log=audit_log_path(),
            duckdb_memory_limit=_memory_limit(
                os.environ.get("PPA_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT
            ),
            sign_in_limits=sign_in_limits(),
            smtp=smtp_settings(),
        )

    @property
    def run_failures_file(self) -> Path:
        return self.paths.dagster_home / "run_failures.jsonl"

    @property
    def packet_deliveries_file(self) -> Path:
        return self.paths.dagster_home / "packet_deliveries.jsonl"

    def described(self) -> dict[str, str]:
        """The effective settings by env var, secrets masked: what `ppa config` prints."""
        return {
            "PPA_LANDING_DIR": str(self.paths.landing_dir),
            "PPA_WAREHOUSE": str(self.paths.warehouse),
            "PPA_PUBLISHED": str(self.paths.published),
            "PPA_PUBLISHED_LEADERSHIP": str(self.paths.published_leadership),
            "PPA_STAFF_DIRECTORY": str(self.paths.staff_directory),
            "DAGSTER_HOME": str(self.paths.dagster_home),
            "PPA_AS_OF": self.as_of.isoformat(),
            "PPA_REPORTING_START": self.reporting_start or "(the first month with a form)",
            "PPA_WAREHOUSE_TARGET": self.warehouse_target,
            "PPA_POSTGRES_DSN": mask_dsn(self.postgres_dsn) if self.postgres_dsn else "",
            "PPA_ALERT_WEBHOOK": mask_webhook(self.alert_webhook) if self.alert_webhook else "",
            "PPA_USERS_FILE": str(self.users_file),
            "PPA_AUDIT_LOG": str(self.audit_log),
            "PPA_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            **{var: str(getattr(self.sign_in_limits, field))
               for field, var in _SIGN_IN_LIMIT_VARS.items()},
            "PPA_SMTP_HOST": self.smtp.host or "(packets are not e-mailed)",
            "PPA_SMTP_PORT": str(self.smtp.port),
            "PPA_SMTP_USER": self.smtp.user or "",
            "PPA_SMTP_PASSWORD": "***" if self.smtp.password else "",
            "PPA_SMTP_FROM": self.smtp.sender or "",
            "PPA_SMTP_STARTTLS": str(self.smtp.starttls).lower(),
        }
