"""What the published file holds: the tables the dashboards' pages read, nothing more.

The warehouse's `marts` schema holds more than any page shows: record-level rows of
children (`fct_child_episode_outcome`, the comparison pool's children among them, who
were never in the program) feed the outcome comparison and stay in the warehouse. The
publish step copies only the marts named here, and refuses a table of its own that is
not named here. A page that starts reading a table names it here;
tests/test_publish.py holds this list to the tables the dashboards' SQL names.
"""

from __future__ import annotations

# Marts the pages read, copied from the warehouse.
PUBLISHED_MARTS = frozenset({
    "agg_activity_month", "agg_exit_sfy", "agg_outcome_sample_flow",
    "dim_column_label", "dim_month", "dim_parent_partner", "dim_program_parameter", "dim_site",
    "dq_ingested_files", "dq_rejected_rows", "dq_unrecognised_files",
    "fct_cfsr_indicator", "fct_contract_sfy", "fct_exit", "fct_family_month",
    "fct_invoice_check", "fct_matching_balance", "fct_outcome_comparison",
    "fct_outcome_naive_comparison", "fct_outcome_study_status", "fct_overdue_form",
    "fct_performance_measure",
    "fct_performance_measure_ytd", "fct_pp_month", "fct_pp_training", "fct_pp_training_topic",
    "fct_outcome_by_subgroup", "fct_time_to_reunification",
    "fct_reach_by_group", "agg_match_cohort", "fct_site_scorecard",
})
# Tables the publish step writes itself: the run's record, provenance and definitions.
PUBLISH_STEP_TABLES = frozenset({
    "dq_check_results", "ops_run_failures", "ops_packet_deliveries", "meta_refresh",
    "meta_metric_definitions",
})
PUBLISHED_TABLES = PUBLISHED_MARTS | PUBLISH_STEP_TABLES
