"""Who saw or changed what, when and from where: the access log that GDPR asks for (kept 6 to 12
months), separate from the business timeline that users read."""
