"""The ceiling: a bare Django+DRF app writing and reading one table, for the API benchmark."""
