"""Reading the study from, and writing the outcome tables to, the warehouse's `outcomes`
schema (dbt sources of the outcome marts), on DuckDB or PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable

import polars as pl

from orchestration.outcomes.balance import BALANCE_SCHEMA
from orchestration.outcomes.comparison import COMPARISON_SCHEMA
from orchestration.outcomes.matching import MATCHED_PAIRS_SCHEMA
from orchestration.outcomes.study_status import STUDY_STATUS_SCHEMA
from orchestration.outcomes.subgroups import SUBGROUP_SCHEMA
from orchestration.outcomes.survival import SURVIVAL_SCHEMA
from orchestration.storage.postgres import (
    insert_frame,
    is_postgres,
    placeholder,
    sql_type,
    transaction,
)

COVARIATES_TABLE = "intermediate.int_episode_covariates"
EPISODE_OUTCOME_TABLE = "marts.fct_child_episode_outcome"
MATCHED_PAIRS_TABLE = "outcomes.matched_pairs"
# Written here, declared as dbt sources; dbt's marts of the same names without the
# prefix (fct_outcome_comparison, ...) document, test and publish them.
BALANCE_TABLE = "outcomes.matching_balance"
COMPARISON_TABLE = "outcomes.outcome_comparison"
NAIVE_COMPARISON_TABLE = "outcomes.outcome_naive_comparison"
STUDY_STATUS_TABLE = "outcomes.outcome_study_status"
SUBGROUP_TABLE = "outcomes.outcome_by_subgroup"
SPELLS_TABLE = "intermediate.int_reunification_spells"
SURVIVAL_TABLE = "outcomes.time_to_reunification"

TABLE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    MATCHED_PAIRS_TABLE: MATCHED_PAIRS_SCHEMA,
    BALANCE_TABLE: BALANCE_SCHEMA,
    COMPARISON_TABLE: COMPARISON_SCHEMA,
    NAIVE_COMPARISON_TABLE: COMPARISON_SCHEMA,
    STUDY_STATUS_TABLE: STUDY_STATUS_SCHEMA,
    SUBGROUP_TABLE: SUBGROUP_SCHEMA,
    SURVIVAL_TABLE: SURVIVAL_SCHEMA,
}

_DUCKDB_TYPES = {pl.String: "VARCHAR", pl.Int32: "INTEGER", pl.Int64: "BIGINT", pl.Float64: "DOUBLE"}


def read_table(con, table: str) -> pl.DataFrame:
    """A whole table, rows in episode_id order when it has one (determinism)."""
    columns = con.sql(f"select * from {table} limit 0").columns
    order = " order by episode_id" if "episode_id" in columns else ""
    return con.sql(f"select * from {table}{order}").pl()


def replace_table(con, table: str, frame: pl.DataFrame) -> None:
    """Swap `table` for the rows of `frame` in one transaction, with its declared types."""
    schema = TABLE_SCHEMAS[table]
    frame = frame.select([pl.col(c).cast(t) for c, t in schema.items()])
    postgres = is_postgres(con)
    spell = sql_type if postgres else str
    columns = ", ".join(f'"{c}" {spell(_DUCKDB_TYPES[t])}' for c, t in schema.items())
    con.execute(f"create schema if not exists {table.split('.')[0]}")
    with transaction(con):
        if postgres:
            # Transactional on PostgreSQL: readers see the old rows until commit.
            con.replace_rows(
                table, {c: sql_type(_DUCKDB_TYPES[t]) for c, t in schema.items()}, frame
            )
        else:
            con.execute(f"create or replace table {table} ({columns})")
            if frame.height:
                insert_frame(con, table, frame)


# What each outcome step last computed from: the digest of its inputs and code, and the
# metadata it reported. A step whose inputs are unchanged keeps its tables (the study is
# deterministic): a month's new activity forms change none of them, and at scale 50 the
# matching took 22 s of a month's run.
STEP_INPUTS_TABLE = "outcomes.step_inputs"


def _ensure_step_inputs(con) -> None:
    con.execute("create schema if not exists outcomes")
    con.execute(
        f"create table if not exists {STEP_INPUTS_TABLE} "
        "(step varchar primary key, inputs varchar not null, metadata varchar not null)"
    )


def computed_once(con, step: str, inputs: str, compute: Callable[[], dict]
                  ) -> tuple[dict, bool]:
    """(the metadata `step` reports, whether it computed): the metadata it reported when it
    last computed from exactly `inputs` (its tables are still those), else what `compute`
    returns after writing its tables. The record of the last computation is deleted before
    `compute` writes and written after it, so tables half written are never reused."""
    _ensure_step_inputs(con)
    p = placeholder(con)
    rows = con.sql(
        f"select metadata from {STEP_INPUTS_TABLE} where step = {p} and inputs = {p}",
        params=(step, inputs),
    ).fetchall()
    if rows:
        return json.loads(rows[0][0]), False
    con.sql(f"delete from {STEP_INPUTS_TABLE} where step = {p}", params=(step,))
    metadata = compute()
    con.sql(f"insert into {STEP_INPUTS_TABLE} values ({p}, {p}, {p})",
            params=(step, inputs, json.dumps(metadata, default=float)))
    return metadata, True
