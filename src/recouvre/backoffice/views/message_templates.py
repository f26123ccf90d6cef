"""Message templates in the back office: every text of every step, and one text's editor with a live
preview rendered as the dispatcher would (same placeholder renderer, same context built from a real
debtor of the organisation when there is one, else from sample values).

Every member reads and previews; saving or resetting a text takes a manager. The e-mail's HTML is
only ever shown inside a sandboxed iframe (srcdoc), never injected into the page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from recouvre.backoffice.views.access import MANAGER, membership_required, paris_today, role_required
from recouvre.backoffice.views.action_parts import finding_labels
from recouvre.backoffice.views.actions import step_label
from recouvre.dunning.domain.compose import FORMAL_NOTICE_DAYS, context_for, table_html
from recouvre.dunning.models import Action
from recouvre.law.domain.compliance import Document, document_check
from recouvre.ledger.enums import InvoiceStatus
from recouvre.ledger.models import Debtor, Invoice
from recouvre.messaging.domain.placeholders import PLACEHOLDERS, render_html, template_errors
from recouvre.messaging.domain.placeholders import render as render_text
from recouvre.messaging.domain.template_defaults import (
    CHANNELS,
    CODES,
    LANGUAGES,
    VARIANTS,
    default_language,
    default_template,
    default_variants,
)
from recouvre.messaging.domain.templates import TemplateInvalid, template_reset, template_save
from recouvre.messaging.models import MessageTemplate
from recouvre.tenancy.domain.services import role_allows

VARIANT_LABELS = {
    "standard": gettext_lazy("Standard (entreprises)"),
    "b2c": gettext_lazy("Particuliers"),
    "public": gettext_lazy("Organismes publics"),
    "good": gettext_lazy("Bons payeurs"),
    "late": gettext_lazy("Retardataires habituels"),
}
LANGUAGE_LABELS = {"fr": gettext_lazy("Français"), "en": gettext_lazy("Anglais")}
POSTAL = ("letter", "registered_letter")
# The debtor type whose real data best illustrates a variant.
VARIANT_DEBTOR_TYPE = {"b2c": "B2C", "public": "PUBLIC"}
SMS_LENGTH = 160


def code_label(code: str) -> str:
    if code.endswith("_letter") and code != "letter":
        return _("%(step)s (version courrier)") % {"step": step_label(code.removesuffix("_letter"))}
    return step_label(code)


class TemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Objet"), max_length=255, required=False)
    body = forms.CharField(label=gettext_lazy("Texte"), widget=forms.Textarea(attrs={"rows": 18}))

    def clean_subject(self) -> str:
        subject: str = self.cleaned_data["subject"]
        for problem in template_errors(subject):
            self.add_error("subject", problem)
        return subject

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Le texte du message est vide."))
        for problem in template_errors(body):
            self.add_error("body", problem)
        return body


def _key(code: str, variant: str, language: str) -> tuple[str, str, str]:
    if code not in CODES or variant not in VARIANTS or language not in LANGUAGES:
        raise Http404
    return code, variant, language


def _can_edit(request: HttpRequest) -> bool:
    return role_allows(request.role, MANAGER)  # type: ignore[attr-defined]


# --- The list ----------------------------------------------------------------------------------------


@membership_required
def template_list(request: HttpRequest) -> HttpResponse:
    """Every code and variant with a text (packaged or the organisation's), in both languages. The
    query string (code, variant, language) opens one, e.g. a variant that has no packaged text yet."""
    wanted = (request.GET.get("code"), request.GET.get("variant"), request.GET.get("language"))
    if all(wanted):
        code, variant, language = _key(*wanted)  # type: ignore[arg-type]
        return redirect("backoffice:template-edit", code=code, variant=variant, language=language)
    edited = {
        (row.code, row.variant, row.language): row
        for row in MessageTemplate.objects.filter(organisation=request.organisation)  # type: ignore[attr-defined]
    }
    groups = []
    for code in CODES:
        variants = [
            v
            for v in VARIANTS
            if any(v in default_variants(code, lang) or (code, v, lang) in edited for lang in LANGUAGES)
        ]
        rows = []
        for variant in variants:
            cells = []
            for language in LANGUAGES:
                row = edited.get((code, variant, language))
                has_default = default_template(code, variant, language) is not None
                cells.append(
                    {
                        "language": language,
                        "edited": row,
                        # The packaged French text stands in for a missing English one.
                        "fallback": has_default and default_language(code, variant, language) != language,
                    }
                )
            rows.append({"variant": variant, "label": VARIANT_LABELS[variant], "cells": cells})
        groups.append({"code": code, "label": code_label(code), "channel": CHANNELS[code], "rows": rows})
    context = {
        "groups": groups,
        "languages": [(lang, LANGUAGE_LABELS[lang]) for lang in LANGUAGES],
        "codes": [(code, code_label(code)) for code in CODES],
        "variants": [(v, VARIANT_LABELS[v]) for v in VARIANTS],
        "can_edit": _can_edit(request),
    }
    return render(request, "backoffice/message_templates/list.html", context)


# --- One text ------------------------------------------------------------------------------------------


def _current(organisation: Any, code: str, variant: str, language: str) -> dict[str, Any]:
    """The text shown in the editor: the organisation's, else the packaged one (possibly the French
    one for a missing English text), else the packaged standard text to start from."""
    row = MessageTemplate.objects.filter(
        organisation=organisation, code=code, variant=variant, language=language
    ).first()
    if row is not None:
        return {"row": row, "subject": row.subject, "body": row.body, "source": "organisation"}
    default = default_template(code, variant, language)
    if default is not None:
        source = "default" if default_language(code, variant, language) == language else "default_fr"
        return {"row": None, "subject": default.subject, "body": default.body, "source": source}
    standard = default_template(code, "standard", language)
    return {
        "row": None,
        "subject": standard.subject if standard else "",
        "body": standard.body if standard else "",
        "source": "new",
    }


def _editor(
    request: HttpRequest,
    code: str,
    variant: str,
    language: str,
    form: TemplateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    current = _current(organisation, code, variant, language)
    if form is None:
        form = TemplateForm(initial={"subject": current["subject"], "body": current["body"]})
    for name in ("subject", "body"):
        described = [f"{form[name].auto_id}-live-error"]
        if form.errors.get(name):
            described.insert(0, f"{form[name].auto_id}-error")
        form.fields[name].widget.attrs["aria-describedby"] = " ".join(described)
        if not _can_edit(request):
            form.fields[name].widget.attrs["readonly"] = True
    context = {
        "code": code,
        "variant": variant,
        "language": language,
        "code_label": code_label(code),
        "variant_label": VARIANT_LABELS[variant],
        "language_label": LANGUAGE_LABELS[language],
        "channel": CHANNELS[code],
        "current": current,
        "form": form,
        "placeholders": sorted(PLACEHOLDERS.items()),
        "can_edit": _can_edit(request),
        **_preview(organisation, code, variant, language, current["subject"], current["body"]),
    }
    return render(request, "backoffice/message_templates/edit.html", context, status=status)


@membership_required
def template_edit(request: HttpRequest, code: str, variant: str, language: str) -> HttpResponse:
    code, variant, language = _key(code, variant, language)
    if request.method == "POST":
        return _template_save(request, code, variant, language)
    return _editor(request, code, variant, language)


@role_required(MANAGER)
def _template_save(request: HttpRequest, code: str, variant: str, language: str) -> HttpResponse:
    form = TemplateForm(request.POST)
    if form.is_valid():
        try:
            template_save(
                organisation=request.organisation,  # type: ignore[attr-defined]
                code=code,
                variant=variant,
                language=language,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                actor=request.user,
            )
        except TemplateInvalid as invalid:
            for problem in invalid.messages:
                form.add_error(None, problem)
        else:
            messages.success(request, _("Modèle enregistré : il sert dès le prochain envoi."))
            return redirect("backoffice:template-edit", code=code, variant=variant, language=language)
    return _editor(request, code, variant, language, form=form, status=400)


@role_required(MANAGER)
@require_POST
def template_reset_view(request: HttpRequest, code: str, variant: str, language: str) -> HttpResponse:
    code, variant, language = _key(code, variant, language)
    dropped = template_reset(
        organisation=request.organisation,  # type: ignore[attr-defined]
        code=code,
        variant=variant,
        language=language,
        actor=request.user,
    )
    if dropped:
        messages.success(request, _("Texte par défaut rétabli."))
    else:
        messages.info(request, _("Ce modèle utilisait déjà le texte par défaut."))
    if default_template(code, variant, language) is None:
        return redirect("backoffice:template-list")
    return redirect("backoffice:template-edit", code=code, variant=variant, language=language)


# --- Live preview ------------------------------------------------------------------------------------


@membership_required
@require_POST
def template_preview(request: HttpRequest, code: str, variant: str, language: str) -> HttpResponse:
    """The preview of the text as typed (HTMX, debounced): nothing is saved."""
    code, variant, language = _key(code, variant, language)
    subject = request.POST.get("subject", "")
    body = request.POST.get("body", "")
    context = {
        "code": code,
        "channel": CHANNELS[code],
        "oob": True,
        **_preview(request.organisation, code, variant, language, subject, body),  # type: ignore[attr-defined]
    }
    return render(request, "backoffice/message_templates/_preview.html", context)


def _preview(
    organisation: Any, code: str, variant: str, language: str, subject: str, body: str
) -> dict[str, Any]:
    channel = CHANNELS[code]
    values, table_html, debtor = _sample_context(organisation, code, variant, language, paris_today())
    if channel in POSTAL:
        # As compose_message: the letter's layout prints the invoices in a table of its own.
        values["invoices_table"] = ""
    subject_errors, body_errors = template_errors(subject), template_errors(body)
    preview: dict[str, Any] = {
        "subject_errors": subject_errors,
        "body_errors": body_errors,
        "sample_debtor": debtor,
        "preview_subject": "",
        "preview_text": "",
        "preview_html": "",
    }
    if not subject_errors:
        preview["preview_subject"] = render_text(subject, values) if subject else ""
    if not body_errors and body.strip():
        preview["preview_text"] = render_text(body, values)
        if channel == "email":
            inner = render_html(body, values, {"invoices_table": table_html})
            preview["preview_html"] = (
                f'<!doctype html><html lang="{language}"><meta charset="utf-8">'
                f'<body style="font-family:sans-serif;font-size:14px;line-height:1.45;margin:12px">'
                f"{inner}</body></html>"
            )
        if channel == "sms":
            preview["sms_length"] = len(preview["preview_text"])
            preview["sms_too_long"] = preview["sms_length"] > SMS_LENGTH
        preview["findings"] = _wording_findings(channel, variant, language, preview)
    return preview


# What the editor can judge from the text alone; the mandatory mentions depend on the letter's layout
# and figures, which the dispatcher and the approval page check on the real document.
WORDING_CODES = ("court_imitation", "unlawful_threat", "consumer_fees")


def _wording_findings(channel: str, variant: str, language: str, preview: dict[str, Any]) -> list[str]:
    if channel not in ("email", "sms", *POSTAL):
        return []
    debtor_type = {"b2c": "B2C", "public": "PUBLIC"}.get(variant, "B2B")
    document = Document(
        channel=channel,
        step="",
        debtor_type=debtor_type,
        language=language,
        text=f"{preview['preview_subject']}\n\n{preview['preview_text']}",
    )
    return finding_labels([f.code for f in document_check(document) if f.code in WORDING_CODES])


def _sample_context(
    organisation: Any, code: str, variant: str, language: str, today: date
) -> tuple[dict[str, str], str, Debtor | None]:
    """Placeholder values from a real debtor with open invoices (of the variant's debtor type when
    there is one), else from made-up values. The debtor is not changed: its language is only set in
    memory so that dates and amounts are written as in the text's language."""
    courtesy = code.startswith("courtesy")
    invoices_open = Invoice.objects.filter(status=InvoiceStatus.OPEN, document_type="invoice")
    invoices_open = (
        invoices_open.filter(due_date__gte=today) if courtesy else invoices_open.filter(due_date__lt=today)
    )
    candidates = Debtor.objects.filter(redacted_at__isnull=True, invoices__in=invoices_open).order_by("pk")
    wanted_type = VARIANT_DEBTOR_TYPE.get(variant, "B2B")
    debtor = candidates.filter(debtor_type=wanted_type).first() or candidates.first()
    if debtor is None:
        return _made_up(organisation, language, today), _MADE_UP_TABLE_HTML, None
    invoices = list(invoices_open.filter(debtor=debtor).order_by("due_date", "number")[:20])
    debtor.language = language
    action = Action(
        organisation=organisation,
        debtor=debtor,
        step=code,
        channel=CHANNELS[code],
        scheduled_for=today,
        courtesy_due_date=invoices[0].due_date if courtesy and invoices else None,
    )
    return context_for(action, debtor, organisation, invoices, today), table_html(invoices, language), debtor


