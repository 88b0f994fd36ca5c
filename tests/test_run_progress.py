"""The progress logger of `ppa run`: one tick per finished step, warnings shown."""

import dagster as dg

from orchestration.defs.run_progress import progress_logger


def test_every_finished_step_advances_the_bar_and_warnings_are_written(capsys):
    @dg.asset
    def first(context: dg.AssetExecutionContext) -> None:
        context.log.warning("file x.csv: 2 rows rejected")

    @dg.asset(deps=[first])
    def second() -> None:
        pass

    job = dg.Definitions(
        assets=[first, second], loggers={"progress": progress_logger}
    ).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(run_config={"loggers": {"progress": {"config": {"steps": 2}}}})
    assert result.success
    err = capsys.readouterr().err
    assert "warning: file x.csv: 2 rows rejected" in err
    assert "2/2" in err
