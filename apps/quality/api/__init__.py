"""The quality API: control charts, alerts, feedback analysis and the scorecard (staff only)."""
