"""What several commands share: failing with a one-line reason, the dbt manifest."""

from __future__ import annotations

import sys

import click

from orchestration.defs.dbt_manifest import DbtParseError, ensure_dbt_manifest


def fail(message: str) -> None:
    click.echo(f"ppa: error: {message}", err=True)
    sys.exit(1)


def require_dbt_manifest() -> None:
    try:
        ensure_dbt_manifest()
    except DbtParseError as exc:
        fail(str(exc))
