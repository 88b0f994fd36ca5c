"""A kill point inside `ppa run`, for tests/test_crash_safety.py.

Python imports this module as the interpreter starts when this folder is on PYTHONPATH,
which the crash test sets only for the run it kills mid ingest. With HOLD naming a file,
the activity forms' append to raw stops once every batch is inserted and before the
transaction commits: it creates that file and waits there to be killed. The test kills
the run once the file exists, so the kill always lands inside the open transaction; a
kill timed by the step's start alone raced the commit of the demo's small append.

Nothing in the platform knows of this module: it wraps `write_read_results`'s batch
iterator (orchestration/storage/warehouse.py). Should that iterator be renamed, the run
fails here and the test with it.
"""

import os
import time

HOLD = "PPA_TEST_HOLD_ACTIVITY_APPEND"

if os.environ.get(HOLD):
    from pathlib import Path

    from orchestration.storage import warehouse

    _batches = warehouse._one_at_a_time

    def _held(results):
        activity = False
        for batch in _batches(results):
            activity = activity or "activity_rows" in batch.files.get_column("kind")
            yield batch
            del batch
        if activity:
            Path(os.environ[HOLD]).write_text(str(os.getpid()))
            while True:  # until the kill
                time.sleep(60)

    warehouse._one_at_a_time = _held
