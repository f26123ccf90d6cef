"""The demo portfolio: a generated French B2B ledger written through the canonical CSV import."""
