"""Rate tables shipped with the product (facts: see rates.csv and its provenance columns)."""
