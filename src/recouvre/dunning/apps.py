from django.apps import AppConfig


class DunningConfig(AppConfig):
    name = "recouvre.dunning"
    label = "dunning"
    verbose_name = "Dunning"
