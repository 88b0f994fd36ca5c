"""The `ppa` command: generate, run, serve, validate-outcomes, users, bench, template, check,
send-packets.

Every failure exits non-zero with a one-line reason on stderr.
"""

from __future__ import annotations

import click

from orchestration.cli.bench import bench
from orchestration.cli.check import check_command
from orchestration.cli.config import config_command
from orchestration.cli.generate import generate
from orchestration.cli.run import run
from orchestration.cli.send_packets import send_packets
from orchestration.cli.serve import serve
from orchestration.cli.template import template_group
from orchestration.cli.users import users_group
from orchestration.cli.validate_outcomes import validate_outcomes_command
from orchestration.runner.memory import limit_malloc_arenas
from orchestration.runner.process_exit import exit_after


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Parent Partner Analytics: landing zone -> DuckDB -> dbt metrics -> dashboards."""
    limit_malloc_arenas()


for command in (generate, run, serve, validate_outcomes_command, bench, users_group,
                config_command, template_group, check_command, send_packets):
    main.add_command(command)


def run_ppa() -> None:
    """The `ppa` executable: `main`, then the process ends without its interpreter's
    teardown (orchestration/runner/process_exit.py). `main` itself is what tests invoke."""
    exit_after(main)
