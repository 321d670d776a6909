"""A minimal project around django-helpdesk (installed at bench time into its own venv)."""
