-- Estimated in Python (orchestration/outcomes/survival.py, lifelines' Kaplan-Meier) over
-- intermediate.int_reunification_spells; declared, tested and published here.
select arm, origin, day, survival, ci_low, ci_high, at_risk
from {{ source('outcomes', 'time_to_reunification') }}
