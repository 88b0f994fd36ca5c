"""Failed runs, kept where staff look: a JSON-lines file the publish step publishes.

The run-failure sensor reports runs of the code location (launched by the UI, the
schedule or the landing-zone sensor); Dagster's run-status sensors do not see the
in-process run of `ppa run`, which reports its failure on stderr and exits 1.

The in-process run of `ppa run`, which Dagster's run-status sensors do not see, records
its own failure here (orchestration.runner.pipeline).

The failure sensor runs in the Dagster daemon, beside runs that may hold the
warehouse's single DuckDB write lock; appending to a small file of its own can never
wait on that lock or break a run (orchestration.storage.json_lines: past
MAX_FAILURES_FILE_BYTES, only the newest KEEP_FAILURES records are kept).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from pathlib import Path

import polars as pl

from orchestration.storage.json_lines import append_record

MAX_ERROR_CHARS = 500
# The file is trimmed to its newest KEEP_FAILURES records when it grows past this size.
MAX_FAILURES_FILE_BYTES = 1_000_000
KEEP_FAILURES = 1000
WEBHOOK_TIMEOUT_SECONDS = 10

RUN_FAILURE_SCHEMA = {
    "run_id": pl.String,
    "job_name": pl.String,
    "failed_step": pl.String,
    "error": pl.String,
    "failed_at": pl.Datetime("us"),
}


def error_summary(message: str | None) -> str:
    """One line, short enough for a table cell and a chat message."""
    text = " ".join((message or "").split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def describe_failure(run_id: str, job_name: str, step_failures: list, run_message: str | None,
                     failed_at: dt.datetime, failed_checks: list[str] | None = None) -> dict:
    """The record of a failed run from its step-failure events (DagsterEvent); a run stopped
    by blocking checks is described by what each of them found (`failed_checks`)."""
    first = step_failures[0] if step_failures else None
    error = first.step_failure_data.error if first and first.step_failure_data else None
    # Dagster wraps what the step raised ("Error occurred while executing op ..."): the
    # innermost cause is what a data engineer needs to read.
    while error is not None and error.cause is not None:
        error = error.cause
    return {
        "run_id": run_id,
        "job_name": job_name,
        "failed_step": first.step_key if first else None,
        "error": error_summary(
            "; ".join(failed_checks) if failed_checks
            else error.message if error else run_message
        ),
        "failed_at": failed_at.isoformat(timespec="seconds"),
    }


def report_failure(failure: dict, failures_file: Path, webhook: str | None, warn) -> None:
    """Record the failure, then POST it when a webhook is set; `warn` says why a POST failed."""
    record_failure(failures_file, failure)
    if webhook:
        try:
            post_alert(webhook, failure)
        except OSError as exc:
            # The failure is recorded; a webhook that is down must not make a sensor retry
            # the run and record it twice.
            warn(f"could not POST the failure alert: {exc}")


def record_failure(path: Path, failure: dict) -> None:
    append_record(path, failure, MAX_FAILURES_FILE_BYTES, KEEP_FAILURES)


def read_failures(path: Path) -> pl.DataFrame:
    """Every recorded failure, oldest first (an empty table when none was recorded)."""
    rows = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["failed_at"] = dt.datetime.fromisoformat(row["failed_at"])
                rows.append({name: row.get(name) for name in RUN_FAILURE_SCHEMA})
    return pl.DataFrame(rows, schema=RUN_FAILURE_SCHEMA, orient="row").sort("failed_at")


def alert_text(failure: dict) -> str:
    step = f" at step {failure['failed_step']}" if failure["failed_step"] else ""
    return (
        f"Parent Partner Analytics: run {failure['run_id']} of {failure['job_name']} "
        f"failed{step} at {failure['failed_at']}: {failure['error']}"
    )


def post_alert(url: str, failure: dict) -> None:
    """POST the failure as JSON; `text` makes it readable by chat incoming webhooks."""
    body = json.dumps({"text": alert_text(failure), **failure}, default=str).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
        response.read()
