-- Computed in Python (orchestration/outcomes/balance.py); declared, tested and published here.
select covariate, smd_before, smd_after
from {{ source('outcomes', 'matching_balance') }}
