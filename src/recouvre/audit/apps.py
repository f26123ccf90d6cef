from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "recouvre.audit"
    label = "audit"
    verbose_name = "Audit"
