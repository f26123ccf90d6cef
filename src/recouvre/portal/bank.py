"""The debtor's own bank account (for refunds and a direct-debit mandate), changed on the portal only
once a one-time code sent to a known address or mobile confirms it: a changed account is how payment
fraud starts, so a link alone is not enough."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from schwifty import IBAN

from recouvre.audit.domain.services import audit_record
from recouvre.ledger.models import Debtor
from recouvre.portal.access import portal_view
from recouvre.portal.context import account_context
from recouvre.portal.plans import CODE_REFUSALS
from recouvre.selfservice.domain.one_time_codes import (
    CodeError,
    code_check,
    code_send,
    known_destinations,
    mask,
)
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

PURPOSE = "bank-details"


def _clean_iban(value: str) -> str:
    try:
        return str(IBAN(value).compact)
    except ValueError:
        raise forms.ValidationError(_("Cet IBAN n'est pas valable : vérifiez-le.")) from None


@portal_view("bank")
def bank(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    context = account_context(request, debtor, organisation)
    destinations = known_destinations(debtor)
    error, sent_to = "", ""
    pending = request.session.get(f"portal-iban-{debtor.pk}", "")
    if request.method == "POST" and request.POST.get("step") == "send":
        try:
            iban = _clean_iban(request.POST.get("iban", ""))
            code_send(
                organisation=organisation,
                debtor=debtor,
                purpose=PURPOSE,
                to=request.POST.get("to", ""),
                subject=_("Votre code pour changer vos coordonnées bancaires"),
                body=_(
                    "Bonjour,\n\nVotre code pour enregistrer un nouvel IBAN auprès de %(creditor)s est :"
                    " {code}\n\nIl est valable 15 minutes. Si vous n'êtes pas à l'origine de cette"
                    " demande, contactez-nous."
                )
                % {"creditor": organisation.name},
                sms_text=_("%(creditor)s : votre code pour changer d'IBAN est {code} (valable 15 min).")
                % {"creditor": organisation.name[:40]},
            )
        except forms.ValidationError as exc:
            error = " ".join(exc.messages)
        except CodeError as exc:
            error = str(CODE_REFUSALS[exc.reason])
        else:
            # The IBAN waits in the session until the code confirms it: nothing is stored before.
            request.session[f"portal-iban-{debtor.pk}"] = iban
            pending, sent_to = iban, mask(request.POST.get("to", ""))
    elif request.method == "POST" and request.POST.get("step") == "confirm" and pending:
        try:
            code_check(debtor=debtor, purpose=PURPOSE, code=request.POST.get("code", ""))
        except CodeError as exc:
            error, sent_to = str(CODE_REFUSALS[exc.reason]), "…"
        else:
            with transaction.atomic():
                before = debtor.iban
                Debtor.objects.filter(pk=debtor.pk).update(iban=pending)
                event_record(
                    organisation=organisation,
                    debtor_id=debtor.pk,
                    kind=EventKind.DEBTOR_UPDATED,
                    summary=f"IBAN du débiteur changé sur le portail (…{pending[-4:]}), confirmé par code",
                    data={"source": "portal", "iban_end": pending[-4:]},
                )
                audit_record(
                    organisation=organisation,
                    actor=None,
                    action="update",
                    object_type="debtor",
                    object_id=debtor.pk,
                    debtor_id=debtor.pk,
                    changes={"iban": [before[-4:] if before else "", pending[-4:]]},
                )
            del request.session[f"portal-iban-{debtor.pk}"]
            return redirect(f"/portal/{request.portal_token}/?done=bank")  # type: ignore[attr-defined]
    context |= {
        "destinations": [(d, mask(d)) for d in destinations],
        "current": debtor.iban,
        "pending": pending,
        "error": error,
        "sent_to": sent_to,
    }
    return render(request, "portal/bank.html", context, status=400 if error else 200)


urlpatterns_bank: list[URLPattern] = [path("<str:token>/bank/", bank, name="bank")]
