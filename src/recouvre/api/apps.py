from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "recouvre.api"
    label = "api"
    verbose_name = "REST API"
