-- Computed in Python (orchestration/outcomes/comparison.py: paired and unpaired
-- intervals and tests); declared, tested and published here.
select outcome, participant_n, participant_value, comparison_n, comparison_value,
       difference, ci_low, ci_high, p_value, unit
from {{ source('outcomes', 'outcome_naive_comparison') }}
