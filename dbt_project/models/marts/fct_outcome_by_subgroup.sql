-- Computed in Python (orchestration/outcomes/subgroups.py: matching within each group, the
-- paired intervals and tests, Cochran's Q); declared, tested and published here.
select grouping, "group", outcome, participant_n, participant_value, comparison_n,
       comparison_value, difference, ci_low, ci_high, p_value, unit, heterogeneity_p_value
from {{ source('outcomes', 'outcome_by_subgroup') }}
