"""The append-only history of each debtor: every event, with who did it and when. Sits below the
ledger (its foreign keys name ledger models by string, never by import) so that every domain service
can record what it did."""
