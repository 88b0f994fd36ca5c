"""The monthly packets go out after the scheduled monthly run publishes.

A run-status sensor watches `materialize_everything` succeed; for a run the monthly
schedule started it requests one run of `deliver_monthly_packets` for that month, keyed
by the month, so a re-run of the month's refresh does not mail the packets twice. It is a
sensor on success rather than a last asset of the graph: the landing-zone sensor's and
`ppa run`'s runs publish too and must not mail anyone, a mail server that is down must
not make the refresh fail or hold the warehouse, and a run stopped by a blocking check
publishes nothing and so sends nothing.

The delivery job runs `ppa send-packets --month M`: the packets are built by the
dashboards' data access, which the Dagster wiring does not import (tests/test_layers.py).
Its sends are retried there; a packet still not delivered fails the run, which the
run-failure sensor records and alerts like any failed run.
"""

import subprocess
import sys

import dagster as dg

from orchestration.defs.jobs import RANGE_END_TAG, materialize_everything
from orchestration.defs.resources import PlatformSettings
from orchestration.defs.schedules import monthly_refresh

SCHEDULE_TAG = "dagster/schedule_name"
DELIVERY_OP = "send_monthly_packets"


class PacketMonth(dg.Config):
    month: str


def send_packets_command(month: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", "send-packets", "--month", month,
            "--no-alert"]


@dg.op(name=DELIVERY_OP, description="ppa send-packets for the month: every packet e-mailed.")
def send_monthly_packets(context: dg.OpExecutionContext, config: PacketMonth) -> None:
    result = subprocess.run(send_packets_command(config.month), capture_output=True,
                            text=True, check=False)
    for line in result.stdout.splitlines():
        context.log.info(line)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise dg.Failure(description=lines[-1] if lines else f"exit {result.returncode}",
                         metadata={"output": result.stdout + result.stderr})


@dg.job(description="E-mail the month's packets (after the scheduled monthly run).")
def deliver_monthly_packets():
    send_monthly_packets()


def packet_request(run: dg.DagsterRun, smtp_host: str | None) -> dg.RunRequest | dg.SkipReason:
    """The delivery a successful run calls for: only a run of the monthly schedule, and
    only where a mail server is configured."""
    if run.tags.get(SCHEDULE_TAG) != monthly_refresh.name:
        return dg.SkipReason(f"run {run.run_id} was not started by {monthly_refresh.name}")
    if not smtp_host:
        return dg.SkipReason("packets are not e-mailed: PPA_SMTP_HOST is not set")
    month = run.tags[RANGE_END_TAG]
    return dg.RunRequest(
        run_key=f"packets-{month}",
        run_config=dg.RunConfig(ops={DELIVERY_OP: PacketMonth(month=month)}),
        tags={"ppa/packets_for_run": run.run_id},
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[materialize_everything],
    request_job=deliver_monthly_packets,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=("After the monthly schedule's run publishes, requests the month's packet "
                 "delivery (once per month)."),
)
def packets_after_monthly_run(context: dg.RunStatusSensorContext, settings: PlatformSettings):
    return packet_request(context.dagster_run, settings.smtp_host)
