"""Back-office pages: the disputes (issue 6). The list shows the open ones by age, with the amount
they hold up, filtered and sorted; a dispute's page is where it is worked: who is in charge (a
manager assigns anyone, an agent takes it), internal notes, documents, the answer date, closing with
an outcome (a manager, through the same service as the invoice page and the CLI), and its history.

Attachments are only ever served by `dispute_attachment`, inside the organisation's scope: there is
no static URL to a file. Each module lists its own routes in `urls`, which backoffice/urls.py
includes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from recouvre.backoffice.portfolio_filters import agent_choices
from recouvre.backoffice.views.access import (
    AGENT,
    MANAGER,
    audit_look,
    forbidden,
    membership_required,
    paris_today,
    rights,
    role_required,
)
from recouvre.backoffice.views.debtor_forms import DisputeCloseForm
from recouvre.disputes.domain.ageing import BANDS, answer_late, band_of, bands_total, dispute_age
from recouvre.disputes.domain.services import DisputeError, dispute_close
from recouvre.disputes.domain.sniffing import MAX_BYTES
from recouvre.disputes.domain.workflow import (
    NOTE_MAX,
    attachment_path,
    dispute_assign,
    dispute_attachment_add,
    dispute_note_add,
)
from recouvre.disputes.enums import DisputeReason, DisputeSource, DisputeStatus
from recouvre.disputes.models import Dispute, DisputeAttachment
from recouvre.timeline.models import Event

PER_PAGE = 100
HISTORY_LIMIT = 100
NOBODY = "none"
BAND_LABELS = {
    "0-7": gettext_lazy("0 à 7 jours"),
    "8-15": gettext_lazy("8 à 15 jours"),
    "16-30": gettext_lazy("16 à 30 jours"),
    "31+": gettext_lazy("Plus de 30 jours"),
}
# Ascending = smallest first, as on the portfolio: "-age" puts the oldest disputes first.
SORTS = {
    "age": ("-opened_on", "-id"),
    "-age": ("opened_on", "id"),
    "amount": ("invoice__open_amount", "opened_on", "id"),
    "-amount": ("-invoice__open_amount", "opened_on", "id"),
}
DEFAULT_SORT = "-age"


class DisputeFilterForm(forms.Form):
    owner = forms.ChoiceField(label=gettext_lazy("Responsable"), required=False)
    reason = forms.ChoiceField(
        label=gettext_lazy("Motif"),
        required=False,
        choices=[("", gettext_lazy("Tous")), *DisputeReason.choices],
    )
    late = forms.BooleanField(label=gettext_lazy("Réponse en retard"), required=False)
    age = forms.ChoiceField(
        label=gettext_lazy("Ancienneté"),
        required=False,
        choices=[("", gettext_lazy("Toutes")), *BAND_LABELS.items()],
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Tri"),
        required=False,
        choices=[
            ("-age", gettext_lazy("Les plus anciens d'abord")),
            ("age", gettext_lazy("Les plus récents d'abord")),
            ("-amount", gettext_lazy("Montant décroissant")),
            ("amount", gettext_lazy("Montant croissant")),
        ],
    )

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Tous")), (NOBODY, _("Personne")), *owners]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid filters; a bad value is reported next to its field and left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class AssignForm(forms.Form):
    owner = forms.ChoiceField(label=gettext_lazy("Responsable"), required=False)

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Personne")), *owners]  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Note interne (jamais montrée au débiteur)"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Document (PDF, image, texte ou bureautique, 10 Mo au plus)"))


def _filtered(filters: dict[str, Any], today: Any) -> QuerySet[Dispute]:
    disputes = Dispute.objects.filter(status=DisputeStatus.OPEN)
    owner = filters.get("owner")
    if owner == NOBODY:
        disputes = disputes.filter(owner__isnull=True)
    elif owner:
        disputes = disputes.filter(owner_id=owner)
    if filters.get("reason"):
        disputes = disputes.filter(reason=filters["reason"])
    if filters.get("late"):
        disputes = disputes.filter(answer_due__lt=today)
    return disputes


@require_GET
@membership_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    today = paris_today()
    owners = agent_choices(request.organisation)  # type: ignore[attr-defined]
    form = DisputeFilterForm(request.GET or None, owners=owners)
    filters = form.filters() if request.GET else {}
    disputes = _filtered(filters, today)
    # The bands count every dispute the other filters keep: choosing a band narrows the rows only.
    totals = bands_total(disputes.values_list("opened_on", "invoice__open_amount"), today)
    if filters.get("age"):
        earliest, latest = next(b for b in BANDS if b.key == filters["age"]).opened_between(today)
        disputes = disputes.filter(opened_on__lte=latest)
        if earliest is not None:
            disputes = disputes.filter(opened_on__gte=earliest)
    sort = filters.get("sort") or DEFAULT_SORT
    rows = list(disputes.select_related("invoice", "debtor", "owner").order_by(*SORTS[sort])[: PER_PAGE + 1])
    for dispute in rows:
        dispute.age = dispute_age(dispute.opened_on, today)  # type: ignore[attr-defined]
        dispute.late = answer_late(dispute.answer_due, today)  # type: ignore[attr-defined]
    context = {
        "today": today,
        "form": form,
        "filters": filters,
        "narrowed": any(filters.get(name) for name in ("owner", "reason", "late", "age")),
        "bands": [(band, BAND_LABELS[band.key]) for band in totals],
        "total_count": sum(band.count for band in totals),
        "total_amount": sum((band.amount for band in totals), start=Decimal("0.00")),
        "rows": rows[:PER_PAGE],
        "more": len(rows) > PER_PAGE,
        "sort": sort,
    }
    return render(request, "backoffice/disputes/list.html", context)


def _dispute(pk: int) -> Dispute:
    # Inside the organisation's scope: another organisation's dispute is a plain 404.
    related = ("invoice", "debtor", "owner", "opened_by", "credit_note")
    return get_object_or_404(Dispute.objects.select_related(*related), pk=pk)


def _back(dispute: Dispute, anchor: str) -> HttpResponse:
    return redirect(reverse("backoffice:dispute-detail", args=[dispute.pk]) + f"#{anchor}")


def dispute_page(
    request: HttpRequest, dispute: Dispute, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    today = paris_today()
    owners = agent_choices(request.organisation)  # type: ignore[attr-defined]
    page_forms: dict[str, forms.Form] = {
        "assign": AssignForm(owners=owners, initial={"owner": dispute.owner_id or ""}),
        "note": NoteForm(),
        "attachment": AttachmentForm(),
        "close": DisputeCloseForm(),
    }
    page_forms.update(bound or {})
    age = dispute_age(dispute.opened_on, today)
    is_open = dispute.status == DisputeStatus.OPEN
    events = Event.objects.filter(
        debtor_id=dispute.debtor_id, invoice_id=dispute.invoice_id, data__dispute_id=dispute.pk
    ).select_related("actor", "invoice")[:HISTORY_LIMIT]
    context = {
        "dispute": dispute,
        "invoice": dispute.invoice,
        "debtor": dispute.debtor,
        "today": today,
        "is_open": is_open,
        "age": age,
        "band_label": BAND_LABELS[band_of(age).key],
        "late": is_open and answer_late(dispute.answer_due, today),
        "notes": list(dispute.notes.select_related("author")),
        "attachments": list(dispute.attachments.select_related("uploaded_by")),
        "events": list(events),
        "forms": page_forms,
        "is_mine": dispute.owner_id == request.user.pk,
        "can_manage": rights(request)["can_approve"],
        "max_mb": MAX_BYTES // 2**20,
        **rights(request),
    }
    audit_look(request, object_type="dispute", object_id=dispute.pk, debtor_id=dispute.debtor_id)
    return render(request, "backoffice/disputes/detail.html", context, status=status)


@membership_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return dispute_page(request, _dispute(pk))


@role_required(AGENT)
@require_POST
def dispute_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager puts anyone (or nobody) in charge; an agent may only take it, or give it back."""
    dispute = _dispute(pk)
    owners = agent_choices(request.organisation)  # type: ignore[attr-defined]
    form = AssignForm(request.POST, owners=owners)
    if form.is_valid():
        owner_id = form.cleaned_data["owner"]
        me = str(request.user.pk)
        own_change = owner_id == me or (not owner_id and dispute.owner_id == request.user.pk)
        if not (rights(request)["can_approve"] or own_change):
            return forbidden(request, MANAGER)
        owner = None
        if owner_id:
            owner = request.user if owner_id == me else _user(owner_id)
        try:
            changed = dispute_assign(dispute=dispute, owner=owner, actor=request.user)
        except DisputeError as exc:
            form.add_error("owner", str(exc))
        else:
            if changed:
                messages.success(request, _("Responsable du litige mis à jour."))
            return _back(dispute, "owner-title")
    return dispute_page(request, dispute, {"assign": form}, status=400)


