"""A small, valid program runs green: `ppa run` exits 0 and publishes, with warnings.

Five Parent Partners at three sites over six months (scale 0.02): about 27 participant
removal episodes, of which fewer than half find a match. The matched-share rule cannot
be judged on so few, so it warns and says why instead of failing the run.
"""

import os

import duckdb
import pytest
import warm_ppa

# Generates a landing zone and runs the pipeline on it.
pytestmark = pytest.mark.slow
AS_OF = "2024-02-01"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    env = {
        **os.environ,
        "PPA_LANDING_DIR": str(root / "landing"),
        "PPA_WAREHOUSE": str(root / "warehouse.duckdb"),
        "PPA_PUBLISHED": str(root / "published.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    env.pop("PPA_ALERT_WEBHOOK", None)
    warm_ppa.run(["generate", "--out", str(root / "landing"), "--start", "2023-07", "--months",
                  "6", "--scale", "0.02", "--seed", "0"], env=env, check=True)
    run = warm_ppa.run(["run", "--as-of", AS_OF], env=env, cwd="/")
    assert run.returncode == 0, run.stderr[-3000:]
    return root / "published.duckdb"


def rows(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_the_small_program_is_published(published):
    assert rows(published, "select as_of_date::varchar from marts.meta_refresh") == [(AS_OF,)]
    # Children's episodes stay in the warehouse: no page reads them.
    participants = rows(published.parent / "warehouse.duckdb",
                        "select count(*) from marts.fct_child_episode_outcome "
                        "where study_group = 'participant'")[0][0]
    assert 0 < participants < 100


def test_the_matching_rule_warns_and_says_why(published):
    [(severity, passed, message)] = rows(
        published,
        "select severity, passed, message from marts.dq_check_results "
        "where check_name = 'most_participants_matched'",
    )
    assert (severity, passed) == ("WARN", False)
    assert "a warning, not an error: only" in message


def test_every_check_of_the_run_is_published_with_what_it_tests(published):
    results = rows(published, "select check_name, asset, description, run_id from marts.dq_check_results")
    names = {r[0] for r in results}
    assert {
        "every_input_row_accounted_for", "few_rows_rejected_per_file",
        "most_forms_received_last_closed_month", "referrals_extract_is_recent",
        "covariates_balanced_after_matching",
    } <= names
    dbt_tests = [r for r in results if r[0].startswith("not_null_")]
    assert dbt_tests and all("dbt data test" in r[2] for r in dbt_tests)
    [(run_id,)] = rows(published, "select run_id from marts.meta_refresh")
    assert {r[3] for r in results} == {run_id}
    ours = [r for r in results if r[0] == "few_rows_rejected_per_file"]
    assert "rejected" in ours[0][2]


def test_planted_bad_files_are_named_in_a_warning(published):
    # The generator plants a semicolon-separated export, rejected whole.
    [(severity, passed, message)] = rows(
        published,
        "select severity, passed, message from marts.dq_check_results "
        "where check_name = 'few_rows_rejected_per_file'",
    )
    assert (severity, passed) == ("WARN", False)
    assert "site_S01_export_semicolon.csv (rejected whole)" in message


def test_no_failed_run_is_published_as_such(published):
    assert rows(published, "select count(*) from marts.ops_run_failures") == [(0,)]
