"""Back-office pages: imports (issue 4).

Each module lists its own routes in `urls`, which backoffice/urls.py includes."""

from __future__ import annotations

from django.urls import URLPattern

urls: list[URLPattern] = []
