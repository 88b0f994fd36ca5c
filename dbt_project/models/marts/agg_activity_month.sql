-- Activity summary per month: statewide, per service area and per site.
{{ activity_summary(['service_month', 'sfy']) }}
