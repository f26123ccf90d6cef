from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    IMPORT = "import"


class Channel(models.TextChoices):
    WEB = "web"
    API = "api"
    CLI = "cli"
    SYSTEM = "system"
