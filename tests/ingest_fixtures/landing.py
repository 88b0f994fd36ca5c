"""Write small landing zones in a temporary folder, the way senders produce them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import polars as pl
import xlsxwriter

from orchestration.config import SEEDS_DIR
from orchestration.ingest.discovery import LandingFile, classify
from orchestration.ingest.reference import ActivityReference, load_activity_types, load_code_lists

ACTIVITY_HEADER = [
    "pp_id", "family_id", "service_month", "submitted_at", "activity_date", "activity_type",
    "duration_minutes", "notes",
]
# The activity types of seeds/activity_types.csv: code -> (family_level, face_to_face).
ACTIVITY_TYPES = load_activity_types(SEEDS_DIR)
TRAINING_TOPICS = ("domestic_violence", "mandatory_reporting", "ethics")
FIDELITY_ITEMS = ("contact_within_7_days", "phone_between_visits")
OUTCOME_ITEMS = ("understands_agency_process", "communicates_with_caseworker")

PP_IDS = ("PP01", "PP02", "PP03")
# family -> (pp, match_date, exit_date)
MATCHES = {
    "F001": ("PP01", dt.date(2024, 1, 15), None),
    "F002": ("PP02", dt.date(2024, 3, 10), dt.date(2024, 3, 20)),
}
UNMATCHED_FAMILIES = ("F003",)
AS_OF = dt.date(2024, 4, 30)


def write_seeds(seeds_dir: Path) -> Path:
    """The repository's activity types and contract code lists, beside small topic and
    item lists of the tests' own."""
    seeds_dir.mkdir(parents=True, exist_ok=True)
    for name in ("activity_types.csv", "code_lists.csv"):
        shutil.copyfile(SEEDS_DIR / name, seeds_dir / name)
    (seeds_dir / "training_topics.csv").write_text(
        "topic_code,label,hours,is_core\n"
        + "".join(f"{t},{t.title()},2.5,true\n" for t in TRAINING_TOPICS)
    )
    (seeds_dir / "fidelity_items.csv").write_text(
        "item_code,label\n" + "".join(f"{i},{i}\n" for i in FIDELITY_ITEMS)
    )
    (seeds_dir / "parent_outcome_items.csv").write_text(
        "item_code,label\n" + "".join(f"{i},{i}\n" for i in OUTCOME_ITEMS)
    )
    return seeds_dir


def activity_reference(seeds_dir: Path, as_of: dt.date | None = AS_OF) -> ActivityReference:
    roster = pl.DataFrame({"pp_id": list(PP_IDS), "site_id": ["S1"] * len(PP_IDS)})
    families = [*MATCHES, *UNMATCHED_FAMILIES]
    referrals = pl.DataFrame(
        {
            "family_id": families,
            "pp_id": [MATCHES[f][0] if f in MATCHES else None for f in families],
            "match_date": [MATCHES[f][1] if f in MATCHES else None for f in families],
            "exit_date": [MATCHES[f][2] if f in MATCHES else None for f in families],
        },
        schema={"family_id": pl.String, "pp_id": pl.String, "match_date": pl.Date,
                "exit_date": pl.Date},
    )
    return ActivityReference.from_frames(roster, referrals, seeds_dir=seeds_dir, as_of=as_of)


def code_lists(seeds_dir: Path):
    return load_code_lists(seeds_dir)


def activity_row(**values: str) -> dict[str, str]:
    """A valid activity row of form (PP01, F001, 2024-03); keyword arguments override."""
    row = {
        "pp_id": "PP01", "family_id": "F001", "service_month": "2024-03",
        "submitted_at": "2024-04-02T09:30:00", "activity_date": "2024-03-09",
        "activity_type": "home_visit", "duration_minutes": "60", "notes": "",
    }
    row.update(values)
    return row


def csv_text(header: list[str], rows: list[dict[str, str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue()


def write_csv(
    landing: Path, rel_path: str, header: list[str], rows: list[dict[str, str]],
    *, encoding: str = "utf-8", delimiter: str = ",",
) -> LandingFile:
    path = landing / rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_text(header, rows, delimiter).encode(encoding))
    return landing_file(landing, rel_path)


def write_activity_csv(landing: Path, rows: list[dict[str, str]], month: str = "2024-03",
                       name: str = "site.csv", **kwargs) -> LandingFile:
    return write_csv(landing, f"activity_forms/{month}/{name}", ACTIVITY_HEADER, rows, **kwargs)


def landing_file(landing: Path, rel_path: str) -> LandingFile:
    found = classify(landing, landing / rel_path)
    assert found is not None, f"{rel_path} is not a landing file"
    return found


FORM_LABELS = {"pp_id": "Parent Partner", "family_id": "Family",
               "service_month": "Service month", "submitted_at": "Submitted"}


def write_workbook(
    landing: Path,
    rel_path: str,
    *,
    header_block: dict[str, object],
    rows: list[list[object]],
    sheet: str = "Activity Form",
    first_row: int = 0,
    first_col: int = 0,
    trailing_empty_rows: int = 0,
    after_gap: list[object] | None = None,
    labels: dict[str, str] | None = None,
) -> LandingFile:
    """The paper form: labels in column A of rows 1-4, table header in row 6.

    first_row/first_col shift the whole form down/right; dates and datetimes are
    written as real Excel dates, anything else as given.
    """
    path = landing / rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})

    def put(r: int, c: int, value: object) -> None:
        r, c = r + first_row, c + first_col
        if isinstance(value, dt.datetime):
            ws.write_datetime(r, c, value, stamp_fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
        elif value is None:
            return
        else:
            ws.write(r, c, value)

    for r, (column, label) in enumerate((labels or FORM_LABELS).items()):
        put(r, 0, label)
        put(r, 1, header_block.get(column))
    for c, title in enumerate(["Date", "Activity type", "Minutes", "Notes"]):
        put(5, c, title)
    for r, values in enumerate(rows, start=6):
        for c, value in enumerate(values):
            put(r, c, value)
    for r in range(6 + len(rows), 6 + len(rows) + trailing_empty_rows):
        # Formatted blanks and a lone space: cells Excel keeps but that hold nothing.
        ws.write_blank(r + first_row, first_col, None, date_fmt)
        ws.write_string(r + first_row, first_col + 3, " ")
    if after_gap:
        for c, value in enumerate(after_gap):
            put(6 + len(rows) + 1, c, value)
    book.close()
    return landing_file(landing, rel_path)
