"""The event log: the append-only `quality_event` table, its one writer, and its replay check."""
