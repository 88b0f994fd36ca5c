"""A Dagster logger that shows an in-process run as a progress bar on stderr.

Each finished step advances the bar; warnings and errors are printed above it. The
full event log stays in the Dagster instance, where the UI shows it.
"""

import logging
import sys

import dagster as dg
from tqdm import tqdm

STEP_DONE = {"STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"}
RUN_DONE = {"PIPELINE_SUCCESS", "PIPELINE_FAILURE", "PIPELINE_CANCELED"}

# Dagster builds a run's loggers more than once (for the run, then for its steps):
# they share one bar per run.
_bars: dict[str, tqdm] = {}


class ProgressHandler(logging.Handler):
    def __init__(self, run_id: str, total: int | None):
        super().__init__(level=logging.DEBUG)
        self.run_id = run_id
        if run_id not in _bars:
            _bars[run_id] = tqdm(total=total, unit="step", desc="ppa run", dynamic_ncols=True)
        self.bar = _bars[run_id]

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        kind = event.event_type_value if event is not None else None
        if kind in STEP_DONE:
            self.bar.set_postfix_str(event.step_key or "", refresh=False)
            self.bar.update(1)
        if record.levelno >= logging.WARNING:
            message = str(meta.get("orig_message") or record.getMessage())
            line = f"{record.levelname.lower()}: {message.strip().splitlines()[0]}"
            self.bar.write(line, file=sys.stderr)
        if kind in RUN_DONE:
            self.bar.close()
            _bars.pop(self.run_id, None)


@dg.logger(
    config_schema={"steps": dg.Field(int, default_value=0)},
    description="A progress bar of finished steps on stderr; warnings and errors above it.",
)
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    # A private logger, not registered by name: no handlers pile up across runs.
    logger = logging.Logger("ppa_run_progress", level=logging.DEBUG)  # noqa: LOG001
    steps = init_context.logger_config["steps"] or None
    logger.addHandler(ProgressHandler(init_context.run_id or "", steps))
    return logger
