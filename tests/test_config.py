"""One settings object: defaults, validation, and `ppa config` without secrets."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.config import (
    DBT_PROJECT_DIR,
    REPO_ROOT,
    Paths,
    Settings,
    SettingsError,
    SignInLimits,
    mask_dsn,
    mask_webhook,
)
from orchestration.defs.assets.dbt import dbt_variables
from orchestration.defs.resources import build_resources, platform_settings

PPA = str(Path(sys.executable).parent / "ppa")
VARS = ["PPA_LANDING_DIR", "PPA_WAREHOUSE", "PPA_PUBLISHED", "PPA_PUBLISHED_LEADERSHIP",
        "PPA_STAFF_DIRECTORY",
        "DAGSTER_HOME", "PPA_AS_OF",
        "PPA_REPORTING_START", "PPA_WAREHOUSE_TARGET", "PPA_POSTGRES_DSN", "PPA_ALERT_WEBHOOK",
        "PPA_USERS_FILE", "PPA_AUDIT_LOG", "PPA_DUCKDB_MEMORY_LIMIT",
        "PPA_SIGN_IN_FAILURES_PER_NAME", "PPA_SIGN_IN_FAILURES_PER_CLIENT",
        "PPA_SIGN_IN_FAILURES_PER_MINUTE",
        "PPA_SMTP_HOST", "PPA_SMTP_PORT", "PPA_SMTP_USER", "PPA_SMTP_PASSWORD", "PPA_SMTP_FROM",
        "PPA_SMTP_STARTTLS"]


@pytest.fixture
def clean_env(monkeypatch):
    for var in VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_defaults_resolve_inside_the_repository(clean_env):
    settings = Settings.from_env()
    assert settings.paths.warehouse == REPO_ROOT / "data" / "warehouse.duckdb"
    assert settings.users_file == REPO_ROOT / "data" / "users.toml"
    assert settings.audit_log == REPO_ROOT / "data" / "audit.log"
    assert (settings.warehouse_target, settings.reporting_start) == ("duckdb", None)
    assert settings.alert_webhook is None
    assert settings.duckdb_memory_limit == "768MB"
    assert settings.sign_in_limits == SignInLimits(per_name=5, per_client=20, per_minute=30)
    assert settings.as_of == dt.date.today()
    assert settings.run_failures_file == REPO_ROOT / "data" / "dagster_home" / "run_failures.jsonl"


def test_environment_overrides(clean_env, tmp_path):
    clean_env.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    clean_env.setenv("PPA_AS_OF", "2024-11-11")
    clean_env.setenv("PPA_REPORTING_START", "2021-07")
    clean_env.setenv("PPA_WAREHOUSE_TARGET", "POSTGRES")
    clean_env.setenv("PPA_POSTGRES_DSN", "postgresql://ppa@db/ppa")
    clean_env.setenv("PPA_SIGN_IN_FAILURES_PER_CLIENT", "50")
    settings = Settings.from_env()
    assert settings.sign_in_limits.per_client == 50
    assert settings.as_of == dt.date(2024, 11, 11)
    assert (settings.reporting_start, settings.warehouse_target) == ("2021-07", "postgres")
    assert settings.run_failures_file == tmp_path / "home" / "run_failures.jsonl"


@pytest.mark.parametrize(("var", "value", "says"), [
    ("PPA_WAREHOUSE_TARGET", "oracle", "not one of duckdb, postgres"),
    ("PPA_REPORTING_START", "2019-13", "not a YYYY-MM month"),
    ("PPA_AS_OF", "11/11/2024", "not a YYYY-MM-DD date"),
    ("PPA_DUCKDB_MEMORY_LIMIT", "lots", "not an amount of memory"),
    ("PPA_DUCKDB_MEMORY_LIMIT", "80%", "not an amount of memory"),
    ("PPA_SIGN_IN_FAILURES_PER_NAME", "0", "not a whole number of at least 1"),
    ("PPA_SIGN_IN_FAILURES_PER_MINUTE", "many", "not a whole number of at least 1"),
    ("PPA_SMTP_PORT", "70000", "PPA_SMTP_PORT '70000' is not a port number"),
    ("PPA_SMTP_STARTTLS", "maybe", "PPA_SMTP_STARTTLS 'maybe' is not true or false"),
    ("PPA_SMTP_HOST", "smtp.example.com", "PPA_SMTP_FROM must name the sender"),
])
def test_bad_values_are_refused_with_the_variable_named(clean_env, var, value, says):
    clean_env.setenv(var, value)
    with pytest.raises(ValueError, match=says):
        Settings.from_env()


def test_the_warehouse_connections_hold_the_memory_limit(clean_env, tmp_path):
    """Ingestion's connections and dbt's both cap DuckDB's memory at the setting."""
    clean_env.setenv("PPA_WAREHOUSE", str(tmp_path / "w.duckdb"))
    clean_env.setenv("PPA_DUCKDB_MEMORY_LIMIT", "300MB")
    settings = Settings.from_env()
    with build_resources(settings)["duckdb"].get_connection() as con:
        [(limit,)] = con.sql("select current_setting('memory_limit')").fetchall()
    assert limit == "286.1 MiB"  # 300 MB, as DuckDB prints it
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    assert "memory_limit: \"{{ var('duckdb_memory_limit'" in profile
    variables = dbt_variables(platform_settings(settings), dt.date(2024, 1, 1), None)
    assert variables["duckdb_memory_limit"] == "300MB"


