"""Disputing an invoice from the portal: the reason, a comment and, if the debtor has one, a document.
The invoice leaves every reminder at once (dunning.md); the debtor's other invoices go on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recouvre.disputes.domain.services import DisputeError, dispute_open
from recouvre.disputes.domain.workflow import AttachmentRefused, dispute_attachment_add
from recouvre.disputes.enums import DisputeReason, DisputeSource
from recouvre.ledger.models import Debtor
from recouvre.portal.access import portal_view
from recouvre.portal.context import account_context


class DisputeForm(forms.Form):
    invoice = forms.ChoiceField(label=gettext_lazy("Facture contestée"))
    reason = forms.ChoiceField(label=gettext_lazy("Motif"), choices=DisputeReason.choices)
    comment = forms.CharField(
        label=gettext_lazy("Expliquez-nous"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    document = forms.FileField(
        label=gettext_lazy("Un document à l'appui (facultatif : PDF, image, 10 Mo au plus)"), required=False
    )

    def __init__(self, *args: Any, invoices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoices = {str(i.pk): i for i in invoices}
        self.fields["invoice"].choices = [(str(i.pk), i.number) for i in invoices]


@portal_view("dispute")
def dispute(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    context = account_context(request, debtor, organisation)
    form = DisputeForm(request.POST or None, request.FILES or None, invoices=context["invoices"])
    if request.method == "POST" and form.is_valid():
        invoice = form.invoices[form.cleaned_data["invoice"]]
        try:
            with transaction.atomic():
                opened = dispute_open(
                    organisation=organisation,
                    invoice=invoice,
                    reason=form.cleaned_data["reason"],
                    on=context["today"],
                    actor=None,
                    comment=form.cleaned_data["comment"],
                    source=DisputeSource.PORTAL,
                )
                if form.cleaned_data["document"]:
                    dispute_attachment_add(
                        organisation=organisation,
                        dispute=opened,
                        uploaded=form.cleaned_data["document"],
                        actor=None,
                        source=DisputeSource.PORTAL,
                    )
        except AttachmentRefused as exc:
            form.add_error("document", str(exc))
        except DisputeError:
            form.add_error(
                "invoice", _("Cette facture est déjà contestée : votre créancier examine la contestation.")
            )
        else:
            return redirect(f"/portal/{request.portal_token}/?done=dispute")  # type: ignore[attr-defined]
    context["form"] = form
    return render(request, "portal/dispute.html", context, status=400 if form.errors else 200)


urlpatterns_disputes: list[URLPattern] = [path("<str:token>/dispute/", dispute, name="dispute")]
