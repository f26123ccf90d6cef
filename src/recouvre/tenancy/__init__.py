"""Creditor organisations, users, their roles per organisation, and API tokens."""
