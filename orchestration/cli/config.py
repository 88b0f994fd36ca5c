"""`ppa config`: the effective settings, as the platform will read them, secrets masked."""

from __future__ import annotations

import json
import sys

import click

from orchestration.config import Settings, SettingsError


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of aligned lines.")
def config_command(as_json: bool) -> None:
    """Print the effective settings (env var = value); passwords and webhook tokens masked."""
    try:
        settings = Settings.from_env().described()
    except (SettingsError, ValueError) as exc:
        click.echo(f"ppa: error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(settings, indent=2))
        return
    width = max(map(len, settings))
    for name, value in settings.items():
        click.echo(f"{name.ljust(width)}  {value}")
