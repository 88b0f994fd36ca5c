"""Publish: copy the `marts` schema into a fresh DuckDB file and swap it into place.

The warehouse may be DuckDB or PostgreSQL; the published copy is always a DuckDB file,
readable by its owner and group only. It holds the marts the pages read
(orchestration/storage/published_tables.py), not every mart: record-level rows of
children no page shows stay in the warehouse.

Dashboards read only the published file, so they keep serving while a run writes
the warehouse and never see a half-written state: the new file is complete before
`os.replace` makes it visible, atomically.
"""

import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb as duckdb_lib
import polars as pl
from dagster_duckdb import DuckDBResource

from orchestration.config import REPO_ROOT
from orchestration.defs.assets.dbt import dbt_project
from orchestration.defs.assets.operations_tables import operations_tables
from orchestration.defs.jobs import run_as_of
from orchestration.defs.resources import PlatformSettings
from orchestration.ingest.schemas import is_personal_data
from orchestration.storage.postgres import is_postgres
from orchestration.storage.published_tables import PUBLISH_STEP_TABLES, PUBLISHED_MARTS
from orchestration.storage.warehouse import latest_snapshot

PUBLISHED_MODE = 0o640


class PublishError(RuntimeError):
    pass


def metric_definitions(manifest: dict) -> list[tuple[str, str | None, str, str]]:
    """(model, column or None, description, meta as JSON) for every `marts` model of the dbt
    manifest: the methodology page renders these, so the dashboards never read dbt itself."""
    rows = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["schema"] != "marts":
            continue
        rows.append((node["name"], None, node["description"], json.dumps(node["meta"])))
        rows.extend(
            (node["name"], column["name"], column["description"], json.dumps(column["meta"]))
            for column in node["columns"].values()
        )
    return sorted(rows, key=lambda row: (row[0], row[1] or ""))


PACKAGE = "parent-partner-analytics"


def code_version(repo: Path = REPO_ROOT) -> dict[str, object]:
    """The code that produces the data: the package version, and when it runs from a git
    checkout the commit and whether tracked files had uncommitted changes (then the commit
    alone does not say what ran)."""
    try:
        package_version = importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        package_version = None

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                                  text=True, timeout=20, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {
        "package_version": package_version,
        "code_commit": commit,
        "code_modified": None if status is None else bool(status),
    }


def publish_marts(
    warehouse_con, target: Path, as_of: dt.date, run_id: str, definitions: list[tuple] = (),
    extra_tables: dict | None = None, provenance: dict | None = None,
) -> dict[str, int]:
    """Write the `marts` tables of the warehouse that pages read, and `extra_tables` (name ->
    polars frame: the run's operational record, which is not the warehouse's), into
    `target` (mode PUBLISHED_MODE), atomically;
    return row counts. `definitions` (from `metric_definitions`) become
    marts.meta_metric_definitions. marts.meta_refresh holds the as-of date, the publish
    time, the run and `provenance` (what `code_version` gives, the run's start and job,
    the dbt version): the methodology page says which code and run made the figures."""
    provenance = provenance or {}
    tables = [
        r[0]
        for r in warehouse_con.sql(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name"
        ).fetchall()
        if r[0] in PUBLISHED_MARTS
    ]
    unlisted = sorted(set(extra_tables or {}) - PUBLISH_STEP_TABLES)
    if unlisted:
        raise PublishError(f"refusing to publish tables no page reads: {', '.join(unlisted)} "
                           "(orchestration/storage/published_tables.py lists what pages read)")
    leaked = warehouse_con.sql(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts'"
    ).fetchall()
    # Names, birth dates and free text never leave the raw layer (ingest/schemas.py).
    leaked = [f"{t}.{c}" for t, c in leaked if is_personal_data(c)]
    if leaked:
        raise PublishError(f"refusing to publish personal data columns: {', '.join(leaked)}")

    counts: dict[str, int] = {}
    with private_copy(target, PUBLISHED_MODE) as staging:
        if is_postgres(warehouse_con):
            # A PostgreSQL warehouse: each mart is read into a frame and written to a new
            # DuckDB file, since the dashboards read DuckDB.
            with duckdb_lib.connect(str(staging)) as out:
                out.execute("create schema marts")
                for table in tables:
                    frame = warehouse_con.sql(f'select * from marts."{table}"').pl()
                    _create_from_frame(out, f'marts."{table}"', frame)
                    counts[table] = frame.height
                _write_extras(
                    out, "", as_of, run_id, definitions, extra_tables, counts, provenance
                )
        else:
            # A path is text in ATTACH (no parameter there): quotes in it are doubled.
            quoted = str(staging).replace("'", "''")
            warehouse_con.execute(f"attach '{quoted}' as published_copy")
            try:
                warehouse_con.execute("create schema published_copy.marts")
                for table in tables:
                    warehouse_con.execute(
                        f'create table published_copy.marts."{table}" as '
                        f'select * from marts."{table}"'
                    )
                    counts[table] = warehouse_con.sql(
                        f'select count(*) from published_copy.marts."{table}"'
                    ).fetchall()[0][0]
                _write_extras(
                    warehouse_con, "published_copy.", as_of, run_id, definitions, extra_tables,
                    counts, provenance,
                )
            finally:
                warehouse_con.execute("detach published_copy")
    return counts


