"""The leadership publication (PPA_PUBLISHED_LEADERSHIP): the only file leadership's
dashboard sessions read, built from the file just published and audited before it
replaces the last good one.

Both keep what they solved by component in the warehouse (`disclosure.solved_components`):
a component whose figures and relations are those of the last publication's is read back,
not solved again (`orchestration/disclosure/solved.py`).

1. `leadership/candidate` builds the suppressed tables (orchestration/disclosure) from the
   published marts and writes them, with the reference tables the pages need, to a
   candidate file beside the target (written in a folder only its owner can enter, mode
   0640, renamed into place).
2. The blocking check `leadership_publication_survives_the_attack` attacks the candidate
   against the true published tables (orchestration/disclosure/audit.py, which shares
   none of the suppression's reasoning). A finding fails it, and the run.
3. `published/leadership` renames the audited candidate over the target, atomically; when
   the check fails it never runs, and leadership keeps the last good publication.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
from dagster_duckdb import DuckDBResource

from orchestration.defs.assets.publish import private_copy, sync
from orchestration.defs.resources import PlatformSettings
from orchestration.disclosure import definitions
from orchestration.disclosure.audit import attack
from orchestration.disclosure.publication import leadership_tables
from orchestration.disclosure.solved import Solved
from orchestration.storage.solved_components import AUDIT, PATTERN, keep_solved, read_solved

PUBLISHED_MARTS_KEY = dg.AssetKey(["published", "marts"])
CANDIDATE_KEY = dg.AssetKey(["leadership", "candidate"])
PUBLISHED_LEADERSHIP_KEY = dg.AssetKey(["published", "leadership"])
LEADERSHIP_MODE = 0o640

# The data-quality page's files by kind and status, statewide: the only figures of the
# ingestion log leadership sees (file names name sites and Parent Partners).
FILES_BY_KIND_SQL = """
    select kind, status, count(*) as files, sum(rows_read) as rows_read,
           sum(rows_accepted) as rows_accepted, sum(rows_rejected) as rows_rejected,
           max(ingested_at) as last_ingested_at
    from marts.dq_ingested_files group by kind, status order by kind, status
"""
# An outcome study that is not reliable reaches leadership as its status and reason only:
# its results are withheld (the reason names no count).
STUDY_STATUS = "fct_outcome_study_status"
WITHHELD_UNLESS_RELIABLE = ("fct_outcome_comparison", "fct_outcome_naive_comparison",
                            "fct_outcome_by_subgroup")
_SOURCES = (*(t.name for t in definitions.TABLES if t.name != definitions.FILES_BY_KIND.name),
            "dim_site", *(dependent.table for dependent in definitions.MET_DEPENDENTS))


def candidate_path(target: Path) -> Path:
    return target.with_name(target.name + ".candidate")


def read_truth(published: Path) -> dict[str, pl.DataFrame]:
    """The published marts the leadership tables are made from, as they are."""
    with duckdb.connect(str(published), read_only=True) as con:
        present = {t for t, in con.sql("select table_name from information_schema.tables "
                                       "where table_schema = 'marts'").fetchall()}
        truth = {name: con.sql(f'select * from marts."{name}"').pl()
                 for name in _SOURCES if name in present}
        if "dq_ingested_files" in present:
            truth[definitions.FILES_BY_KIND.name] = con.sql(FILES_BY_KIND_SQL).pl()
    return truth


def study_status(published: Path) -> pl.DataFrame | None:
    """The outcome study's status and reason, or None in a file published before either."""
    with duckdb.connect(str(published), read_only=True) as con:
        present = con.sql("select 1 from information_schema.tables where table_schema = "
                          "'marts' and table_name = ?", params=[STUDY_STATUS]).fetchall()
        if not present:
            return None
        return con.sql(f"select status, reason from marts.{STUDY_STATUS}").pl()


