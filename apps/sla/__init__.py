"""SLA engine: business calendars, policies, clocks, the sweep and escalation."""