STAFF_TABLE = "staff.parent_partner"


def staff_directory(warehouse_con) -> pl.DataFrame:
    """Each Parent Partner of the roster's newest extract (the row staging reads): pp_id,
    site_id and display_name, "First Last" trimmed, null when both are empty. Names are
    read here only, for the staff directory; families are not in the roster."""
    roster = latest_snapshot(warehouse_con, "parent_partners",
                             ["pp_id", "site_id", "first_name", "last_name"])
    name = pl.concat_str(pl.col("first_name").str.strip_chars(),
                         pl.col("last_name").str.strip_chars(),
                         separator=" ", ignore_nulls=True).str.strip_chars()
    return roster.select(
        "pp_id", "site_id",
        display_name=pl.when(name != "").then(name),
    ).sort("pp_id")


def publish_staff_directory(warehouse_con, target: Path) -> int:
    """Write the Parent Partners' names (STAFF_TABLE: `staff_directory`) into `target`
    (mode PUBLISHED_MODE), atomically; return its rows. The coordinators' pages show a name
    beside each id from it; the published marts and leadership's file hold none."""
    frame = staff_directory(warehouse_con)
    with private_copy(target, PUBLISHED_MODE) as staging, \
            duckdb_lib.connect(str(staging)) as out:
        out.execute("create schema staff")
        _create_from_frame(out, STAFF_TABLE, frame)
    return frame.height


@contextlib.contextmanager
def private_copy(target: Path, mode: int) -> Iterator[Path]:
    """A path to write a new `target` at; when the block ends without an error, the file
    written there is given `mode` and replaces `target` atomically (flushed to disk).

    The copy is written in a folder only its owner can enter: DuckDB creates the file and
    its write-ahead log world-readable, before the copy is narrowed to its mode. A copy
    left by a publisher that died is removed first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_copies(target)
    workspace = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    _remove(workspace)
    workspace.mkdir(mode=0o700)
    staging = workspace / target.name
    try:
        yield staging
        os.chmod(staging, mode)
        sync(staging)
        os.replace(staging, target)
        sync(target.parent)  # the swap itself survives a power cut
    finally:
        _remove(workspace)


def _remove(path: Path) -> None:
    """Remove a publisher's copy: its folder, or the file earlier versions wrote."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _create_from_frame(con, table: str, frame) -> None:
    con.register("frame_to_publish", frame.to_arrow())
    try:
        con.execute(f"create table {table} as select * from frame_to_publish")
    finally:
        con.unregister("frame_to_publish")