def _user(pk: str) -> Any:
    return get_object_or_404(get_user_model(), pk=pk)


@role_required(AGENT)
@require_POST
def dispute_note(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            dispute_note_add(dispute=dispute, text=form.cleaned_data["text"], actor=request.user)
        except DisputeError as exc:
            form.add_error("text", str(exc))
        else:
            messages.success(request, _("Note ajoutée."))
            return _back(dispute, "notes-title")
    return dispute_page(request, dispute, {"note": form}, status=400)


@role_required(AGENT)
@require_POST
def dispute_attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            dispute_attachment_add(
                organisation=request.organisation,  # type: ignore[attr-defined]
                dispute=dispute,
                uploaded=form.cleaned_data["file"],
                actor=request.user,
                source=DisputeSource.BACK_OFFICE,
            )
        except DisputeError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("Document ajouté."))
            return _back(dispute, "attachments-title")
    return dispute_page(request, dispute, {"attachment": form}, status=400)


@require_GET
@membership_required
def dispute_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    # The scope makes another organisation's document a 404, whatever its number.
    attachment = get_object_or_404(
        DisputeAttachment.objects.select_related("dispute"), pk=attachment_pk, dispute_id=pk
    )
    path = attachment_path(attachment)
    if not path.is_file():
        raise Http404
    audit_look(
        request,
        object_type="dispute_attachment",
        object_id=attachment.pk,
        debtor_id=attachment.dispute.debtor_id,
    )
    # Always a download, with the type its bytes showed: a browser never renders it in our pages.
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@role_required(MANAGER)
@require_POST
def dispute_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(pk)
    if dispute.status != DisputeStatus.OPEN:
        # A second click, or another person closed it: the invoice's next dispute is not this one.
        messages.info(request, _("Ce litige est déjà clos."))
        return _back(dispute, "outcome-title")
    form = DisputeCloseForm(request.POST)
    if form.is_valid():
        try:
            dispute_close(
                organisation=request.organisation,  # type: ignore[attr-defined]
                invoice=dispute.invoice,
                outcome=form.cleaned_data["outcome"],
                on=paris_today(),
                actor=request.user,
                amount=form.cleaned_data["amount"],
            )
        except DisputeError as exc:
            form.add_error("amount" if "amount" in str(exc) else None, str(exc))
        else:
            messages.success(request, _("Litige clos."))
            return _back(dispute, "outcome-title")
    return dispute_page(request, dispute, {"close": form}, status=400)


urls: list[URLPattern] = [
    path("disputes/", dispute_list, name="dispute-list"),
    path("disputes/<int:pk>/", dispute_detail, name="dispute-detail"),
    path("disputes/<int:pk>/assign/", dispute_assign_view, name="dispute-assign"),
    path("disputes/<int:pk>/notes/", dispute_note, name="dispute-note"),
    path("disputes/<int:pk>/attachments/", dispute_attachment_upload, name="dispute-attachment-add"),
    path(
        "disputes/<int:pk>/attachments/<int:attachment_pk>/",
        dispute_attachment,
        name="dispute-attachment",
    ),
    path("disputes/<int:pk>/close/", dispute_close_view, name="dispute-close"),
]
