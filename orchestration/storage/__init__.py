"""The warehouse (DuckDB or PostgreSQL) and the run records beside it, read and written
alike by the Dagster assets and by the command line."""
