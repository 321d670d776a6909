"""Tests of the what-if simulation."""
