"""The in-process run of `ppa run`: the Dagster home, the dbt manifest, waiting for the
warehouse, interrupts and failed-run records."""

# What a run imports only once it runs, which the forkserver of warm runs imports ahead
# (orchestration/runner/warm_preload.py says why); reading them imports nothing here.
RUN_TIME_MODULES = (
    "dagster._core.instance.factory",
    "dagster._core.secrets.env_file",
    "dagster._core.storage.legacy_storage",
    "dagster._core.storage.migration.utils",
    "dagster._core.storage.sqlite_storage",
    "dagster._daemon",
    "dagster._scheduler.scheduler",
    "upath",
    "dbt.cli.main",
    "dbt.adapters.duckdb.impl",
    "dbt.parser.manifest",
    "dbt.task.build",
    "babel.dates",
    "lifelines",
    "scipy.optimize",
    "scipy.sparse",
    "scipy.stats",
    "sklearn.linear_model",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "orchestration.runner.event_log",
    "orchestration.runner.pipeline",
)
