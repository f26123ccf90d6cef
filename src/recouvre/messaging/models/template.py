from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from recouvre.common.models import OrganisationScopedModel
from recouvre.ledger.enums import Language
from recouvre.messaging.domain.placeholders import template_errors


class MessageTemplate(OrganisationScopedModel):
    """An organisation's own wording of one message (code, variant, language), replacing the packaged
    default (`messaging/defaults/messages.<language>.toml`). Only edited texts have a row, so a better
    default shipped later still reaches every organisation that did not change that text."""

    # Values from messaging.domain.template_defaults (CODES, VARIANTS): checked by `template_save`,
    # not as field choices, so that adding a message code needs no migration.
    code = models.CharField(_("message"), max_length=32)
    variant = models.CharField(_("variante"), max_length=16, default="standard")
    language = models.CharField(_("langue"), max_length=2, choices=Language.choices, default=Language.FR)
    subject = models.CharField(_("objet"), max_length=255, blank=True, default="")
    body = models.TextField(_("texte"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["code", "variant", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code", "variant", "language"], name="message_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}/{self.variant}/{self.language}"

    def clean(self) -> None:
        super().clean()
        errors = {
            field: messages
            for field, messages in (
                ("subject", template_errors(self.subject)),
                ("body", template_errors(self.body)),
            )
            if messages
        }
        if errors:
            raise ValidationError(errors)
