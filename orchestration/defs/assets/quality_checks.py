"""Data-quality checks that warn: the data is usable, but someone should look.

None of them stops publication - a late extract or a site behind on its forms is
worth publishing with a warning, not worth keeping last month's numbers for. They are
declared `blocking` only so that publication waits for them and publishes their
result; a failing WARN check never blocks anything downstream.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.assets.raw import INGESTED_FILES_KEY, raw_key
from orchestration.defs.jobs import run_as_of
from orchestration.ingest.schemas import (
    MALTREATMENT_REPORTS,
    PARENT_PARTNERS,
    REFERRALS,
    REMOVAL_EPISODES,
    FileKind,
)

MAX_REJECTED_SHARE = 0.05
MIN_FORMS_RECEIVED_SHARE = 0.8
MAX_EXTRACT_AGE_DAYS = 45
ACTIVITY_SUMMARY_KEY = dg.AssetKey(["marts", "agg_activity_month"])
FRESHNESS_KINDS = (REFERRALS, PARENT_PARTNERS, REMOVAL_EPISODES, MALTREATMENT_REPORTS)
SHOWN = 10


def _names(items: list[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


@dg.asset_check(
    asset=INGESTED_FILES_KEY,
    blocking=True,
    pool="warehouse",
    description=(
        f"No landing file (its newest version) has more than {MAX_REJECTED_SHARE:.0%} of its "
        "rows rejected, and none is rejected whole. A warning: the good rows are loaded; "
        "the data-quality page lists each rejected row and its reason for the sender."
    ),
)
def few_rows_rejected_per_file(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        files = con.sql(
            f"""
            select file, rows_read, rows_rejected, status from (
                select *, row_number() over (partition by file order by ingested_at desc) as newest
                from raw.ingested_files
            ) as versions
            where newest = 1 and (
                status = 'rejected'
                or rows_rejected > {MAX_REJECTED_SHARE} * greatest(rows_read, 1)
            )
            order by file
            """
        ).fetchall()
    described = [
        f"{file} (rejected whole)" if status == "rejected" else f"{file} ({rejected} of {read} rows)"
        for file, read, rejected, status in files
    ]
    return dg.AssetCheckResult(
        passed=not files,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(files)} file(s) with more than {MAX_REJECTED_SHARE:.0%} of rows rejected: "
            f"{_names(described)}" if files else None
        ),
        metadata={"files": dg.MetadataValue.json([f[0] for f in files])},
    )


@dg.asset_check(
    asset=ACTIVITY_SUMMARY_KEY,
    blocking=True,
    pool="warehouse",
    description=(
        "In the last closed month (the newest month whose forms are due before the as-of "
        f"date), every site has received at least {MIN_FORMS_RECEIVED_SHARE:.0%} of the "
        "activity forms expected. A warning: the month is published, but its contact "
        "figures undercount the sites named."
    ),
)
def most_forms_received_last_closed_month(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        month, sites = con.sql(
            f"""
            with last_closed as (
                select max(service_month) as service_month
                from marts.agg_activity_month where forms_expected > 0
            )
            select l.service_month, array_agg(
                a.area_id || ' (' || a.forms_received || ' of ' || a.forms_expected || ')'
                order by a.area_id
            ) filter (where a.forms_received < {MIN_FORMS_RECEIVED_SHARE} * a.forms_expected)
            from last_closed l
            left join marts.agg_activity_month a
              on a.service_month = l.service_month and a.level = 'site'
            group by l.service_month
            """
        ).fetchall()[0]
    behind = sites or []
    return dg.AssetCheckResult(
        passed=not behind,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(behind)} site(s) received fewer than {MIN_FORMS_RECEIVED_SHARE:.0%} of the "
            f"forms expected for {month:%Y-%m}: {_names(behind)}" if behind else None
        ),
        metadata={"last_closed_month": str(month), "sites_behind": len(behind)},
    )


def _freshness_check(kind: FileKind) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(kind),
        name=f"{kind.name}_extract_is_recent",
        blocking=True,
        pool="warehouse",
        description=(
            f"The newest {kind.name} extract is dated at most {MAX_EXTRACT_AGE_DAYS} days "
            "before the run's as-of date. A warning: metrics lean on an old extract "
            "(referrals and the roster decide which forms are expected; the child-welfare "
            "extracts decide outcomes) - ask the source for a new one."
        ),
    )
    def _check(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource):
        as_of = run_as_of(context)
        with duckdb.get_connection() as con:
            newest = con.sql(f"select max(extract_date) from raw.{kind.name}").fetchall()[0][0]
        age = (as_of - newest).days if newest else None
        passed = age is not None and age <= MAX_EXTRACT_AGE_DAYS
        if newest is None:
            description = f"no {kind.name} extract has been ingested"
        elif not passed:
            description = (
                f"the newest {kind.name} extract is dated {newest}, {age} days before "
                f"the as-of date {as_of}"
            )
        else:
            description = None
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.WARN,
            description=description,
            metadata={"newest_extract": str(newest), "as_of": str(as_of), "age_days": age},
        )

    return _check


quality_checks = [
    few_rows_rejected_per_file,
    most_forms_received_last_closed_month,
    *(_freshness_check(kind) for kind in FRESHNESS_KINDS),
]
