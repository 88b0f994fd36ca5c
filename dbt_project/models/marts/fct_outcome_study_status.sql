-- Judged in Python (orchestration/outcomes/study_status.py); declared, tested and published here.
select status, reason, participants, matched_pairs, unbalanced_covariates
from {{ source('outcomes', 'outcome_study_status') }}