_MADE_UP_TABLE_HTML = (
    "<table style='border-collapse:collapse'><thead><tr><th>Facture</th><th>Échéance</th>"
    "<th>Reste dû</th></tr></thead><tbody><tr><td>F-2026-001</td><td>30/09/2026</td>"
    "<td>1 234,56 €</td></tr></tbody></table>"
)


def _made_up(organisation: Any, language: str, today: date) -> dict[str, str]:
    french = language != "en"

    def day(value: date) -> str:
        return value.strftime("%d/%m/%Y") if french else value.isoformat()

    return {
        "creditor_name": organisation.name,
        "creditor_email": organisation.email or "compta@exemple.fr",
        "creditor_phone": str((organisation.settings or {}).get("phone", "")) or "01 23 45 67 89",
        "creditor_iban": organisation.iban or "FR76 3000 6000 0112 3456 7890 189",
        "creditor_bic": organisation.bic or "AGRIFRPP",
        "debtor_name": "Dupont Industrie",
        "debtor_ref": "411DUPONT",
        "contact_name": "Claire Martin",
        "invoices_table": "F-2026-001        30/09/2026        1 234,56 €",
        "invoice_count": "1",
        "total_due": "1 234,56 €" if french else "€1,234.56",
        "oldest_due_date": "30/09/2026" if french else "2026-09-30",
        "due_date": "30/09/2026" if french else "2026-09-30",
        "days_overdue": "53",
        "portal_link": "https://recouvre.example/portal/exemple/",
        "payment_reference": "411DUPONT F-2026-001",
        "deadline_date": day(today + timedelta(days=FORMAL_NOTICE_DAYS)),
        "fixed_indemnity_total": "40,00 €" if french else "€40.00",
        "interest_total": "22,91 €" if french else "€22.91",
        "penalty_rate": "12,15\u00a0% l'an (taux de refinancement de la Banque centrale européenne"
        " majoré de 10 points)"
        if french
        else "12.15% a year (European Central Bank refinancing rate plus 10 points)",
        "agency_name": organisation.name if organisation.is_agency else "",
        "dispute_invoice": "F-2026-001",
        "dispute_outcome_text": "votre contestation a été examinée : un avoir de 200,00 € a été émis ;"
        " il reste 1 034,56 € à régler."
        if french
        else "your dispute has been reviewed: a credit note of €200.00 was issued;"
        " €1,034.56 remains to be paid.",
        "instalment_number": "2",
        "instalment_amount": "411,52 €" if french else "€411.52",
        "instalment_date": day(today + timedelta(days=3)),
        "plan_reference": "Échéancier n° 42" if french else "Payment plan no. 42",
        "total_claimed": "1 297,47 €" if french else "€1,297.47",
        "today": day(today),
        "agent_name": f"Service recouvrement, {organisation.name}",
    }


_ONE = "<str:code>/<str:variant>/<str:language>"
urls: list[URLPattern] = [
    path("templates/", template_list, name="template-list"),
    path(f"templates/{_ONE}/", template_edit, name="template-edit"),
    path(f"templates/{_ONE}/preview/", template_preview, name="template-preview"),
    path(f"templates/{_ONE}/reset/", template_reset_view, name="template-reset"),
]
