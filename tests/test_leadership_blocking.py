"""The attacker's audit blocks the leadership publication: a pattern weakened by one
complementary cell fails the check and the run, and leadership keeps the last good file."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from orchestration.config import Settings
from orchestration.defs.assets import leadership
from orchestration.defs.resources import build_resources
from orchestration.disclosure import definitions as d
from orchestration.disclosure.audit import attack
from orchestration.disclosure.publication import leadership_tables

FLAG = d.FLAG_SUFFIX


@pytest.fixture
def run_env(copy_of_demo_run, monkeypatch) -> Settings:
    for var in ("PPA_LANDING_DIR", "PPA_WAREHOUSE", "PPA_PUBLISHED", "DAGSTER_HOME"):
        monkeypatch.setenv(var, copy_of_demo_run[var])
    monkeypatch.delenv("PPA_PUBLISHED_LEADERSHIP", raising=False)
    monkeypatch.delenv("PPA_STAFF_DIRECTORY", raising=False)
    return Settings.from_env()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unhide(tables: dict[str, pl.DataFrame], truth: dict[str, pl.DataFrame],
            table: str, row: int, column: str) -> dict[str, pl.DataFrame]:
    frame = tables[table]
    value = truth[table].join(frame.select(d.BY_NAME[table].keys).slice(row, 1),
                              on=list(d.BY_NAME[table].keys))[column][0]
    position = pl.int_range(pl.len()) == row
    return {**tables, table: frame.with_columns(
        pl.when(position).then(pl.lit(value)).otherwise(pl.col(column)).alias(column),
        pl.when(position).then(False).otherwise(pl.col(column + FLAG)).alias(column + FLAG))}


def _weakening(truth: dict[str, pl.DataFrame]):
    """(row, column) of the first complementary cell of the activity table (hidden, not
    small) whose showing lets the audit pin a small cell."""
    tables = leadership_tables(truth)
    frame = tables[d.ACTIVITY.name]
    true = truth[d.ACTIVITY.name].join(frame.select(d.ACTIVITY.keys).with_row_index("row"),
                                       on=list(d.ACTIVITY.keys))
    for column in d.ACTIVITY.counts:
        hidden = set(frame.with_row_index("row").filter(pl.col(column + FLAG))["row"])
        for row, value in true.select("row", column).iter_rows():
            weakened = (_unhide(tables, truth, d.ACTIVITY.name, row, column)
                        if row in hidden and value > d.SMALL_MAX else None)
            if weakened is not None and not attack(weakened, truth).passed:
                return row, column
    raise AssertionError("no complementary cell of the demo run protects a small one")


def _publish(settings: Settings):
    return dg.materialize(
        [*leadership.leadership_assets, *leadership.leadership_checks],
        resources=build_resources(settings), raise_on_error=False)


def test_a_weakened_pattern_fails_the_audit_and_keeps_the_last_good_publication(
        run_env, monkeypatch):
    target = run_env.paths.published_leadership
    assert target.exists(), "the demo run publishes leadership's file"
    last_good = _digest(target)
    truth = leadership.read_truth(run_env.paths.published)
    row, column = _weakening(truth)

    def weakened(true_tables, solved=None):
        return _unhide(leadership_tables(true_tables, solved), true_tables, d.ACTIVITY.name,
                       row, column)

    monkeypatch.setattr(leadership, "leadership_tables", weakened)
    result = _publish(run_env)
    assert not result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.check_name == "leadership_publication_survives_the_attack"
    assert not evaluation.passed and "pinned below 11" in evaluation.description
    # The demo run kept its components: the unchanged ones are read back, the weakened one
    # is attacked again.
    assert evaluation.metadata["components_reused"].value > 0
    assert _digest(target) == last_good

    monkeypatch.setattr(leadership, "leadership_tables", leadership_tables)
    result = _publish(run_env)
    assert result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed
    assert stat.S_IMODE(os.stat(target).st_mode) == leadership.LEADERSHIP_MODE
    assert not leadership.candidate_path(target).exists()
    assert sorted(leadership.read_publication(target)) == sorted(
        [*d.REFERENCE_TABLES, *(t.name for t in d.TABLES),
         *(m.table for m in d.MET_DEPENDENTS), leadership.STUDY_STATUS])

    # Published again from the same marts: every component is read back, nothing solved,
    # and leadership's tables are the same.
    before = leadership.read_publication(target)
    result = _publish(run_env)
    assert result.success
    [candidate] = [m for m in result.get_asset_materialization_events()
                   if m.asset_key == leadership.CANDIDATE_KEY]
    metadata = candidate.materialization.metadata
    assert metadata["components_solved"].value == 0
    assert metadata["components_reused"].value > 0
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.metadata["linear_programs"].value == 0
    after = leadership.read_publication(target)
    assert sorted(after) == sorted(before)
    assert all(after[name].equals(before[name]) for name in before)


def test_the_candidate_is_written_whole_and_a_dead_writers_copy_is_removed(tmp_path):
    from test_disclosure import EASTERN, SITES, activity

    published = tmp_path / "published.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.meta_refresh as select 'run-1' as run_id")
        for name, frame in (("dim_site", SITES), (d.ACTIVITY.name, activity(EASTERN))):
            con.register("frame", frame.to_arrow())
            con.execute(f"create table marts.{name} as select * from frame")
            con.unregister("frame")
    candidate = leadership.candidate_path(tmp_path / "published_leadership.duckdb")
    dead = candidate.with_name(f".{candidate.name}.4194305.tmp")  # above Linux's largest pid
    dead.mkdir()
    counts = leadership.write_candidate(published, candidate)
    assert counts == {"dim_site": 5, "meta_refresh": 1, d.ACTIVITY.name: 8}
    assert stat.S_IMODE(os.stat(candidate).st_mode) == leadership.LEADERSHIP_MODE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["published.duckdb", candidate.name]
    report = attack(leadership.read_publication(candidate), leadership.read_truth(published))
    assert report.passed and report.small_cells > 0


def test_balance_never_reaches_leadership_and_the_audit_finds_it_if_it_does(tmp_path):
    """An SMD of a yes/no covariate is a function of the two groups' counts with it; with
    the study's sizes known, a covariate's SMDs solved together pin a small group's count
    even to 2 decimals. Leadership's copy holds no balance, and a copy that does fails."""
    published = tmp_path / "published.duckdb"
    balance = pl.DataFrame({"covariate": ["race_black", "age_0_2"],
                            "smd_before": [0.12, -0.09], "smd_after": [0.01, None]})
    with duckdb.connect(str(published)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.meta_refresh as select 'run-1' as run_id")
        con.register("frame", balance.to_arrow())
        con.execute("create table marts.fct_matching_balance as select * from frame")
    candidate = leadership.candidate_path(tmp_path / "published_leadership.duckdb")
    assert leadership.write_candidate(published, candidate) == {"meta_refresh": 1}
    shown = leadership.read_publication(candidate)
    truth = leadership.read_truth(published)
    assert "fct_matching_balance" not in shown and attack(shown, truth).passed
    findings = attack({**shown, "fct_matching_balance": balance}, truth).findings
    assert [(f.cell, f.reason) for f in findings] == [
        ("fct_matching_balance", "withheld from leadership, but published")]
