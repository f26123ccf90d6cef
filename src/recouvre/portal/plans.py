"""Proposing and signing a payment plan on the portal. A proposal within the creditor's rules is
accepted at once and waits for the signature; another goes to a manager. Signing is confirmed by a
one-time code sent to an e-mail address the creditor already knew: the signed plan is an
acknowledgement of debt (it interrupts limitation), so the person signing must be reachable there."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recouvre.arrangements.domain.plan_queries import open_plan
from recouvre.arrangements.domain.plans import PlanError, plan_propose, plan_sign
from recouvre.arrangements.domain.schedule import plan_schedule
from recouvre.arrangements.enums import PlanFrequency, PlanSource, PlanStatus
from recouvre.arrangements.models import PaymentPlan
from recouvre.disputes.enums import DisputeStatus
from recouvre.disputes.models import Dispute
from recouvre.ledger.models import Debtor
from recouvre.portal.access import portal_view
from recouvre.portal.context import account_context
from recouvre.selfservice.domain.one_time_codes import (
    CodeError,
    code_check,
    code_send,
    known_destinations,
    mask,
)
from recouvre.tenancy.domain.organisation_settings import organisation_settings

CODE_REFUSALS = {
    "unknown_contact": gettext_lazy("Choisissez une des adresses proposées."),
    "not_sent": gettext_lazy("Le code n'a pas pu être envoyé : réessayez dans un instant."),
    "expired": gettext_lazy("Ce code a expiré : demandez-en un nouveau."),
    "wrong": gettext_lazy("Ce code n'est pas le bon."),
    "too_many": gettext_lazy("Trop d'essais : demandez un nouveau code."),
}


class ProposalForm(forms.Form):
    count = forms.IntegerField(label=gettext_lazy("Nombre d'échéances"), min_value=2, max_value=24)
    frequency = forms.ChoiceField(label=gettext_lazy("Rythme"), choices=PlanFrequency.choices)
    first_date = forms.DateField(
        label=gettext_lazy("Première échéance"), widget=forms.DateInput(attrs={"type": "date"})
    )


def _plannable(context: dict[str, Any]) -> None:
    """A plan acknowledges the debt: an invoice the debtor disputes stays out of it (and the totals
    shown are those of the plan)."""
    disputed = set(
        Dispute.objects.filter(invoice__in=context["invoices"], status=DisputeStatus.OPEN).values_list(
            "invoice_id", flat=True
        )
    )
    context["invoices"] = [i for i in context["invoices"] if i.pk not in disputed]
    context["total"] = sum((i.open_amount for i in context["invoices"]), Decimal("0"))
    context["disputed_count"] = len(disputed)


def _purpose(plan: PaymentPlan) -> str:
    return f"plan:{plan.pk}"


@portal_view("plan")
def plan_propose_view(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    context = account_context(request, debtor, organisation)
    _plannable(context)
    current = open_plan(debtor)
    if current is not None and current.status in (PlanStatus.PROPOSED, PlanStatus.ACTIVE):
        return redirect("portal:plan-sign", request.portal_token)  # type: ignore[attr-defined]
    rules = organisation_settings(organisation).plans
    initial = {
        "count": min(3, rules.max_instalments),
        "frequency": PlanFrequency.MONTHLY,
        "first_date": context["today"] + timedelta(days=min(7, rules.max_first_delay_days)),
    }
    form = ProposalForm(request.POST or request.GET or None, initial=initial)
    schedule = ()
    if form.is_bound and form.is_valid() and context["total"]:
        schedule = plan_schedule(
            context["total"],
            form.cleaned_data["count"],
            form.cleaned_data["first_date"],
            form.cleaned_data["frequency"],
        )
        if request.method == "POST":
            try:
                plan = plan_propose(
                    organisation=organisation,
                    debtor=debtor,
                    invoices=context["invoices"],
                    count=form.cleaned_data["count"],
                    frequency=form.cleaned_data["frequency"],
                    first_date=form.cleaned_data["first_date"],
                    today=context["today"],
                    source=PlanSource.PORTAL,
                    actor=None,
                )
            except PlanError as exc:
                form.add_error(None, str(exc))
            else:
                if plan.status == PlanStatus.PROPOSED:
                    return redirect("portal:plan-sign", request.portal_token)  # type: ignore[attr-defined]
                return redirect(f"/portal/{request.portal_token}/?done=plan-proposed")  # type: ignore[attr-defined]
    context |= {"form": form, "schedule": schedule, "rules": rules, "pending": current}
    return render(request, "portal/plan.html", context, status=400 if form.errors else 200)


@portal_view("plan-sign")
def plan_sign_view(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    context = account_context(request, debtor, organisation)
    plan = open_plan(debtor)
    if plan is None:
        return redirect("portal:plan", request.portal_token)  # type: ignore[attr-defined]
    emails = known_destinations(debtor)
    error, sent_to = "", ""
    if request.method == "POST" and plan.status == PlanStatus.PROPOSED:
        if request.POST.get("step") == "send":
            to = request.POST.get("to", "")
            try:
                code_send(
                    organisation=organisation,
                    debtor=debtor,
                    purpose=_purpose(plan),
                    to=to,
                    subject=_("Votre code pour signer l'échéancier"),
                    body=_(
                        "Bonjour,\n\nVotre code pour signer l'échéancier proposé à %(creditor)s est :"
                        " {code}\n\nIl est valable 15 minutes. Si vous n'êtes pas à l'origine de cette"
                        " demande, ignorez ce message."
                    )
                    % {"creditor": organisation.name},
                    sms_text=_(
                        "%(creditor)s : votre code pour signer l'échéancier est {code} (valable 15 min)."
                    )
                    % {"creditor": organisation.name[:40]},
                )
                sent_to = mask(to)
            except CodeError as exc:
                error = str(CODE_REFUSALS[exc.reason])
        elif request.POST.get("step") == "sign":
            name = request.POST.get("name", "").strip()
            try:
                if not name:
                    raise PlanError(_("Indiquez vos nom et prénom, et votre qualité pour une société."))
                code_check(debtor=debtor, purpose=_purpose(plan), code=request.POST.get("code", ""))
                plan_sign(
                    plan=plan,
                    today=context["today"],
                    actor=None,
                    signature_text=f"{name} (code envoyé par e-mail)",
                )
            except CodeError as exc:
                error = str(CODE_REFUSALS[exc.reason])
                sent_to = "…"
            except PlanError as exc:
                error = str(exc)
                sent_to = "…"
            else:
                return redirect(f"/portal/{request.portal_token}/?done=plan-signed")  # type: ignore[attr-defined]
    context |= {
        "plan": plan,
        "instalments": list(plan.instalments.order_by("number")),
        "emails": [(address, mask(address)) for address in emails],
        "error": error,
        "sent_to": sent_to,
    }
    return render(request, "portal/plan_sign.html", context, status=400 if error else 200)


@portal_view("plan-pdf")
def plan_pdf_view(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    plan = (
        PaymentPlan.objects.filter(debtor=debtor).exclude(signed_document="").order_by("-signed_at").first()
    )
    if plan is None:
        raise Http404
    path_ = Path(settings.DATA_DIR) / plan.signed_document
    return FileResponse(
        path_.open("rb"), content_type="application/pdf", filename=f"echeancier-{plan.pk}.pdf"
    )


urlpatterns_plans: list[URLPattern] = [
    path("<str:token>/plan/", plan_propose_view, name="plan"),
    path("<str:token>/plan/sign/", plan_sign_view, name="plan-sign"),
    path("<str:token>/plan/pdf/", plan_pdf_view, name="plan-pdf"),
]
