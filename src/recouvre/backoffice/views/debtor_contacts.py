"""Identity and contacts from the debtor page (agents): checked and normalised by
`ledger.domain.contacts`, whose refusals come back next to their fields with what was typed. A second
click changes nothing (an unchanged identity records nothing, a known contact is not added twice, a
removed one is gone). A manager's identity form also carries the insolvency judgment and the
contractual rate (`ledger.domain.debtors.debtor_law_update`), saved with the identity or not at all."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recouvre.backoffice.views.access import AGENT, MANAGER, paris_today, role_required
from recouvre.backoffice.views.debtor_actions import back_to, debtor_or_404, refused_page
from recouvre.backoffice.views.debtor_forms import ContactAddForm, ContactEditForm, IdentityForm
from recouvre.backoffice.views.debtors import debtor_page
from recouvre.backoffice.views.form_errors import put_errors
from recouvre.ledger.domain.contacts import (
    ContactInvalid,
    contact_add,
    contact_remove,
    contact_update,
    debtor_identity_update,
)
from recouvre.ledger.domain.debtors import LAW_FIELDS, DebtorLawInvalid, debtor_law_update
from recouvre.ledger.models import Contact
from recouvre.tenancy.domain.services import role_allows


@role_required(AGENT)
@require_POST
def debtor_identity(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    form = IdentityForm(request.POST)
    manages = role_allows(request.role, MANAGER)  # type: ignore[attr-defined]
    if not manages:
        # An agent's form has no such fields: what it did not post must not clear them.
        for name in LAW_FIELDS:
            del form.fields[name]
    if form.is_valid():
        try:
            with transaction.atomic():
                changed: dict[str, Any] = {}
                if manages:
                    changed |= debtor_law_update(
                        organisation=request.organisation,  # type: ignore[attr-defined]
                        debtor=debtor,
                        insolvency_since=form.cleaned_data["insolvency_since"],
                        contractual_rate=form.cleaned_data["contractual_rate"],
                        today=paris_today(),
                        actor=request.user,
                    )
                changed |= debtor_identity_update(
                    organisation=request.organisation,  # type: ignore[attr-defined]
                    debtor=debtor,
                    values=form.cleaned_data,
                    actor=request.user,
                )
        except (ContactInvalid, DebtorLawInvalid) as exc:
            debtor.refresh_from_db()  # the page shows what is stored, the form what was typed
            put_errors(form, exc.errors)
        else:
            if changed:
                messages.success(request, _("Identité enregistrée."))
            return back_to(debtor, "identity-title")
    return refused_page(request, debtor, "identity", form)


@role_required(AGENT)
@require_POST
def debtor_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    form = ContactAddForm(request.POST)
    if form.is_valid():
        try:
            contact_add(
                organisation=request.organisation,  # type: ignore[attr-defined]
                debtor=debtor,
                actor=request.user,
                **form.cleaned_data,
            )
        except ContactInvalid as exc:
            put_errors(form, exc.errors)
        else:
            messages.success(request, _("Contact ajouté."))
            return back_to(debtor, "contacts-title")
    return refused_page(request, debtor, "contact_add", form)


@role_required(AGENT)
@require_POST
def debtor_contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    contact = get_object_or_404(Contact, pk=contact_pk, debtor=debtor)
    form = ContactEditForm(request.POST, prefix=f"contact-{contact.pk}")
    if form.is_valid():
        try:
            contact_update(
                organisation=request.organisation,  # type: ignore[attr-defined]
                contact=contact,
                actor=request.user,
                **form.cleaned_data,
            )
        except ContactInvalid as exc:
            put_errors(form, exc.errors)
        else:
            messages.success(request, _("Contact enregistré."))
            return back_to(debtor, "contacts-title")
    return debtor_page(request, debtor, status=400, contact_errors={contact.pk: form})


@role_required(AGENT)
@require_POST
def debtor_contact_remove(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    contact = Contact.objects.filter(pk=contact_pk, debtor=debtor).first()
    if contact is not None:  # already removed by a first click: nothing to do
        contact_remove(
            organisation=request.organisation,  # type: ignore[attr-defined]
            contact=contact,
            actor=request.user,
        )
        messages.success(request, _("Contact supprimé."))
    return back_to(debtor, "contacts-title")


urls: list[URLPattern] = [
    path("debtors/<int:pk>/identity/", debtor_identity, name="debtor-identity"),
    path("debtors/<int:pk>/contacts/", debtor_contact_add, name="debtor-contact-add"),
    path("debtors/<int:pk>/contacts/<int:contact_pk>/", debtor_contact_edit, name="debtor-contact-edit"),
    path(
        "debtors/<int:pk>/contacts/<int:contact_pk>/remove/",
        debtor_contact_remove,
        name="debtor-contact-remove",
    ),
]
