"""Small pieces every app shares: actors and roles, domain errors."""
