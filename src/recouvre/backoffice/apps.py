from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "recouvre.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
