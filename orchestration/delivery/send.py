"""Sending the packets: over SMTP (STARTTLS and a login when configured), each failed
send retried, every attempt logged, and what still failed alerted once through the
failure record and webhook the failed runs use."""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage

from dashboards.users import User, load_users
from orchestration.config import Settings, SmtpSettings
from orchestration.delivery.packets import Packet, packet_for
from orchestration.storage.packet_deliveries import FAILED, SENT, record_delivery
from orchestration.storage.run_failures import error_summary, report_failure

SMTP_TIMEOUT_SECONDS = 30
# Waits before the second and third attempts: a mail server that is restarting or
# greylisting answers again within a minute.
RETRY_DELAYS_SECONDS = (10.0, 60.0)
JOB_NAME = "send_packets"


class DeliveryError(RuntimeError):
    """Packets cannot be sent at all (no SMTP server configured)."""


@dataclass(frozen=True)
class Outcome:
    packet: Packet
    result: str
    attempts: int
    error: str | None = None


def recipients(settings: Settings) -> list[User]:
    """Every user who is not disabled and has an address, by name."""
    users = load_users(settings.users_file)
    return [u for _, u in sorted(users.items()) if u.email and not u.disabled]


def build_packets(settings: Settings, month: dt.date) -> list[Packet]:
    # A dry run builds the messages on a machine that may have no mail settings yet.
    sender = settings.smtp.sender or "ppa@localhost"
    return [packet_for(user, month, sender) for user in recipients(settings)]


def smtp_send(smtp: SmtpSettings, message: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS) as server:
        if smtp.starttls:
            server.starttls(context=ssl.create_default_context())
        if smtp.user:
            server.login(smtp.user, smtp.password or "")
        server.send_message(message)


def _permanent(exc: Exception) -> bool:
    """A 5xx answer (no such mailbox, message refused): sending again changes nothing."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def send_with_retries(send: Callable[[EmailMessage], None], packet: Packet,
                      delays: Iterable[float]) -> Outcome:
    waits = list(delays)
    attempt = 0
    while True:
        attempt += 1
        try:
            send(packet.message)
            return Outcome(packet, SENT, attempt)
        except (OSError, smtplib.SMTPException) as exc:
            error = error_summary(f"{type(exc).__name__}: {exc}")
            if _permanent(exc) or attempt > len(waits):
                return Outcome(packet, FAILED, attempt, error)
            time.sleep(waits[attempt - 1])


def deliver(settings: Settings, month: dt.date, *, alert: bool = True,
            delays: Iterable[float] = RETRY_DELAYS_SECONDS,
            say: Callable[[str], None] = print) -> list[Outcome]:
    """Send every recipient her packet for `month`; log each, and alert what failed (unless
    `alert` is off: the scheduled delivery's failed run is alerted by the failure sensor)."""
    smtp = settings.smtp
    if not smtp.host:
        raise DeliveryError("PPA_SMTP_HOST is not set: there is no mail server to send through")
    outcomes = []
    for packet in build_packets(settings, month):
        outcome = send_with_retries(lambda m: smtp_send(smtp, m), packet, delays)
        record_delivery(settings.packet_deliveries_file, {
            "attempted_at": dt.datetime.now().isoformat(timespec="seconds"),
            "service_month": month.isoformat(), "recipient": packet.recipient,
            "address": packet.address, "packet": packet.description,
            "result": outcome.result, "attempts": outcome.attempts, "error": outcome.error,
        })
        say(f"{outcome.result}: {packet.description} to {packet.recipient} <{packet.address}>"
            + (f" after {outcome.attempts} attempts: {outcome.error}" if outcome.error else ""))
        outcomes.append(outcome)
    failed = [o for o in outcomes if o.result == FAILED]
    if failed and alert:
        report_failure(failure_record(month, failed), settings.run_failures_file,
                       settings.alert_webhook, say)
    return outcomes


def failure_record(month: dt.date, failed: list[Outcome]) -> dict:
    """The failed-run record of a delivery that left packets unsent."""
    return {
        "run_id": f"packets-{month:%Y-%m}-{uuid.uuid4().hex[:8]}",
        "job_name": JOB_NAME,
        "failed_step": f"{len(failed)} packet(s) not delivered",
        "error": error_summary("; ".join(
            f"{o.packet.recipient} ({o.packet.description}): {o.error}" for o in failed)),
        "failed_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
