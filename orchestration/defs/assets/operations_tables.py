"""What the publish step adds beside the marts: the run's check results, failed runs and
packet deliveries.

None comes from the warehouse: check results live in the Dagster instance, failed runs in
the failure sensor's file (orchestration.storage.run_failures), deliveries in the delivery
log (orchestration.storage.packet_deliveries), so they join the published file without a
detour through raw -> dbt.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl

from orchestration.storage.check_results import check_descriptions, check_results
from orchestration.storage.packet_deliveries import read_deliveries
from orchestration.storage.run_failures import read_failures


def operations_tables(
    context: dg.AssetExecutionContext, run_failures_file: Path, packet_deliveries_file: Path
) -> dict[str, pl.DataFrame]:
    # Every check of the definitions, not only of the assets this run was asked for (a run
    # executed in process has no repository to ask; the definitions are loaded by then).
    from orchestration.defs.definitions import defs

    descriptions = check_descriptions(defs.resolve_asset_graph())
    return {
        "dq_check_results": check_results(context.instance, context.run_id, descriptions),
        "ops_run_failures": read_failures(run_failures_file),
        "ops_packet_deliveries": read_deliveries(packet_deliveries_file),
    }
