"""The peer ingestion of the benchmark: the activity-form rules as an analyst would write
them in pandas, vectorised over all the files at once.

It applies the rules of the contract (spec: landing-zone.md, activity forms) in the
platform's order - missing values, unreadable dates and minutes, activity types from
seeds/activity_types.csv, family-level or not, the folder month, the activity date
within its month and not after submission or the as-of date, the Parent Partner and
family known - and flags the platform's warnings (outside the match period, another PP
than the matched one, duplicate rows), then writes accepted and rejected rows to DuckDB.
Where an analyst would simplify, it does: workbooks are read at the paper form's fixed
cells (B1..B4, header in row 6) rather than by searching for their labels.

Only the benchmark uses it; it is not a second implementation of the platform's rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.ingest.activity_rules import INPUT_COLUMNS
from orchestration.ingest.reference import ActivityReference
from orchestration.reference_data import program_parameter

REQUIRED = ("pp_id", "service_month", "submitted_at", "activity_date", "activity_type",
            "duration_minutes")
EXTRA_SLOTS = 8  # spare columns that catch values beyond the header's width
_ZONE = r"(?:Z|[+-]\d{2}:?\d{2})$"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_csv_form(path: Path) -> tuple[pd.DataFrame | None, str | None]:
    text = _decode(path.read_bytes())
    if not text.strip():
        return None, "empty file"
    header = next(csv.reader(io.StringIO(text)))
    names = [h.strip().lower() for h in header]
    extra = [f"_extra{i}" for i in range(EXTRA_SLOTS)]
    frame = pd.read_csv(io.StringIO(text), header=None, skiprows=1, names=[*names, *extra],
                        dtype=str, keep_default_na=False, skip_blank_lines=True,
                        index_col=False)
    frame["_row_number"] = np.arange(2, len(frame) + 2)
    frame["_too_many"] = (frame[extra] != "").any(axis=1)
    frame = frame.drop(columns=extra)
    values = frame[[c for c in frame.columns if not c.startswith("_")]]
    frame = frame[~(values.apply(lambda s: s.str.strip() == "").all(axis=1)
                    & ~frame["_too_many"])]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        return frame, f"missing required column(s) {', '.join(missing)}"
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for column in INPUT_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame[["_row_number", "_too_many", *INPUT_COLUMNS]], None


def read_workbook_form(path: Path) -> tuple[pd.DataFrame | None, str | None]:
    try:
        grid = pd.read_excel(path, sheet_name="Activity Form", header=None, dtype=str,
                             engine="calamine")
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook rejects the file
        return None, f"could not be read ({type(exc).__name__})"
    grid = grid.reindex(columns=range(max(4, grid.shape[1]))).fillna("")
    if grid.shape[0] < 6 or grid.iloc[5, 0].strip().lower() not in ("date", "activity date"):
        return None, "no table header in row 6"
    head = {c: grid.iloc[i, 1] for i, c in
            enumerate(("pp_id", "family_id", "service_month", "submitted_at"))}
    body = grid.iloc[6:, :4]
    empty = (body.apply(lambda s: s.str.strip() == "")).all(axis=1)
    end = int(np.argmax(empty.to_numpy())) if empty.any() else len(body)
    body = body.iloc[:end]
    frame = pd.DataFrame({
        "_row_number": np.arange(7, 7 + len(body)),
        "_too_many": False,
        **{c: [v] * len(body) for c, v in head.items()},
        "activity_date": body.iloc[:, 0].to_numpy(),
        "activity_type": body.iloc[:, 1].to_numpy(),
        "duration_minutes": body.iloc[:, 2].to_numpy(),
        "notes": body.iloc[:, 3].to_numpy(),
    })
    return frame, None


def _blank_to_na(s: pd.Series) -> pd.Series:
    s = s.astype("string").str.strip()
    return s.mask(s == "")


def _date(s: pd.Series) -> pd.Series:
    bare = s.str.replace(r"[T ]00:00(:00(\.0+)?)?$", "", regex=True)
    value = pd.to_datetime(bare, format="%Y-%m-%d", errors="coerce").fillna(
        pd.to_datetime(bare, format="%m/%d/%Y", errors="coerce"))
    return value.where(value.dt.year.between(1900, 2099))


def _month(s: pd.Series) -> pd.Series:
    value = pd.to_datetime(s, format="%Y-%m", errors="coerce")
    return value.fillna(_date(s).dt.to_period("M").dt.start_time)


def _datetime(s: pd.Series) -> pd.Series:
    zoned = s.str.contains(_ZONE, regex=True, na=False)
    naive = pd.to_datetime(s.where(~zoned), format="ISO8601", errors="coerce")
    for fmt in ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p"):
        naive = naive.fillna(pd.to_datetime(s.where(~zoned), format=fmt, errors="coerce"))
    naive = naive.fillna(_date(s.where(~zoned)))
    if zoned.any():
        local = (pd.to_datetime(s.where(zoned), format="ISO8601", errors="coerce", utc=True)
                 .dt.tz_convert("America/Chicago").dt.tz_localize(None))
        naive = naive.where(~zoned, local)
    return naive.where(naive.dt.year.between(1900, 2099))


def validate(rows: pd.DataFrame, reference: ActivityReference,
             family_level: dict[str, bool], max_minutes: int) -> pd.DataFrame:
    """`rows` with _reason_code (None when kept) and warnings."""
    for column in INPUT_COLUMNS:
        rows[column] = _blank_to_na(rows[column])
    month = _month(rows["service_month"])
    date = _date(rows["activity_date"])
    submitted = _datetime(rows["submitted_at"])
    minutes = pd.to_numeric(rows["duration_minutes"], errors="coerce").astype("float64")
    minutes_ok = (minutes == np.floor(minutes)) & minutes.between(1, max_minutes)
    kind = rows["activity_type"].str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    is_family = kind.map(family_level)
    family = rows["family_id"]
    checks = [("too_many_values", rows["_too_many"])]
    checks += [("missing_value", rows[c].isna()) for c in REQUIRED]
    checks += [
        ("invalid_date", rows["service_month"].notna() & month.isna()),
        ("invalid_date", rows["activity_date"].notna() & date.isna()),
        ("invalid_datetime", rows["submitted_at"].notna() & submitted.isna()),
        ("invalid_duration", rows["duration_minutes"].notna() & ~minutes_ok),
        ("unknown_activity_type", is_family.isna()),
        ("family_required", is_family.eq(True).fillna(False) & family.isna()),
        ("family_not_allowed", is_family.eq(False).fillna(False) & family.notna()),
        ("month_mismatch", month.notna() & (month != rows["_folder_month"])),
        ("activity_outside_month",
         date.notna() & month.notna() & (date.dt.to_period("M").dt.start_time != month)),
        ("activity_after_submission", date > submitted.dt.normalize()),
        ("future_activity", date > pd.Timestamp(reference.as_of)),
        ("unknown_pp", ~rows["pp_id"].isin(list(reference.pp_ids))),
        ("unknown_family", family.notna() & ~family.isin(list(reference.family_ids))),
    ]
    conditions = [c.fillna(False).to_numpy(dtype=bool) for _, c in checks]
    rows["_reason_code"] = np.select(conditions, [code for code, _ in checks], default="")
    rows["_reason_code"] = rows["_reason_code"].replace("", None)
    rows["activity_date"], rows["service_month"] = date, month
    rows["submitted_at"], rows["duration_minutes"] = submitted, minutes

    kept = rows["_reason_code"].isna()
    matches = reference.matches.to_pandas()
    candidates = rows.loc[kept & family.notna(), ["family_id", "pp_id", "activity_date"]] \
        .reset_index().merge(matches.rename(columns={"pp_id": "match_pp"}), on="family_id")
    active = (candidates["match_date"] <= candidates["activity_date"]) & (
        candidates["exit_date"].isna() | (candidates["exit_date"] >= candidates["activity_date"]))
    candidates["active"] = active
    candidates["same_pp"] = active & (candidates["match_pp"] == candidates["pp_id"])
    flags = candidates.groupby("index")[["active", "same_pp"]].any()
    any_active = flags["active"].reindex(rows.index, fill_value=False)
    same_pp = flags["same_pp"].reindex(rows.index, fill_value=False)
    duplicate = rows.duplicated(subset=["_file", *INPUT_COLUMNS])
    warnings = np.select(
        [kept & family.notna() & ~any_active, kept & family.notna() & ~same_pp,
         kept & duplicate],
        ["outside_match_period", "not_matched_pp", "duplicate_row"], default="")
    rows["warnings"] = pd.Series(warnings, index=rows.index).replace("", None)
    return rows


def ingest_with_pandas(con, files, reference: ActivityReference,
                       activity_types_csv: Path) -> dict:
    """Read, validate and write `files` (LandingFile, activity forms); return the counts and
    when reading and validating ended (`time.perf_counter()`): the caller times the stages
    from its own start to its own end, so they add up to its whole time."""
    seed = pd.read_csv(activity_types_csv, dtype=str)
    family_level = dict(zip(seed["activity_type"].str.strip().str.lower(),
                            seed["family_level"].str.strip().str.lower() == "true"))
    frames, rejected_files = [], []
    for f in files:
        reader = read_workbook_form if f.path.suffix.lower() == ".xlsx" else read_csv_form
        frame, error = reader(f.path)
        if error is not None:
            rejected_files.append((f.rel_path, 0 if frame is None else len(frame), error))
            continue
        frame["_file"] = f.rel_path
        frame["_folder_month"] = pd.Timestamp(f"{f.partition_key}-01")
        frame["_source_format"] = f.path.suffix.lower().lstrip(".")
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    read = time.perf_counter()
    if len(rows):
        rows = validate(rows, reference, family_level, program_parameter("max_activity_minutes"))
        kept = rows["_reason_code"].isna()
        accepted = rows.loc[kept].drop(columns=["_reason_code", "_too_many"])
        rejected = rows.loc[~kept, ["_file", "_row_number", "_reason_code"]]
        rejected = rejected.assign(
            reason=rejected["_reason_code"] + " in " + rejected["_file"] + " row "
            + rejected["_row_number"].astype(str))
    else:
        accepted = rejected = pd.DataFrame()
    validated = time.perf_counter()
    for table, frame in (("peer_activity_rows", accepted), ("peer_rejected_rows", rejected)):
        if len(frame):
            con.register("peer_frame", frame)
            con.execute(f"create or replace table {table} as select * from peer_frame")
            con.unregister("peer_frame")
    file_rows = sum(n for _, n, _ in rejected_files)
    return {
        "stage_ends": {"read": read, "validate": validated},
        "files": len(files),
        "files_rejected": len(rejected_files),
        "rows_read": len(rows) + file_rows,
        "rows_accepted": len(accepted),
        "rows_rejected": len(rejected) + file_rows,
        "rows_warned": int(accepted["warnings"].notna().sum()) if len(accepted) else 0,
        "as_of": dt.date.isoformat(reference.as_of) if reference.as_of else None,
    }
