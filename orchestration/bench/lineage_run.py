"""`python -m orchestration.bench.lineage_run YYYY-MM-DD`: materialize only what the
outcome comparison needs - the ingestion of the files it reads, the dbt models up to
marts.fct_child_episode_outcome, the matching, the comparisons, the balance and the
study's status, and the reach of the program by group (its planted gap is recovered beside
the effects) - for the landing zone and warehouse named by PPA_LANDING_DIR,
PPA_WAREHOUSE and DAGSTER_HOME. Nothing is published; the results are in the warehouse's `marts` schema.

One process per data set: `ppa validate-outcomes --jobs N` works on N data sets side by
side, each with its own Dagster instance (DAGSTER_HOME), which is process-wide, and a
process each lets them use a core each.
"""

from __future__ import annotations

import os
import sys

import click

from orchestration.config import Paths, parse_as_of


def outcome_lineage():
    """The outcome assets and everything upstream of them."""
    import dagster as dg

    marts = ("fct_outcome_comparison", "fct_outcome_naive_comparison", "fct_matching_balance",
             "fct_outcome_study_status", "fct_outcome_by_subgroup", "fct_time_to_reunification",
             "fct_reach_by_group")
    return dg.AssetSelection.assets(*(dg.AssetKey(["marts", m]) for m in marts)).upstream()


@click.command()
@click.argument("as_of")
def main(as_of: str) -> None:
    from orchestration.defs.dbt_manifest import ensure_dbt_manifest
    from orchestration.runner.dagster_home import prepare_dagster_home

    try:
        as_of_date = parse_as_of(as_of)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    prepare_dagster_home(Paths.from_env())
    ensure_dbt_manifest()
    # dbt picks a test when any of its parents is selected ("eager"); a relationship
    # test from a model in the lineage to one outside it would then read a table this
    # run never builds. "cautious" runs just the tests whose parents are all selected.
    os.environ["DBT_INDIRECT_SELECTION"] = "cautious"

    from orchestration.runner.pipeline import run_everything

    failure = run_everything(as_of_date, selection=outcome_lineage())
    if failure:
        raise click.ClickException(failure)


if __name__ == "__main__":
    sys.exit(main())
