"""Who is calling: a bearer token bound to one user and one organisation.

Every operation runs inside the token organisation's django-scopes scope. The scope is opened by
the authentication itself and closed by an API-wide decorator around the whole operation (checks,
view and serialisation of the response), so no endpoint can be written that runs unscoped: without
the decorator the authentication refuses to run, and without a scope every business query raises."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django_scopes import scope
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from recouvre.audit.domain.context import acting_through
from recouvre.audit.enums import Channel
from recouvre.tenancy.domain.services import api_token_authenticate, role_allows, role_of
from recouvre.tenancy.enums import Role

_STACK_ATTRIBUTE = "_recouvre_scope_stack"


@dataclass(frozen=True)
class Principal:
    """What `request.auth` holds once a token is accepted."""

    token: Any
    user: Any
    organisation: Any
    role: str


class ApiTokenRefused(AuthenticationError):
    def __init__(self, message: str) -> None:
        super().__init__(401, message)


class ApiTokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Principal | None:
        header = request.headers.get(self.header, "")
        if not header:
            raise ApiTokenRefused("missing API token: send the header 'Authorization: Bearer <key>'")
        scheme, _sep, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiTokenRefused("malformed Authorization header: expected 'Bearer <key>'")
        return self.authenticate(request, key.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Principal:
        stack: ExitStack | None = getattr(request, _STACK_ATTRIBUTE, None)
        if stack is None:
            raise RuntimeError("API operation not wrapped by scoped_operation: refusing to run it unscoped")
        found = api_token_authenticate(token)
        if found is None:
            raise ApiTokenRefused("invalid or revoked API token")
        role = role_of(found.user, found.organisation)
        if role is None:  # pragma: no cover - api_token_authenticate already checks the membership
            raise ApiTokenRefused("invalid or revoked API token")
        stack.enter_context(scope(organisation=found.organisation))
        return Principal(token=found, user=found.user, organisation=found.organisation, role=role)


def scoped_operation(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wraps `Operation.run`: the scope entered during authentication lasts until the response is
    built, and the domain services record their audit entries as coming through the API."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with ExitStack() as stack, acting_through(Channel.API):
            setattr(request, _STACK_ATTRIBUTE, stack)
            try:
                return run(request, *args, **kwargs)
            finally:
                delattr(request, _STACK_ATTRIBUTE)

    return wrapper


def principal(request: HttpRequest) -> Principal:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def require_role(request: HttpRequest, minimum: Role) -> Principal:
    who = principal(request)
    if not role_allows(who.role, minimum):
        raise HttpError(403, f"your role ({who.role}) may not do this; it needs {minimum.value} or above")
    return who