def read_publication(path: Path) -> dict[str, pl.DataFrame]:
    """Every table of a leadership publication."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [t for t, in con.sql("select table_name from information_schema.tables "
                                     "where table_schema = 'marts'").fetchall()]
        return {name: con.sql(f'select * from marts."{name}"').pl() for name in names}


def write_candidate(published: Path, candidate: Path,
                    solved: Solved | None = None) -> dict[str, int]:
    """The leadership tables of `published` and its reference tables, into `candidate`
    (mode LEADERSHIP_MODE), atomically; row counts by table. `solved`: the suppression
    patterns of components solved before."""
    tables = leadership_tables(read_truth(published), solved)
    status = study_status(published)
    if status is not None:
        if status["status"][0] != "reliable":
            tables = {name: frame.clear() if name in WITHHELD_UNLESS_RELIABLE else frame
                      for name, frame in tables.items()}
        tables[STUDY_STATUS] = status
    counts: dict[str, int] = {}
    with private_copy(candidate, LEADERSHIP_MODE) as staging, \
            duckdb.connect(str(staging)) as out:
        out.execute("create schema marts")
        out.execute("attach ? as source (read_only)", [str(published)])
        present = {t for t, in out.sql(
            "select table_name from information_schema.tables "
            "where table_catalog = 'source' and table_schema = 'marts'").fetchall()}
        for name in definitions.REFERENCE_TABLES:
            if name in present:
                out.execute(f'create table marts."{name}" as '
                            f'select * from source.marts."{name}"')
                counts[name] = out.sql(f'select count(*) from marts."{name}"').fetchall()[0][0]
        out.execute("detach source")
        for name, frame in tables.items():
            out.register("leadership_table", frame.to_arrow())
            out.execute(f'create table marts."{name}" as select * from leadership_table')
            out.unregister("leadership_table")
            counts[name] = frame.height
    return counts


def promote(candidate: Path, target: Path) -> None:
    """The audited candidate becomes the leadership publication, atomically."""
    os.replace(candidate, target)
    sync(target.parent)


@dg.asset(
    key=CANDIDATE_KEY,
    group_name="publish",
    deps=[PUBLISHED_MARTS_KEY],
    kinds={"duckdb"},
    description=(
        "The leadership publication before its audit: every aggregate leadership's pages, "
        "filters, charts and downloads read, with one suppression pattern computed over all "
        "the linked tables (no count of 1..10 shown or derivable; rates only from shown "
        "counts, to a tenth of a percentage point), beside the published file."
    ),
)
def leadership_candidate(settings: PlatformSettings,
                         duckdb: DuckDBResource) -> dg.MaterializeResult:
    target = Path(settings.published_leadership)
    with duckdb.get_connection() as con:
        solved = read_solved(con, PATTERN)
    counts = write_candidate(Path(settings.published), candidate_path(target), solved)
    with duckdb.get_connection() as con:
        keep_solved(con, PATTERN, solved)
    return dg.MaterializeResult(metadata={
        "path": str(candidate_path(target)),
        "components_solved": solved.solved, "components_reused": solved.reused,
        **{f"rows.{t}": n for t, n in counts.items()}})


@dg.asset_check(
    asset=CANDIDATE_KEY,
    blocking=True,
    description=(
        "The attacker's audit: for every count of 1..10 in the leadership publication, its "
        "smallest and largest value under every published relation (linear programming); "
        "fails when one is shown or pinned below 11, or a rate, met flag or count of "
        "measures met gives a hidden figure away (a component with the equations of one "
        "attacked before is judged by the bounds found then). Failing, it stops the run: "
        "leadership keeps the last good publication."
    ),
)
def leadership_publication_survives_the_attack(
    settings: PlatformSettings, duckdb: DuckDBResource,
) -> dg.AssetCheckResult:
    target = Path(settings.published_leadership)
    with duckdb.get_connection() as con:
        solved = read_solved(con, AUDIT)
    report = attack(read_publication(candidate_path(target)),
                    read_truth(Path(settings.published)), solved)
    with duckdb.get_connection() as con:
        keep_solved(con, AUDIT, solved)
    return dg.AssetCheckResult(
        passed=report.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=report.summary(),
        metadata={"small_cells": report.small_cells, "findings": len(report.findings),
                  "linear_programs": report.programs,
                  "components_reused": report.components_reused,
                  "seconds": round(report.seconds, 2)},
    )


@dg.asset(
    key=PUBLISHED_LEADERSHIP_KEY,
    group_name="publish",
    deps=[CANDIDATE_KEY],
    kinds={"duckdb"},
    description=(
        "The leadership publication the dashboards' leadership sessions read "
        "(PPA_PUBLISHED_LEADERSHIP): the audited candidate, swapped in atomically."
    ),
)
def published_leadership(settings: PlatformSettings) -> dg.MaterializeResult:
    target = Path(settings.published_leadership)
    promote(candidate_path(target), target)
    return dg.MaterializeResult(metadata={"path": str(target)})


leadership_assets = [leadership_candidate, published_leadership]
leadership_checks = [leadership_publication_survives_the_attack]
