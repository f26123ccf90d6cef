from django.db import models
from django.utils.translation import gettext_lazy as _


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("En cours")
    KEPT = "kept", _("Tenue")
    BROKEN = "broken", _("Non tenue")
    CANCELLED = "cancelled", _("Annulée")
