"""Django glue shared by the domain apps: the organisation-scoped base model. No business rules."""
