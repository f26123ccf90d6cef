"""Which creditor organisation a signed-in person is working for, and the data scope that follows."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django_scopes import scope

from recouvre.tenancy.models import Membership

SESSION_KEY = "recouvre_organisation_id"


def memberships_of(user: object) -> list[Membership]:
    # Oldest first, so that "the first membership" (the default organisation) is stable over time.
    return list(
        Membership.objects.filter(user=user).select_related("organisation").order_by("created_at", "id")
    )


class OrganisationMiddleware:
    """Sets `request.organisation`, `request.role` and `request.memberships`, then runs the rest of the
    request inside that organisation's scope.

    Requests without an organisation (anonymous, or a user with no membership) get no scope at all:
    a business query then raises ScopeError instead of returning rows. `scope(organisation=None)`
    would be the dangerous alternative, since django-scopes treats None as "do not filter"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organisation = None  # type: ignore[attr-defined]
        request.role = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        memberships = memberships_of(user)
        if not memberships:
            return self.get_response(request)
        chosen = request.session.get(SESSION_KEY)
        current = next((m for m in memberships if m.organisation_id == chosen), memberships[0])
        if chosen != current.organisation_id:
            # A stale choice (membership removed, organisation deleted) falls back to the default.
            request.session[SESSION_KEY] = current.organisation_id
        request.organisation = current.organisation  # type: ignore[attr-defined]
        request.role = current.role  # type: ignore[attr-defined]
        request.memberships = memberships  # type: ignore[attr-defined]
        with scope(organisation=current.organisation):
            return self.get_response(request)
