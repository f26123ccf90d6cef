"""The interactive documentation, with Swagger UI served from the installed django-ninja package.

ninja renders its bundled-assets page only when "ninja" is in INSTALLED_APPS; otherwise it falls
back to a page loading Swagger UI from a CDN, which the product never does. This page uses the same
files (ninja/static/ninja/), served by `docs_asset` below, so it works whatever INSTALLED_APPS says."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSET_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = frozenset(
    {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.svg", "favicon.png"}
)


class LocalSwagger(Swagger):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)

        def asset(name: str) -> str:
            return reverse("api-docs-asset", kwargs={"name": name})

        context = {
            "title": api.title,
            "swagger_settings": self.settings,
            "css": asset("swagger-ui.css"),
            "bundle": asset("swagger-ui-bundle.js"),
            "init": asset("swagger-ui-init.js"),
            "favicon": asset("favicon.svg"),
        }
        return render(request, "api/swagger.html", context)


@require_GET
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
