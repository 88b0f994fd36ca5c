"""Outcome evaluation (Chambers et al. 2019 design): propensity-score matching, covariate
balance and paired outcome comparison (validated against generated truth by
orchestration.bench.validation).

Pure functions over polars frames (numpy, scikit-learn, scipy); no Dagster here.
"""
