from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "recouvre.imports"
    label = "imports"
    verbose_name = "Imports"
