from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "recouvre.cli"
    label = "cli"
    verbose_name = "Command line"
