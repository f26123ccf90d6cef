"""French law computed: limitation dates now; penalties, formal notices and compliance checks come
with their issue. Pure functions over the facts of a claim, `today` passed in."""
