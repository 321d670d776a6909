"""A request's lifecycle vocabulary: its states and their groups, priority by the ITIL matrix."""
