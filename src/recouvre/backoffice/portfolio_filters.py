"""The portfolio's filters: one Django form over the query string (a shareable URL), turned into
conditions on the debtors. The same form serves the page, the HTMX table, the exports and the bulk
actions' "every debtor of this view". Run inside an organisation scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from recouvre.arrangements.domain.queries import promises_broken_recently
from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise
from recouvre.disputes.enums import DisputeStatus
from recouvre.disputes.models import Dispute
from recouvre.dunning.enums import ActionStatus, CaseStatus
from recouvre.dunning.models import Action, ScenarioStep
from recouvre.ledger.enums import DebtorType, DocumentType, InvoiceStatus, Segment
from recouvre.ledger.models import Debtor, Hold, Invoice
from recouvre.ledger.models.balance import DebtorBalance

# Overdue buckets on the oldest overdue invoice: (fewest, most) days late; not_due = nothing overdue.
BUCKET_DAYS: dict[str, tuple[int, int | None]] = {
    "1-30": (1, 30),
    "31-60": (31, 60),
    "61-90": (61, 90),
    "91+": (91, None),
}
BUCKET_CHOICES = [
    ("", _("Tous")),
    ("not_due", _("Non échu")),
    ("1-30", _("1 à 30 jours")),
    ("31-60", _("31 à 60 jours")),
    ("61-90", _("61 à 90 jours")),
    ("91+", _("Plus de 90 jours")),
]
# Payment plans (issue 6) do not exist yet: no option for them rather than one that finds nothing.
HAS_CHOICES = [
    ("", _("Tous")),
    ("dispute", _("Un litige ouvert")),
    ("promise", _("Une promesse en cours")),
    ("broken_promise", _("Une promesse non tenue (30 jours)")),
]
PAUSED_CHOICES = [("", _("Tous")), ("yes", _("Suspendues")), ("no", _("Actives"))]
# The payer profile of dunning.md until the risk scoring comes; "unknown" = fewer than 5 settled invoices.
RISK_CHOICES = [
    ("", _("Tous")),
    ("good", _("Bon payeur")),
    ("standard", _("Payeur moyen")),
    ("late", _("Retardataire habituel")),
    ("unknown", _("Historique insuffisant")),
]
# Steps done: the message left (or the task was completed); a planned step is not yet the current one.
DONE_STATUSES = (ActionStatus.DISPATCHED, ActionStatus.DONE)
NO_AGENT = "none"


def _with_any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Tous")), *choices]


class DescribedErrorsForm(forms.Form):
    """Points each field in error at its message (backoffice/portfolio/_field.html renders it)."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class PortfolioFilterForm(DescribedErrorsForm):
    q = forms.CharField(required=False, max_length=200, label=_("Rechercher"))
    segment = forms.ChoiceField(required=False, choices=_with_any(Segment.choices), label=_("Segment"))
    type = forms.ChoiceField(required=False, choices=_with_any(DebtorType.choices), label=_("Type"))
    step = forms.ChoiceField(required=False, label=_("Étape"))
    agent = forms.ChoiceField(required=False, label=_("Chargé de recouvrement"))
    bucket = forms.ChoiceField(required=False, choices=BUCKET_CHOICES, label=_("Retard"))
    has = forms.ChoiceField(required=False, choices=HAS_CHOICES, label=_("Dossier avec"))
    paused = forms.ChoiceField(required=False, choices=PAUSED_CHOICES, label=_("Relances"))
    risk = forms.ChoiceField(required=False, choices=RISK_CHOICES, label=_("Profil de paiement"))

    def __init__(self, data: Any, *, organisation: Any, agents: list[tuple[str, str]] | None = None) -> None:
        super().__init__(data)
        steps = (
            ScenarioStep.objects.filter(organisation=organisation)
            .order_by("day", "code")
            .values_list("code", flat=True)
        )
        codes = list(dict.fromkeys(steps))
        self.fields["step"].choices = _with_any((code, code.replace("_", " ")) for code in codes)
        self.fields["agent"].choices = [
            ("", _("Tous")),
            (NO_AGENT, _("Personne")),
            *(agent_choices(organisation) if agents is None else agents),
        ]

    def filters(self) -> dict[str, str]:
        """The valid filters; a bad value is reported next to its field and left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


def agent_choices(organisation: Any) -> list[tuple[str, str]]:
    users = (
        get_user_model()
        .objects.filter(
            memberships__organisation=organisation,
            memberships__role__in=("agent", "manager", "admin"),
            is_active=True,
        )
        .order_by("full_name", "email")
    )
    return [(str(user.pk), user.full_name or user.email) for user in users]


def _current_step_is(code: str) -> Q:
    # The step of an open case is its last step done; a semi-join on the actions of that step with
    # no later done action in the same case (a correlated "latest" per case cost 2 s at 180,000 cases).
    done = Action.objects.filter(case__status=CaseStatus.OPEN, status__in=DONE_STATUSES)
    later = done.filter(case=OuterRef("case")).filter(
        Q(scheduled_for__gt=OuterRef("scheduled_for"))
        | Q(scheduled_for=OuterRef("scheduled_for"), id__gt=OuterRef("id"))
    )
    current = done.filter(step=code).exclude(Exists(later))
    return Q(id__in=current.values("debtor_id"))


def _paused(today: date) -> Q:
    # debtor_pause_states as a condition: every open invoice of the debtor held today.
    active = {"released_on__isnull": True, "starts_on__lte": today, "ends_on__gte": today}
    held = Hold.objects.filter(invoice__debtor=OuterRef("pk"), **active)
    unheld_open = Invoice.objects.filter(
        debtor=OuterRef("pk"),
        document_type=DocumentType.INVOICE,
        status=InvoiceStatus.OPEN,
        open_amount__gt=0,
    ).exclude(Exists(Hold.objects.filter(invoice=OuterRef("pk"), **active)))
    return Q(Exists(held)) & ~Q(Exists(unheld_open))


def apply_filters(debtors: QuerySet[Debtor], filters: dict[str, str], today: date) -> QuerySet[Debtor]:
    """`debtors` joined to their balances (`balance__...`), narrowed by the valid filters."""
    conditions = Q()
    if "segment" in filters:
        conditions &= Q(segment=filters["segment"])
    if "type" in filters:
        conditions &= Q(debtor_type=filters["type"])
    if "risk" in filters:
        # Written each morning into the read model (dunning.domain.profiles); the view makes sure of it.
        conditions &= Q(balance__payer_profile="" if filters["risk"] == "unknown" else filters["risk"])
    if "agent" in filters:
        agent = filters["agent"]
        conditions &= Q(agent__isnull=True) if agent == NO_AGENT else Q(agent_id=int(agent))
    bucket = filters.get("bucket")
    if bucket:
        # On the read model's own (organisation, oldest_due) index, then joined by debtor id.
        balances = DebtorBalance.objects.all()
        if bucket == "not_due":
            balances = balances.filter(oldest_due__isnull=True, open_balance__gt=0)
        else:
            fewest, most = BUCKET_DAYS[bucket]
            balances = balances.filter(oldest_due__lte=today - timedelta(days=fewest))
            if most is not None:
                balances = balances.filter(oldest_due__gte=today - timedelta(days=most))
        conditions &= Q(id__in=balances.values("debtor_id"))
    has = filters.get("has")
    if has == "dispute":
        conditions &= Q(id__in=Dispute.objects.filter(status=DisputeStatus.OPEN).values("debtor_id"))
    elif has == "promise":
        conditions &= Q(id__in=Promise.objects.filter(status=PromiseStatus.OPEN).values("debtor_id"))
    elif has == "broken_promise":
        conditions &= Q(id__in=promises_broken_recently(today).values("debtor_id"))
    if "step" in filters:
        conditions &= _current_step_is(filters["step"])
    if filters.get("paused") == "yes":
        conditions &= _paused(today)
    elif filters.get("paused") == "no":
        conditions &= ~_paused(today)
    return debtors.filter(conditions)
