"""`ppa send-packets`: e-mail the monthly packets for one month (after the scheduled run
they go out by themselves; this is the manual resend), or with --dry-run say who would
get which packet and send nothing."""

from __future__ import annotations

import datetime as dt
import re

import click

from orchestration.cli.shared import fail
from orchestration.config import Settings, SettingsError


def parse_month(_context, _param, text: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise click.BadParameter(f"{text!r} is not a YYYY-MM month")
    return dt.date.fromisoformat(f"{text}-01")


@click.command("send-packets")
@click.option("--month", required=True, callback=parse_month, help="The service month, YYYY-MM.")
@click.option("--dry-run", is_flag=True, help="Build every packet, list them, send nothing.")
@click.option("--no-alert", is_flag=True, hidden=True,
              help="For the scheduled delivery, whose failed run the failure sensor alerts.")
def send_packets(month: dt.date, dry_run: bool, no_alert: bool) -> None:
    """E-mail each site coordinator her site's packet, the state coordinator the statewide
    one and leadership the suppressed summary (users with an e-mail address, PPA_SMTP_*).
    A failed send is retried, then alerted (PPA_ALERT_WEBHOOK); exits 1 if any failed."""
    from dashboards.users import UsersFileError
    from orchestration.delivery.packets import MonthNotPublished
    from orchestration.delivery.send import FAILED, DeliveryError, build_packets, deliver

    try:
        settings = Settings.from_env()
        if dry_run:
            packets = build_packets(settings, month)
            for packet in packets:
                attachment = next(packet.message.iter_attachments())
                size = len(attachment.get_content())
                click.echo(f"would send: {packet.description} to {packet.recipient} "
                           f"<{packet.address}> ({attachment.get_filename()}, "
                           f"{size / 1024:.0f} KB)")
            click.echo(f"{len(packets)} packet(s), none sent (dry run)", err=True)
            return
        outcomes = deliver(settings, month, alert=not no_alert, say=click.echo)
    except (SettingsError, UsersFileError, DeliveryError, MonthNotPublished) as exc:
        fail(str(exc))
    except FileNotFoundError as exc:
        fail(f"nothing is published yet: {exc.filename} does not exist (run ppa run first)")
    failed = sum(o.result == FAILED for o in outcomes)
    if failed:
        fail(f"{failed} of {len(outcomes)} packet(s) not delivered after retries")
    click.echo(f"{len(outcomes)} packet(s) sent", err=True)
