from django.apps import AppConfig


class ArrangementsConfig(AppConfig):
    """What a debtor agrees to: promises to pay (and, later, payment plans)."""

    name = "recouvre.arrangements"
    label = "arrangements"
    verbose_name = "Arrangements"
