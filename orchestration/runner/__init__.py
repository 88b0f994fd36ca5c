"""The in-process run of `ppa run`: the Dagster home, the dbt manifest, waiting for the
warehouse, interrupts and failed-run records."""