def _write_extras(
    con, prefix, as_of, run_id, definitions, extra_tables, counts, provenance
) -> None:
    """The tables beside the marts, into `{prefix}marts` of the DuckDB connection `con`."""
    for table, frame in (extra_tables or {}).items():
        _create_from_frame(con, f'{prefix}marts."{table}"', frame)
        counts[table] = frame.height
    con.execute(
        f"create table {prefix}marts.meta_refresh as select "
        "cast(? as date) as as_of_date, cast(? as timestamp) as refreshed_at, "
        "cast(? as varchar) as run_id, cast(? as timestamp) as run_started_at, "
        "cast(? as varchar) as job_name, cast(? as varchar) as code_commit, "
        "cast(? as boolean) as code_modified, cast(? as varchar) as package_version, "
        "cast(? as varchar) as dbt_version",
        [as_of, dt.datetime.now().replace(microsecond=0), run_id,
         provenance.get("run_started_at"), provenance.get("job_name"),
         provenance.get("code_commit"), provenance.get("code_modified"),
         provenance.get("package_version"), provenance.get("dbt_version")],
    )
    if definitions:
        con.execute(
            f"create table {prefix}marts.meta_metric_definitions (model varchar, "
            "column_name varchar, description varchar, meta varchar)"
        )
        con.executemany(
            f"insert into {prefix}marts.meta_metric_definitions values (?, ?, ?, ?)",
            list(definitions),
        )


def _run_provenance(context: dg.AssetExecutionContext) -> dict[str, object]:
    """When the publishing run started and which job it is (the run id is published beside)."""
    record = context.instance.get_run_record_by_id(context.run_id)
    started = record.start_time if record is not None else None
    return {
        "run_started_at": (dt.datetime.fromtimestamp(started).replace(microsecond=0)
                           if started else None),
        "job_name": context.run.job_name,
    }


def sync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_dead_copies(target: Path) -> None:
    """Remove half-written copies (`.<name>.<pid>.tmp`) of publishers that died mid-copy;
    a live publisher's copy is left alone."""
    for copy in target.parent.glob(f".{target.name}.*.tmp"):
        pid = copy.name[len(target.name) + 2:-len(".tmp")]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            _remove(copy)
        except PermissionError:  # alive, another user's
            pass


def read_meta_refresh(published: Path) -> tuple:
    with duckdb_lib.connect(str(published), read_only=True) as con:
        return con.sql("select as_of_date, refreshed_at from marts.meta_refresh").fetchall()[0]


def publish_asset(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["published", "marts"]),
        group_name="publish",
        deps=deps,
        pool="warehouse",
        kinds={"duckdb"},
        description=(
            "The published copy the dashboards read (PPA_PUBLISHED): the `marts` schema only, "
            "with marts.meta_refresh holding the as-of date, the refresh time, the run and "
            "the code version that produced it; beside it the staff directory "
            "(PPA_STAFF_DIRECTORY), the Parent Partners' names the coordinators' pages show."
        ),
    )
    def published_marts(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: PlatformSettings
    ):
        target = Path(settings.published)
        manifest = json.loads(dbt_project.manifest_path.read_text())
        with duckdb.get_connection() as con:
            counts = publish_marts(
                con, target, run_as_of(context), context.run_id,
                metric_definitions(manifest),
                extra_tables=operations_tables(
                    context, Path(settings.run_failures_file),
                    Path(settings.packet_deliveries_file)),
                provenance={**code_version(), **_run_provenance(context),
                            "dbt_version": manifest.get("metadata", {}).get("dbt_version")},
            )
            staff = publish_staff_directory(con, Path(settings.staff_directory))
        return dg.MaterializeResult(
            metadata={
                "path": str(target),
                "staff_directory": str(settings.staff_directory),
                "rows.staff.parent_partner": staff,
                "tables": len(counts),
                **{f"rows.{t}": n for t, n in counts.items()},
            }
        )

    return published_marts
