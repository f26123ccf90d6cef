from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrateur")
    MANAGER = "manager", _("Responsable crédit")
    AGENT = "agent", _("Chargé de recouvrement")
    VIEWER = "viewer", _("Lecteur")


# What each role may do, from most to least powerful; a role includes the rights of those below it.
ROLE_RANK = {Role.VIEWER: 0, Role.AGENT: 1, Role.MANAGER: 2, Role.ADMIN: 3}
