"""Admin of the simulation app: scenarios, and the PDCA cycles that put a change to the test."""

from apps.simulation.admin import cycles, scenarios  # noqa: F401  registers the admin classes
