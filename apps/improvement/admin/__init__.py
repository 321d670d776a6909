"""Admin of continuous improvement: problem records, forecasts, ETA models, the staffing page."""

from apps.improvement.admin import forecasts, problems, staffing  # noqa: F401  imported to register their ModelAdmins
