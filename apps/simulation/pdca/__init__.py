"""PDCA cycles: plan a target, record the change, check every indicator, decide."""
