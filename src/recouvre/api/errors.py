"""One JSON shape for every error: `{"detail": "<sentence>"}`, plus `errors` naming each refused
field (`{"field", "message"}`) when the input did not validate (422)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

log = logging.getLogger("recouvre.api")


class FieldError(Exception):
    """Input that parses but that the product refuses, blamed on one field."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.status = field, message, status


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    # ninja reports ("body", "<parameter name>", "amount") for a body schema and ("query", "limit")
    # for a single parameter; a client knows the field, not our parameter names.
    parts = [str(p) for p in loc]
    if len(parts) >= 3 and parts[0] in ("body", "form", "file"):
        parts = parts[2:]
    elif len(parts) >= 2:
        parts = parts[1:]
    return ".".join(parts) or "body"


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"field": _field_name(error.get("loc", ())), "message": str(error.get("msg", "invalid value"))}
        for error in errors
    ]


def _validation(api: NinjaAPI, request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = field_errors(exc.errors)
    detail = "invalid input: " + "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def _field(api: NinjaAPI, request: HttpRequest, exc: FieldError) -> HttpResponse:
    body = {"detail": f"{exc.field}: {exc.message}", "errors": [{"field": exc.field, "message": exc.message}]}
    return api.create_response(request, body, status=exc.status)


def _authentication(api: NinjaAPI, request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = str(exc) if str(exc) != "Unauthorized" else "missing or invalid API token"
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="recouvre"'
    return response


def _http(api: NinjaAPI, request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _not_found(api: NinjaAPI, request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "not found"}, status=404)


def _unexpected(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with its traceback for whoever runs the server; the client gets JSON like every other
    # error, never a page or a traceback.
    log.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": "internal error"}, status=500)


def install_error_handlers(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Any]] = [
        (ValidationError, _validation),
        (FieldError, _field),
        (AuthenticationError, _authentication),
        (HttpError, _http),
        (Http404, _not_found),
        (Exception, _unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, lambda request, exc, h=handler: h(api, request, exc))
