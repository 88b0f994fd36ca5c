"""Outcome evaluation (Chambers et al. 2019 design): propensity-score matching, covariate
balance, paired outcome comparison and validation against generated truth.

Pure functions over polars frames (numpy, scikit-learn, scipy); no Dagster here.
"""
