"""The Dagster wiring: assets, checks, jobs, partitions, schedules, sensors and resources,
assembled in `definitions.py`."""
