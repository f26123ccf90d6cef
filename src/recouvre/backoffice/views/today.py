"""Back-office pages: today (issue 4).

Each module lists its own routes in `urls`, which backoffice/urls.py includes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path


def home(request: HttpRequest) -> HttpResponse:
    return redirect("backoffice:debtor-list")


urls: list[URLPattern] = [path("", home, name="home")]
