"""Disputes (litiges) on invoices: opened, closed with an outcome. A disputed invoice leaves the
reminders; the rest of the debtor's invoices go on."""
