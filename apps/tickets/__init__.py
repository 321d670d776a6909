"""Service requests: the state machine, the one door for every change, messages, categories."""
