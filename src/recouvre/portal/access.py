"""Opening the portal: the signed link decides the organisation and the debtor, nothing else can. A
link that does not open gets a friendly page (expired: ask the creditor for a new one; revoked;
invalid), and an address that keeps trying bad links is slowed down (the signature already makes
guessing useless; the limit keeps the logs readable and the server calm)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django_scopes import scope

from recouvre.ledger.models import Debtor
from recouvre.selfservice.domain.links import PortalLinkError, portal_token_read, portal_visit_record

PARIS = ZoneInfo("Europe/Paris")
FAILURES_ALLOWED = 20  # bad links per address per window
FAILURE_WINDOW = 600  # seconds


def paris_today() -> date:
    return datetime.now(PARIS).date()


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _too_many(request: HttpRequest) -> bool:
    return int(cache.get(f"portal-fail:{_address(request)}", 0)) >= FAILURES_ALLOWED


def _count_failure(request: HttpRequest) -> None:
    key = f"portal-fail:{_address(request)}"
    if cache.add(key, 1, FAILURE_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, FAILURE_WINDOW)


def _language(request: HttpRequest, debtor: Debtor | None) -> str:
    asked = request.GET.get("lang") or request.POST.get("lang") or ""
    if asked in ("fr", "en"):
        return asked
    return (debtor.language if debtor else "") or "fr"


def refused(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    with translation.override(_language(request, None)):
        return render(request, "portal/refused.html", {"reason": reason}, status=status)


def portal_view(action: str) -> Callable[..., Callable[..., HttpResponse]]:
    """The view receives the debtor and its organisation, inside their scope and language; each use is
    logged (`PortalVisit`)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if _too_many(request):
                return refused(request, "too_many", 429)
            try:
                debtor = portal_token_read(token)
            except PortalLinkError as exc:
                _count_failure(request)
                return refused(request, exc.reason, 410 if exc.reason == "expired" else 403)
            organisation = debtor.organisation
            with scope(organisation=organisation):
                portal_visit_record(
                    organisation_id=organisation.pk,
                    debtor_id=debtor.pk,
                    action=action if request.method == "GET" else f"{action}:post",
                    path=request.path.replace(token, "<token>"),
                    ip=_address(request),
                    agent=str(request.META.get("HTTP_USER_AGENT", "")),
                )
                language = _language(request, debtor)
                with translation.override(language):
                    request.portal_token = token  # type: ignore[attr-defined]
                    request.portal_language = language  # type: ignore[attr-defined]
                    # `render` renders at once: the page is built inside the scope and the language.
                    response = view(request, debtor, organisation, *args, **kwargs)
                    response["Referrer-Policy"] = (
                        "same-origin"  # the token in the URL never leaks to other sites
                    )
                    response["Cache-Control"] = "private, no-store"
                    return response

        return wrapper

    return decorator
