"""Template tags of the simulation app."""
