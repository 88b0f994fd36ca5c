"""Check landing files against the contract before they are dropped, warehouse untouched.

A file given by its path is classified as ingestion classifies it inside a landing
zone (the nearest folder above it that makes it a landing file of some kind), then read
and validated by ingestion's own entry point, `read_landing_file`, so every rejection
reason is the one ingestion would record. Activity rows are also checked against the
roster and referrals: from files given on the command line, else from the warehouse,
opened read-only; when neither has them, those rules are skipped and the report says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polars as pl

from orchestration.ingest.discovery import LandingFile, classify, unrecognised_reason
from orchestration.ingest.read import ReadResult, read_landing_file
from orchestration.ingest.reference import ActivityReference
from orchestration.ingest.schemas import (
    ACTIVITY_ROWS,
    PARENT_PARTNERS,
    REFERENCE_KINDS,
    REFERRALS,
    FileKind,
)

# The activity-row rules that need the roster and referrals (activity_rules.py).
REFERENCE_RULES = (
    "pp_id on the roster (unknown_pp)",
    "family_id in the referrals (unknown_family)",
    "activity date after the as-of date (future_activity)",
    "the match warnings (outside_match_period, not_matched_pp)",
)
_TOP_FOLDERS = {PurePosixPath(k.glob).parts[0] for k in (ACTIVITY_ROWS, *REFERENCE_KINDS)}


def classify_path(path: Path) -> tuple[LandingFile | None, str]:
    """The landing file `path` is, judged from the nearest folder above it that makes
    it one; else None and why no kind of the contract claims it."""
    path = Path(path).absolute()
    for folder in path.parents:
        found = classify(folder, path)
        if found is not None:
            return found, ""
    for folder in path.parents:  # the reason as the landing zone would give it
        rel = path.relative_to(folder).as_posix()
        if PurePosixPath(rel).parts[0].lower() in _TOP_FOLDERS:
            return None, unrecognised_reason(rel)
    return None, (
        f"{unrecognised_reason(path.name)} (a file is recognised by the folders it sits in: "
        "put it where it goes in the landing zone, e.g. activity_forms/YYYY-MM/)"
    )


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Each file given; a folder stands for every visible file under it."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*")
                if p.is_file() and not any(
                    part.startswith(".") for part in p.relative_to(path).parts
                )
            )
        else:
            yield path


def read_snapshot_file(path: Path, kind: FileKind) -> pl.DataFrame:
    """The accepted rows of a roster or referrals file read as ingestion reads it; a file
    that is not of `kind`, or that ingestion would reject whole, raises ValueError."""
    found, reason = classify_path(path)
    if found is None or found.kind is not kind:
        raise ValueError(
            f"{path}: is not a {kind.glob} file"
            + (f" ({reason})" if reason else f" (it reads as {found.kind.glob})")
        )
    result = read_landing_file(found)
    if result.error:
        raise ValueError(result.error)
    return result.accepted


def warehouse_snapshot(
    warehouse: Path, kind: FileKind, columns: list[str]
) -> tuple[pl.DataFrame | None, str]:
    """The newest extract's rows of a snapshot kind in the warehouse, opened read-only;
    None and why when it cannot be had."""
    import duckdb

    from orchestration.storage.warehouse import latest_snapshot

    if not Path(warehouse).exists():
        return None, f"no warehouse at {warehouse}"
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            known = con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'raw' and table_name = ?",
                [kind.name],
            ).fetchall()[0][0]
            if not known:
                return None, f"the warehouse {warehouse} has no raw.{kind.name} yet"
            frame = latest_snapshot(con, kind.name, columns)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        return None, f"the warehouse {warehouse} could not be opened read-only ({first})"
    if frame.is_empty():
        return None, f"the warehouse {warehouse} holds no raw.{kind.name} rows yet"
    return frame, ""


@dataclass
class Reference:
    activity: ActivityReference | None
    source: str  # where the roster and referrals came from, or why they are missing


def activity_reference(
    roster: Path | None, referrals: Path | None, warehouse: Path, as_of: dt.date
) -> Reference:
    """The roster and referrals activity rows are checked against: files given win,
    the warehouse (read-only) fills what is not given."""
    frames, sources, missing = {}, [], []
    for kind, given, columns in (
        (PARENT_PARTNERS, roster, ["pp_id", "site_id"]),
        (REFERRALS, referrals, ["family_id", "pp_id", "match_date", "exit_date"]),
    ):
        if given is not None:
            frames[kind.name] = read_snapshot_file(given, kind)
            sources.append(f"{kind.name} from {given}")
            continue
        frame, why = warehouse_snapshot(warehouse, kind, columns)
        if frame is None:
            missing.append(f"{kind.name}: {why}")
        else:
            frames[kind.name] = frame
            sources.append(f"{kind.name} from the warehouse {warehouse}")
    if missing:
        return Reference(None, "; ".join(missing))
    return Reference(
        ActivityReference.from_frames(
            roster=frames[PARENT_PARTNERS.name], referrals=frames[REFERRALS.name], as_of=as_of
        ),
        ", ".join(sources),
    )


@dataclass
class FileReport:
    shown_as: str
    kind: FileKind | None
    lines: list[str] = field(default_factory=list)  # one per rejected row or file problem
    summary: str = ""
    rejected: bool = False  # some row or the whole file would be rejected


def _summary(shown: str, result: ReadResult) -> str:
    warned = f" ({result.rows_warned} kept with a warning)" if result.rows_warned else ""
    return (
        f"{shown}: {result.file.kind.name}, {result.rows_read} rows read, "
        f"{result.accepted.height} accepted{warned}, {result.rejected.height} rejected"
    )


def check_file(path: Path, reference: ActivityReference | None) -> FileReport:
    """What ingestion would make of one file: each rejected row (row number and reason)
    and a one-line summary."""
    shown = str(path)
    found, reason = classify_path(path)
    if found is None:
        return FileReport(shown, None, [f"{shown}: not a landing file: {reason}"],
                          f"{shown}: not a landing file, would not be ingested", True)
    result = read_landing_file(found, reference=reference)
    report = FileReport(shown, found.kind, rejected=bool(result.error or result.rejected.height))
    if result.error:
        # The reason names the file by its path in the landing zone, as ingestion records it.
        report.lines.append(result.error)
        report.summary = (
            f"{shown}: {found.kind.name}, file rejected, all {result.rows_read} rows with it"
        )
        return report
    for row_number, code, why in result.rejected.select(
        "row_number", "reason_code", "reason"
    ).iter_rows():
        report.lines.append(f"{found.rel_path}: row {row_number}: {why} [{code}]")
    report.summary = _summary(shown, result)
    return report
