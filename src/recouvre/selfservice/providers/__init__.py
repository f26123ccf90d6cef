"""Payment providers the portal can send a debtor to (card, SEPA direct debit): what the product
needs from one (`base`), Mollie's Payments API (`mollie`), and which one an organisation uses
(`registry`). Pure: no Django, no database."""