def test_postgres_needs_a_dsn(clean_env):
    clean_env.setenv("PPA_WAREHOUSE_TARGET", "postgres")
    with pytest.raises(SettingsError, match="PPA_POSTGRES_DSN"):
        Settings.from_env()


@pytest.mark.parametrize(("secret", "masked"), [
    ("postgresql://ppa:hunter2@db:5432/ppa?sslmode=require", "postgresql://ppa:***@db:5432/ppa?sslmode=require"),
    ("host=db user=ppa password=hunter2 dbname=ppa", "host=db user=ppa password=*** dbname=ppa"),
    ("host=db password='hunter 2'", "host=db password=***"),
    ("postgresql://ppa@db/ppa", "postgresql://ppa@db/ppa"),
])
def test_dsn_passwords_are_masked(secret, masked):
    assert mask_dsn(secret) == masked


def test_webhooks_keep_only_their_host():
    assert mask_webhook("https://hooks.example.com/services/T0/B0/hunter2?token=t") == (
        "https://hooks.example.com/***"
    )


def test_ppa_config_prints_every_setting_and_no_secret(clean_env, tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "PPA_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "PPA_ALERT_WEBHOOK": "https://hooks.example.com/services/hunter2?token=hunter2",
        "PPA_WAREHOUSE_TARGET": "postgres",
        "PPA_POSTGRES_DSN": "postgresql://ppa:hunter2@db/ppa",
        "PPA_SMTP_HOST": "smtp.example.com", "PPA_SMTP_USER": "packets",
        "PPA_SMTP_PASSWORD": "hunter2", "PPA_SMTP_FROM": "ppa@example.com",
    }
    result = subprocess.run([PPA, "config"], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "hunter2" not in result.stdout
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert set(lines) == set(VARS)
    assert lines["PPA_WAREHOUSE"] == str(tmp_path / "w.duckdb")
    assert lines["PPA_POSTGRES_DSN"] == "postgresql://ppa:***@db/ppa"
    assert lines["PPA_SMTP_PASSWORD"] == "***"
    assert (lines["PPA_SMTP_HOST"], lines["PPA_SMTP_PORT"]) == ("smtp.example.com", "587")


def test_ppa_config_refuses_a_bad_setting():
    env = {"PATH": "/usr/bin:/bin", "PPA_WAREHOUSE_TARGET": "oracle"}
    result = subprocess.run([PPA, "config"], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "PPA_WAREHOUSE_TARGET 'oracle'" in result.stderr


def test_the_leadership_publication_is_beside_the_published_file_unless_set(clean_env, tmp_path):
    clean_env.setenv("PPA_PUBLISHED", str(tmp_path / "out" / "copy.duckdb"))
    assert Paths.from_env().published_leadership == tmp_path / "out" / "copy_leadership.duckdb"
    clean_env.setenv("PPA_PUBLISHED_LEADERSHIP", str(tmp_path / "leadership.duckdb"))
    assert Paths.from_env().published_leadership == tmp_path / "leadership.duckdb"


def test_the_staff_directory_is_beside_the_published_file_unless_set(clean_env, tmp_path):
    clean_env.setenv("PPA_PUBLISHED", str(tmp_path / "out" / "copy.duckdb"))
    assert Paths.from_env().staff_directory == tmp_path / "out" / "copy_staff.duckdb"
    assert Settings.from_env().described()["PPA_STAFF_DIRECTORY"] == str(
        tmp_path / "out" / "copy_staff.duckdb")
    clean_env.setenv("PPA_STAFF_DIRECTORY", str(tmp_path / "staff.duckdb"))
    assert Paths.from_env().staff_directory == tmp_path / "staff.duckdb"
    assert platform_settings(Settings.from_env()).staff_directory == str(
        tmp_path / "staff.duckdb")
