-- Activity summary per state fiscal year: statewide, per service area and per site.
{{ activity_summary(['sfy']) }}
