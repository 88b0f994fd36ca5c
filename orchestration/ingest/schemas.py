"""The landing-zone file kinds and the typed columns of their raw tables.

One entry per file kind of spec/landing-zone.md. `columns` is the order and
polars dtype of the accepted rows a reader returns (and of the DuckDB `raw`
table, which adds the lineage columns below); `required` are the columns whose
absence rejects the whole file. Snapshot kinds carry the extract date of their
file name in `extract_date`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

S, D, TS, I, F = pl.String, pl.Date, pl.Datetime("us"), pl.Int32, pl.Float64

# Added to every accepted row by the warehouse writer (row number by the reader).
LINEAGE_COLUMNS: dict[str, pl.DataType] = {
    "_source_file": S,  # path relative to the landing zone, forward slashes
    "_sha256": S,
    "_row_number": I,  # as a person sees it: CSV header = row 1; Excel's own row number
    "_run_id": S,
    "_ingested_at": TS,
}


# Personal data, per raw table: the one declaration. It is kept in raw and dropped in
# staging; ingestion never quotes it in a rejection reason (reasons are published in
# marts.dq_rejected_rows); the publish guard refuses a marts column of these names; the
# tests read it; the dbt sources describe these columns as personal data.
PERSONAL_DATA: dict[str, frozenset[str]] = {
    "activity_rows": frozenset({"notes"}),
    "referrals": frozenset({"parent_first_name", "parent_last_name", "parent_birth_date"}),
    "parent_partners": frozenset({"first_name", "last_name"}),
    "removal_episodes": frozenset({"child_birth_date"}),
    "rejected_rows": frozenset({"raw_record"}),  # the rejected row as read, any column
}
PII_COLUMNS = frozenset().union(*PERSONAL_DATA.values())


def is_personal_data(column: str) -> bool:
    """A column named as personal data, or ending in such a name (`pp_first_name`)."""
    name = column.lower()
    return any(name == c or name.endswith(f"_{c}") for c in PII_COLUMNS)


# Ids are opaque to the platform, but all of one form: a letter or digit first (so no id
# reads as a spreadsheet formula: =, +, -, @), then letters, digits, '-', '_' or '.', 64
# characters at most, no spaces (so a name or a note in an id column is not taken for one).
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
ID_RULE = "an id (a letter or digit, then up to 63 letters, digits, '-', '_' or '.')"
ID_COLUMNS = frozenset({
    "pp_id", "family_id", "referral_id", "site_id", "episode_id", "child_id", "report_id",
    "contract_id", "invoice_id",
})


@dataclass(frozen=True)
class FileKind:
    name: str  # also the raw table name: raw.<name>
    glob: str  # relative to the landing zone
    columns: dict[str, pl.DataType]
    required: tuple[str, ...]
    key: tuple[str, ...]
    snapshot: bool  # name carries _YYYY-MM-DD; newest extract wins per key

    def __reduce_ex__(self, protocol):
        """One of the contract's kinds is unpickled as itself, not a copy: kinds are
        compared by identity (`f.kind is ACTIVITY_ROWS`), in the process that reads a
        file and in the one that validates it alike."""
        if KINDS_BY_NAME.get(self.name) is self:
            return kind_named, (self.name,)
        return super().__reduce_ex__(protocol)


ACTIVITY_ROWS = FileKind(
    name="activity_rows",
    glob="activity_forms/*/*",  # *.csv and *.xlsx in a YYYY-MM folder
    columns={
        "pp_id": S,
        "family_id": S,
        "service_month": D,  # first day of the month
        "submitted_at": TS,  # naive, America/Chicago
        "activity_date": D,
        "activity_type": S,
        "duration_minutes": I,
        "notes": S,  # PII: stays in raw
        "source_format": S,  # csv | xlsx
        "warnings": S,  # ';'-joined warning codes, null when none
    },
    required=(
        "pp_id", "service_month", "submitted_at", "activity_date", "activity_type",
        "duration_minutes",
    ),
    key=("pp_id", "family_id", "service_month"),
    snapshot=False,
)

REFERRALS = FileKind(
    name="referrals",
    glob="referrals/referrals_*.csv",
    columns={
        "referral_id": S, "family_id": S, "site_id": S, "county_fips": S,
        "referral_date": D, "referral_source": S, "parent_first_name": S,
        "parent_last_name": S, "parent_birth_date": D, "parent_gender": S,
        "parent_race_ethnicity": S, "pp_id": S, "match_date": D, "exit_date": D,
        "exit_reason": S, "extract_date": D,
    },
    required=("referral_id", "family_id", "site_id", "referral_date"),
    key=("referral_id",),
    snapshot=True,
)

PARENT_PARTNERS = FileKind(
    name="parent_partners",
    glob="reference/parent_partners_*.csv",
    columns={
        "pp_id": S, "site_id": S, "role": S, "first_name": S, "last_name": S,
        "start_date": D, "end_date": D, "own_reunification_date": D, "extract_date": D,
    },
    required=("pp_id", "site_id", "role", "start_date"),
    key=("pp_id",),
    snapshot=True,
)

TRAINING_RECORDS = FileKind(
    name="training_records",
    glob="reference/training_records_*.csv",
    columns={"pp_id": S, "topic_code": S, "completed_on": D, "hours": F, "extract_date": D},
    required=("pp_id", "topic_code", "completed_on"),
    key=("pp_id", "topic_code"),
    snapshot=True,
)

FIDELITY_CHECKLISTS = FileKind(
    name="fidelity_checklists",
    glob="exits/fidelity_checklists_*.csv",
    columns={
        "family_id": S, "pp_id": S, "match_date": D, "completed_on": D,
        "item_code": S, "response": S, "extract_date": D,
    },
    required=("family_id", "match_date", "completed_on", "item_code", "response"),
    key=("family_id", "match_date", "item_code"),
    snapshot=True,
)

PARENT_OUTCOMES = FileKind(
    name="parent_outcomes",
    glob="exits/parent_outcomes_*.csv",
    columns={
        "family_id": S, "match_date": D, "completed_on": D, "item_code": S, "score": I,
        "extract_date": D,
    },
    required=("family_id", "match_date", "completed_on", "item_code", "score"),
    key=("family_id", "match_date", "item_code"),
    snapshot=True,
)

REMOVAL_EPISODES = FileKind(
    name="removal_episodes",
    glob="child_welfare/removal_episodes_*.csv",
    columns={
        "episode_id": S, "child_id": S, "family_id": S, "removal_date": D,
        "discharge_date": D, "discharge_reason": S, "child_birth_date": D, "child_sex": S,
        "child_race_ethnicity": S, "county_fips": S, "removal_reason": S, "extract_date": D,
    },
    required=("episode_id", "child_id", "family_id", "removal_date"),
    key=("episode_id",),
    snapshot=True,
)

MALTREATMENT_REPORTS = FileKind(
    name="maltreatment_reports",
    glob="child_welfare/maltreatment_reports_*.csv",
    columns={
        "report_id": S, "child_id": S, "family_id": S, "report_date": D, "finding": S,
        "extract_date": D,
    },
    required=("report_id", "child_id", "report_date", "finding"),
    key=("report_id",),
    snapshot=True,
)

CONTRACT_TERMS = FileKind(
    name="contract_terms",
    glob="contract/contract_terms.csv",
    columns={
        "contract_id": S, "contractor": S, "sfy": I, "term_start": D, "term_end": D,
        "annual_value": F, "retainage_pct": F,
    },
    required=("contract_id", "sfy", "term_start", "term_end", "annual_value", "retainage_pct"),
    key=("contract_id", "sfy"),
    snapshot=False,
)

INVOICES = FileKind(
    name="invoices",
    glob="contract/invoices_*.csv",  # later files (by name) win per invoice_id
    columns={
        "invoice_id": S, "contract_id": S, "invoice_type": S, "service_month": D,
        "amount": F, "submitted_on": D, "paid_on": D,
    },
    required=("invoice_id", "contract_id", "invoice_type", "service_month", "amount"),
    key=("invoice_id",),
    snapshot=False,
)

REFERENCE_KINDS: tuple[FileKind, ...] = (
    REFERRALS, PARENT_PARTNERS, TRAINING_RECORDS, FIDELITY_CHECKLISTS, PARENT_OUTCOMES,
    REMOVAL_EPISODES, MALTREATMENT_REPORTS, CONTRACT_TERMS, INVOICES,
)
ALL_KINDS: tuple[FileKind, ...] = (ACTIVITY_ROWS, *REFERENCE_KINDS)
KINDS_BY_NAME = {k.name: k for k in ALL_KINDS}


def kind_named(name: str) -> FileKind:
    return KINDS_BY_NAME[name]

# raw.ingested_files: one row per (file, sha256) ever ingested.
INGESTED_FILES_COLUMNS: dict[str, pl.DataType] = {
    "file": S, "kind": S, "sha256": S, "size_bytes": pl.Int64, "partition_key": S,
    "rows_read": I, "rows_accepted": I, "rows_rejected": I, "rows_warned": I,
    "status": S,  # loaded | loaded_with_rejections | rejected
    "error": S, "run_id": S, "ingested_at": TS,
}

# raw.rejected_rows: one row per rejected input row (raw_record may hold PII: raw only).
REJECTED_ROWS_COLUMNS: dict[str, pl.DataType] = {
    "file": S, "sha256": S, "row_number": I, "reason_code": S, "reason": S,
    "raw_record": S,  # JSON object of the row as read, column -> text
    "run_id": S, "ingested_at": TS,
}
