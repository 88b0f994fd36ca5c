"""What the forkserver of warm runs (orchestration/defs/warm_runs.py) loads before it forks
the first run: the platform's modules and its definitions, with the repository Dagster
builds from them (cached on the definitions, so every run forked from here has it).

And the modules a run imports only once it runs, which every forked run would otherwise
import again: Dagster's instance storage (SQLAlchemy and alembic: about 0.6 s), dbt's
runner, adapter, parser and build task, the outcome study's statistics (lifelines,
scikit-learn, SciPy) and `ppa run`'s own runner. Measured on a scale-1 run forked from a
forkserver that had the definitions alone: 0.75 s of imports in the month run, 1.8 s in
the full run; with these, under 0.1 s.

And the dbt project parsed once for them (`parse_ahead`): a run forked from here takes that
parse instead of making its own, while no project file has changed. Nothing here opens a
connection or starts a query: a parse reads the project's files alone.
"""

import importlib

from orchestration.defs.dbt_in_process import parse_ahead
from orchestration.defs.definitions import defs
from orchestration.runner import RUN_TIME_MODULES

defs.get_repository_def()
for _module in RUN_TIME_MODULES:
    importlib.import_module(_module)
parse_ahead(defs.resources["dbt"], defs.resources["settings"].warehouse)
