from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The debtor's portal: what is owed and how to settle it, opened by the signed link of a message."""

    name = "recouvre.portal"
    label = "portal"
    verbose_name = "Portal"
