"""Roles are enforced on every page and action: a walk over EVERY route of `backoffice.urls`, so that
an area added later is covered without touching this file.

Concrete URLs come from the pages themselves: an admin of the organisation browses from every page
without arguments and keeps, for each route, the first link, form action or hx-* URL that leads to it
(so a debtor's page is reached with a real debtor's id). Routes no page links to are called with
placeholder arguments, enough for the checks that come before any object is looked up."""

from __future__ import annotations

import re
import uuid
from collections import deque
from collections.abc import Iterator
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, resolve, reverse

from recouvre.backoffice import urls as backoffice_urls
from recouvre.dunning.domain.runner import cycle_run
from recouvre.testing.fixtures import TODAY

MONDAY = TODAY + timedelta(days=(7 - TODAY.weekday()) % 7 or 7)  # a contact day: the cycle plans

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# Reachable without signing in: signing in, out, and choosing a new password.
PUBLIC = {
    "login",
    "logout",
    "password-reset",
    "password-reset-sent",
    "password-reset-complete",
    "password-reset-confirm",
    "set_language",
}
# POSTs any member may make (they change nothing in the organisation's books; test_access checks
# that the switch only leads to the person's own organisations).
ANY_MEMBER_POSTS = {
    "organisation-switch",
    # Previews save nothing: the text of a template as typed, a scenario simulated on a copy of the
    # books (scenarios.py, message_templates.py). Any member may look.
    "scenario-preview",
    "template-preview",
}
PLACEHOLDERS = {"int": "987654", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.UUID(int=1))}
URL_IN_HTML = re.compile(r'(?:href|action|hx-get|hx-post|hx-put|hx-delete|hx-patch)="([^"]+)"')
CRAWL_LIMIT = 250


def routes() -> Iterator[tuple[str, str]]:
    """(name, pattern text with converters) of every named back-office route."""

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif entry.name:
                yield entry.name, prefix + str(entry.pattern)

    seen: set[str] = set()
    for name, pattern in walk(backoffice_urls.urlpatterns, ""):
        if name not in seen:
            seen.add(name)
            yield name, pattern


ROUTES = dict(routes())
PRIVATE = sorted(set(ROUTES) - PUBLIC)


def placeholder_url(name: str) -> str:
    kwargs = {
        arg: PLACEHOLDERS.get(converter or "str", "x")
        for converter, arg in re.findall(r"<(?:(\w+):)?(\w+)>", ROUTES[name])
    }
    return reverse(f"backoffice:{name}", kwargs=kwargs)


def route_of(url: str) -> str | None:
    parts = urlsplit(unescape(url))
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.url_name if match.namespace == "backoffice" else None


FORM_TAG = re.compile(r"<form\b([^>]*)>", re.IGNORECASE)
HX_POST = re.compile(r'hx-post="([^"]*)"')


def _posts_in(html: str, here: str) -> Iterator[str]:
    """The URLs the page's forms and hx-post attributes send POSTs to."""
    for attrs in FORM_TAG.findall(html):
        if re.search(r'method="post"', attrs, re.IGNORECASE):
            action = re.search(r'action="([^"]*)"', attrs)
            yield action.group(1) if action and action.group(1) else here
    yield from HX_POST.findall(html)


def crawl(client) -> tuple[dict[str, str], set[str]]:
    """(route name → a concrete URL found in the pages an admin sees, the routes those pages POST to).
    A route that answers GET with 405 takes only POSTs: it is a POST endpoint too."""
    found: dict[str, str] = {}
    posted: set[str] = set()
    queue = deque(placeholder_url(name) for name in PRIVATE if "<" not in ROUTES[name])
    visited: set[str] = set()
    while queue and len(visited) < CRAWL_LIMIT:
        url = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        if response.status_code == 405:
            posted.add(route_of(url) or "")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        posted.update(name for link in _posts_in(html, url) if (name := route_of(link)))
        for link in URL_IN_HTML.findall(html):
            name = route_of(link)
            if name is None or name in PUBLIC or name in found:
                continue
            found[name] = urlsplit(unescape(link)).path
            queue.append(found[name])
    for name in set(PRIVATE) - set(found):
        if client.get(placeholder_url(name)).status_code == 405:
            posted.add(name)
    return found, posted & set(PRIVATE)


@pytest.fixture
def world(books, organisation, other_organisation, make_user, client, settings, tmp_path):
    """The organisation's books after a cycle (actions, tasks), and who is who."""
    settings.DATA_DIR = tmp_path
    # A page that breaks shows as a 500 in the checks below instead of stopping the whole walk.
    client.raise_request_exception = False
    cycle_run(organisation=organisation, day=MONDAY)
    admin = make_user(organisation, "admin")
    client.force_login(admin)
    found, posted = crawl(client)
    client.logout()
    return {
        "urls": {name: placeholder_url(name) for name in PRIVATE} | found,
        "posted": posted,
        "viewer": make_user(organisation, "viewer"),
        "stranger": make_user(other_organisation, "admin"),
    }


def test_the_walk_covers_every_route_and_finds_real_objects(world):
    assert set(world["urls"]) == set(PRIVATE)
    # Object pages are reached with real objects, not placeholders.
    for name in ("debtor-detail", "invoice-detail", "settings-member-role"):
        assert PLACEHOLDERS["int"] not in world["urls"][name], name
    assert {"settings-identity", "settings-member-remove", "debtor-note"} <= world["posted"]


def test_anonymous_requests_are_sent_to_the_login_page(client, world):
    login = reverse("backoffice:login")
    wrong = []
    for name in PRIVATE:
        url = world["urls"][name]
        for method in (client.get, client.post):
            response = method(url, follow=True)
            chain = [location for location, _status in response.redirect_chain]
            # A route that does not take this method may say so (405): it reveals nothing.
            if response.status_code == 405 and not chain:
                continue
            if not chain or not chain[-1].startswith(login):
                wrong.append((name, method.__name__, response.status_code, chain))
    assert wrong == []


def test_a_member_of_another_organisation_gets_404_on_this_ones_objects(client, world):
    client.force_login(world["stranger"])
    wrong = []
    for name, url in sorted(world["urls"].items()):
        if PLACEHOLDERS["int"] in url or not re.search(r"<(int|uuid):", ROUTES[name]):
            continue
        for method in (client.get, client.post):
            status = method(url).status_code
            if status not in (404, 405):
                wrong.append((name, method.__name__, url, status))
    assert wrong == []


def test_a_viewer_gets_403_on_every_post_endpoint(client, world):
    client.force_login(world["viewer"])
    reachable = []
    for name in sorted(world["posted"] - ANY_MEMBER_POSTS):
        url = world["urls"][name]
        status = client.post(url).status_code
        # With placeholder arguments a view may look the object up before checking the role.
        if status != 403 and not (status == 404 and PLACEHOLDERS["int"] in url):
            reachable.append((name, status))
    assert reachable == [], reachable


def test_read_pages_answer_a_viewers_post_without_error(client, world):
    """Routes no page POSTs to are read pages; a viewer's stray POST must not break one."""
    client.force_login(world["viewer"])
    errors = [
        (name, status)
        for name in sorted(set(PRIVATE) - world["posted"])
        if (status := client.post(world["urls"][name]).status_code) >= 500
    ]
    assert errors == []
