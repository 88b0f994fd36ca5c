"""What the forkserver of warm runs (orchestration/runner/warm_runs.py) loads before it forks
the first run: the platform's modules and its definitions, with the repository Dagster
builds from them (cached on the definitions, so every run forked from here has it)."""

from orchestration.defs.definitions import defs

defs.get_repository_def()
