"""`ppa bench`: ingestion against its floor and its pandas peer, the full and incremental
runs by stage, freshness under `ppa serve`, dashboard queries and peak memory, in one run
on one generated landing zone (docs/benchmarks.md); and `ppa validate-outcomes`, the outcome
estimator against the generator's truth over many generated data sets."""
