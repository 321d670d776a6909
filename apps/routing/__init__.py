"""Routing: rules that send a request to a department, and choosing the agent who takes it."""
