"""The packet delivery log: who was sent which packet, when, and whether it arrived at the
mail server. A JSON-lines file beside the failed-runs record, appended by every delivery
(the scheduled one and `ppa send-packets`) and published by the next publish as
marts.ops_packet_deliveries for the data-quality page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from orchestration.storage.json_lines import append_record, read_records

MAX_LOG_BYTES = 1_000_000
KEEP_DELIVERIES = 2000
SENT, FAILED = "sent", "failed"

DELIVERY_SCHEMA = {
    "attempted_at": pl.Datetime("us"),
    "service_month": pl.Date,
    "recipient": pl.String,
    "address": pl.String,
    "packet": pl.String,
    "result": pl.String,
    "attempts": pl.Int64,
    "error": pl.String,
}


def record_delivery(path: Path, delivery: dict) -> None:
    append_record(path, delivery, MAX_LOG_BYTES, KEEP_DELIVERIES)


def read_deliveries(path: Path) -> pl.DataFrame:
    """Every delivery recorded, oldest first (an empty table when none was)."""
    rows = [
        {**{name: row.get(name) for name in DELIVERY_SCHEMA},
         "attempted_at": dt.datetime.fromisoformat(row["attempted_at"]),
         "service_month": dt.date.fromisoformat(row["service_month"])}
        for row in read_records(path)
    ]
    return pl.DataFrame(rows, schema=DELIVERY_SCHEMA, orient="row").sort("attempted_at")
