"""What-if simulation: a process model discovered from the event log, run by SimPy."""
