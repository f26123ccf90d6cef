"""Paying online from the portal through the organisation's payment provider (Mollie): the debtor is
sent to the provider's checkout, comes back to a page that says where the payment stands, and the
provider's webhook makes the product look again. Money is recorded only from the provider's own
answer (selfservice.domain.online_payments), never from what a request says.

`portal.urls` includes `urlpatterns_online` (names `portal:online_*`)."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from recouvre.ledger.models import Debtor
from recouvre.portal.access import portal_view
from recouvre.selfservice.domain.online_payments import (
    OnlinePaymentError,
    OnlinePaymentUnknown,
    debtor_owed,
    online_payment_enabled,
    online_payment_latest,
    online_payment_refresh,
    online_payment_start,
)
from recouvre.selfservice.providers.base import FINAL, PAID, ProviderError, ProviderRefused
from recouvre.selfservice.providers.mollie import PAYMENT_ID

logger = logging.getLogger(__name__)


class OnlineAmountForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Montant"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
    )


def _token(request: HttpRequest) -> str:
    return str(request.portal_token)  # type: ignore[attr-defined]


def _failed(request: HttpRequest, context: dict[str, Any], reason: str, status: int) -> HttpResponse:
    return render(request, "portal/online_error.html", {**context, "reason": reason}, status=status)


@require_POST
@portal_view("pay_online")
def online_start(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    if not online_payment_enabled(organisation):
        raise Http404("online payment is not enabled")
    token = _token(request)
    owed = debtor_owed(debtor)
    if not owed:
        return redirect("portal:home", token)
    context = {"debtor": debtor, "organisation": organisation, "token": token, "owed": owed}
    form = OnlineAmountForm(request.POST)
    if not form.is_valid():
        return _failed(request, context, "amount", 400)
    amount = form.cleaned_data["amount"] or owed
    try:
        row = online_payment_start(
            organisation=organisation,
            debtor=debtor,
            amount=amount,
            redirect_url=settings.BASE_URL + reverse("portal:online_return", args=[token]),
            webhook_url=settings.BASE_URL + reverse("portal:online_webhook_mollie"),
        )
    except OnlinePaymentError:
        return _failed(request, context, "amount", 400)
    except ProviderRefused as exc:
        # The debtor can do nothing about it; the creditor must (a revoked key, a closed account).
        logger.error(
            "organisation %s: the payment provider refused a checkout: %s", organisation.pk, exc.detail
        )
        return _failed(request, context, "refused", 502)
    except ProviderError as exc:
        logger.warning(
            "organisation %s: the payment provider did not answer: %s", organisation.pk, exc.detail
        )
        return _failed(request, context, "unavailable", 503)
    response = HttpResponse(status=303)  # "see other": the browser GETs the checkout
    response["Location"] = row.checkout_url
    return response


@require_GET
@portal_view("pay_online_return")
def online_return(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    token = _token(request)
    row = online_payment_latest(debtor)
    if row is None:
        return redirect("portal:pay", token)
    if row.status not in FINAL:
        # The debtor is often back before the webhook: ask the provider once rather than show "open".
        try:
            row = online_payment_refresh(provider_id=row.provider_id, provider=row.provider)
        except (ProviderError, OnlinePaymentUnknown) as exc:
            logger.warning("online payment %s: status not refreshed: %s", row.provider_id, exc)
    if row.status == PAID:
        state = "paid"
    elif row.status in FINAL:
        state = "failed"
    else:
        state = "pending"
    context = {
        "debtor": debtor,
        "organisation": organisation,
        "token": token,
        "online_payment": row,
        "state": state,
    }
    return render(request, "portal/online_return.html", context)


@csrf_exempt
@require_POST
def mollie_webhook(request: HttpRequest) -> HttpResponse:
    """Mollie's "look again" call, `id=tr_…` form-encoded. Only the id is read; the status comes from
    Mollie itself. An answer other than 2xx makes Mollie try again later, which is what a provider
    that could not be asked needs."""
    provider_id = request.POST.get("id", "")
    if not PAYMENT_ID.fullmatch(provider_id):
        return HttpResponse(status=400)
    try:
        online_payment_refresh(provider_id=provider_id, provider="mollie")
    except OnlinePaymentUnknown:
        return HttpResponse(status=404)
    except ProviderError as exc:
        logger.warning("Mollie webhook for %s: the status could not be read: %s", provider_id, exc.detail)
        return HttpResponse(status=503)
    return HttpResponse(status=200)


urlpatterns_online: list[URLPattern] = [
    path("webhooks/mollie/", mollie_webhook, name="online_webhook_mollie"),
    path("<str:token>/pay/online/", online_start, name="online_start"),
    path("<str:token>/pay/online/return/", online_return, name="online_return"),
]
