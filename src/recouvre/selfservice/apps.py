from django.apps import AppConfig


class SelfserviceConfig(AppConfig):
    """The debtor's own access: signed portal links (their expiry and revocation), the log of each use,
    the references a debtor pays with."""

    name = "recouvre.selfservice"
    label = "selfservice"
    verbose_name = "Self-service"
