from django.db import models
from django.utils.translation import gettext_lazy as _

from recouvre.common.models import OrganisationScopedModel


class OnlinePaymentStatus(models.TextChoices):
    """The provider's statuses (Mollie's words): only `paid` brings money."""

    OPEN = "open", _("En attente du paiement")
    PENDING = "pending", _("En cours de traitement")
    AUTHORIZED = "authorized", _("Autorisé")
    PAID = "paid", _("Payé")
    FAILED = "failed", _("Échoué")
    CANCELED = "canceled", _("Annulé")
    EXPIRED = "expired", _("Expiré")


class OnlinePayment(OrganisationScopedModel):
    """A debtor's payment through a provider's hosted checkout (card, SEPA direct debit). The row
    mirrors the provider's status; `payment` is the ledger payment recorded, once, when it is paid."""

    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="online_payments")
    provider = models.CharField(max_length=20)
    provider_id = models.CharField(max_length=80)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(
        max_length=20, choices=OnlinePaymentStatus.choices, default=OnlinePaymentStatus.OPEN
    )
    method = models.CharField(max_length=40, blank=True, default="")
    checkout_url = models.URLField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment = models.OneToOneField(
        "ledger.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="online_payment"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["debtor", "-created_at"], name="onlinepayment_debtor_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_id"], name="onlinepayment_provider_id_unique"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="onlinepayment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_id}"
