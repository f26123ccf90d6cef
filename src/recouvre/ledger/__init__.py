"""The receivables ledger: debtors and their contacts, invoices and credit notes, payments and their
allocation to invoices (lettrage), holds. Pure rules (ageing, allocation) live in ledger.domain."""
