from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "recouvre.disputes"
    label = "disputes"
    verbose_name = "Disputes"
