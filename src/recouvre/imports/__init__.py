"""Getting the creditor's books in: readers for each file format (pure, streaming) and the services
that write their rows into the ledger in one transaction, idempotently."""
