"""Process-quality data: the append-only event log and, later, metrics, maps and exports."""
