"""Shared test fixtures and helpers, loaded for every test by tests/conftest.py."""
