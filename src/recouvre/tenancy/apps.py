from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "recouvre.tenancy"
    label = "tenancy"
    verbose_name = "Organisations and users"
