"""Fixtures and helpers for tests only (registered as a pytest plugin in conftest.py)."""
