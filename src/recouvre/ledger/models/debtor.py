from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recouvre.common.models import OrganisationScopedModel
from recouvre.ledger.enums import ContactKind, DebtorType, Language, Origin, Segment


class Debtor(OrganisationScopedModel):
    """A customer account in the creditor's books (`ref`, e.g. 411DUPONT). Accounts sharing a SIREN
    are one company for contact caps and exposure; they stay separate accounts, as in the books."""

    ref = models.CharField(_("compte client"), max_length=64)
    name = models.CharField(_("raison sociale"), max_length=200)
    debtor_type = models.CharField(max_length=6, choices=DebtorType.choices, default=DebtorType.B2B)
    segment = models.CharField(max_length=3, choices=Segment.choices, blank=True, default="")
    siren = models.CharField(max_length=9, blank=True, default="")
    vat_number = models.CharField(max_length=20, blank=True, default="")
    address = models.TextField(blank=True, default="")
    postcode = models.CharField(max_length=10, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    country = models.CharField(max_length=2, default="FR")
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.FR)
    do_not_contact = models.BooleanField(default=False)
    # Opening of insolvency proceedings (sauvegarde, redressement, liquidation): no reminder may go
    # out, the claim is declared to the administrator instead.
    insolvency_since = models.DateField(null=True, blank=True)
    # A contractual late-payment rate (percent per year) agreed with this debtor: overrides the
    # organisation's, an invoice's own rate overrides it; the 3x floor applies (french-law.md).
    contractual_rate = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    # The collector who works this account (worklist, portfolio filter); agencies share portfolios.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when personal data was anonymised (GDPR): amounts and dates stay, identities are gone.
    redacted_at = models.DateTimeField(null=True, blank=True)
    # Signed into every portal link: raising it revokes every link sent so far (selfservice.domain.links).
    portal_key = models.PositiveIntegerField(default=1, db_default=1)
    # The account the debtor pays from (refunds, a direct-debit mandate): changed by the debtor on the
    # portal only after a one-time code, since a changed account is how payment fraud starts.
    iban = models.CharField(max_length=34, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "ref"], name="debtor_ref_unique")]
        indexes = [
            models.Index(fields=["organisation", "name"], name="debtor_org_name"),
            # Accounts sharing a SIREN are one company for contact caps and exposure.
            models.Index(fields=["organisation", "siren"], name="debtor_org_siren"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ref})"


class Contact(OrganisationScopedModel):
    """One way to reach a debtor. A row per address or number so that a bounce or a wrong number
    disables that one and the dunning engine falls back to the next."""

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=5, choices=ContactKind.choices)
    value = models.CharField(max_length=254)
    name = models.CharField(max_length=200, blank=True, default="")
    is_mobile = models.BooleanField(default=False)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    invalid_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["debtor", "kind", "value"], name="contact_unique")]

    def __str__(self) -> str:
        return self.value
