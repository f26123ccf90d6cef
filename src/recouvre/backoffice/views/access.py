"""What every back-office page needs: a signed-in person with a role in the current organisation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from recouvre.audit.domain.context import acting_through
from recouvre.audit.domain.services import audit_record
from recouvre.audit.enums import AuditAction, Channel
from recouvre.tenancy.domain.services import role_allows

PARIS = ZoneInfo("Europe/Paris")

MANAGER = "manager"
AGENT = "agent"
ADMIN = "admin"

View = Callable[..., HttpResponse]


def paris_today() -> date:
    """The day the creditor's books are read on; debts fall due by the calendar in France."""
    from django.utils import timezone

    return timezone.localdate(timezone=PARIS)


def client_ip(request: HttpRequest) -> str | None:
    # Only the socket's address: a forwarded header can be forged by anyone unless a trusted proxy
    # sets it, and the audit trail must not record what the client claims.
    return request.META.get("REMOTE_ADDR") or None


def audit_look(request: HttpRequest, *, object_type: str, object_id: int, debtor_id: int | None) -> None:
    """Records that the person read a debtor's personal data on this page (GDPR access requests list
    every look: a debtor, an invoice, a message)."""
    audit_record(
        organisation=request.organisation,  # type: ignore[attr-defined]
        actor=request.user,
        action=AuditAction.VIEW,
        channel=Channel.WEB,
        object_type=object_type,
        object_id=object_id,
        debtor_id=debtor_id,
        path=request.get_full_path(),
        ip=client_ip(request),
    )


def membership_required(view: View) -> View:
    """Login first; then a role in the current organisation (any role reads)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if getattr(request, "organisation", None) is None:
            return render(request, "backoffice/no_organisation.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def through_web(view: View) -> View:
    """Changes made by the services a view calls are audited as made through the web."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        with acting_through(Channel.WEB):
            return view(request, *args, **kwargs)

    return wrapped


def forbidden(request: HttpRequest, minimum: str) -> HttpResponse:
    """The 403 page, naming the role the operation needs and the person's own."""
    from recouvre.tenancy.enums import Role

    labels = dict(Role.choices)
    context = {
        "required_role": labels.get(minimum, minimum),
        "current_role": labels.get(request.role, ""),  # type: ignore[attr-defined]
    }
    return render(request, "backoffice/forbidden.html", context, status=403)


def role_required(minimum: str) -> Callable[[View], View]:
    """A role at least `minimum` in the current organisation (after sign-in and membership)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not role_allows(request.role, minimum):  # type: ignore[attr-defined]
                return forbidden(request, minimum)
            return view(request, *args, **kwargs)

        return membership_required(through_web(wrapped))

    return decorator


def rights(request: HttpRequest) -> dict[str, bool]:
    role = request.role  # type: ignore[attr-defined]
    return {"can_approve": role_allows(role, MANAGER), "can_work": role_allows(role, AGENT)}
