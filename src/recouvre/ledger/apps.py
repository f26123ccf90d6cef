from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "recouvre.ledger"
    label = "ledger"
    verbose_name = "Ledger"
