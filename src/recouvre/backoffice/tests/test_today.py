"""The Today page: what needs a person today (counts, one click to each list, by role) and the
headline figures, inside the signed-in person's organisation only."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django_scopes import scope

from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise
from recouvre.disputes.models import Dispute
from recouvre.dunning.enums import ActionStatus, Channel
from recouvre.dunning.models import Action
from recouvre.ledger.models import Debtor, Invoice
from recouvre.testing.fixtures import TODAY

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NBSP = "\xa0"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _figures(client, **headers):
    return client.get(reverse("backoffice:today-figures"), **(headers or HTMX))


def _action(debtor, channel, status, days_from_today=0, step="reminder_1"):
    return Action.objects.create(
        organisation=debtor.organisation,
        debtor=debtor,
        step=step,
        channel=channel,
        status=status,
        scheduled_for=TODAY + timedelta(days=days_from_today),
        amount_due=Decimal("1234.56"),
    )


def _promise(debtor, status, made_days_ago, resolved_days_ago=None):
    made = TODAY - timedelta(days=made_days_ago)
    return Promise.objects.create(
        organisation=debtor.organisation,
        debtor=debtor,
        made_on=made,
        promised_date=made + timedelta(days=7),
        window_end=made + timedelta(days=9),
        amount=Decimal("100.00"),
        status=status,
        resolved_on=None if resolved_days_ago is None else TODAY - timedelta(days=resolved_days_ago),
    )


@pytest.fixture
def work(books, other_organisation):
    """Something of every kind in Acme's books, plus decoys that must not be counted."""
    with scope(organisation=books):
        dupont, martin = Debtor.objects.get(ref="411DUPONT"), Debtor.objects.get(ref="411MARTIN")
        for _ in range(2):
            _action(dupont, Channel.REGISTERED_LETTER, ActionStatus.AWAITING_APPROVAL, step="formal_notice")
        _action(dupont, Channel.CALL, ActionStatus.PLANNED, days_from_today=-3, step="call")
        _action(martin, Channel.TASK, ActionStatus.PLANNED, step="litigation_review")
        _action(martin, Channel.CALL, ActionStatus.PLANNED, days_from_today=1, step="call")  # tomorrow
        _action(martin, Channel.CALL, ActionStatus.DONE, days_from_today=-1, step="call")  # done
        _action(martin, Channel.EMAIL, ActionStatus.PLANNED)  # not a call
        _action(dupont, Channel.EMAIL, ActionStatus.FAILED)
        _action(martin, Channel.SMS, ActionStatus.UNKNOWN, step="sms")
        _action(martin, Channel.LETTER, ActionStatus.CANCELLED, step="letter")  # a decision, not a failure
        # Martin broke a promise 5 days ago and made no other; Dupont broke one, then promised again;
        # an older break is past the 30 days.
        _promise(martin, PromiseStatus.BROKEN, made_days_ago=20, resolved_days_ago=5)
        _promise(dupont, PromiseStatus.BROKEN, made_days_ago=25, resolved_days_ago=10)
        _promise(dupont, PromiseStatus.OPEN, made_days_ago=2)
        old = Debtor.objects.create(organisation=books, ref="411OLD", name="Ancien Client")
        _promise(old, PromiseStatus.BROKEN, made_days_ago=60, resolved_days_ago=40)
        # The CSV's disputed invoice opened one dispute, Dupont contests another invoice: two
        # disputes, one debtor. A closed one does not count.
        closed = Dispute.objects.get()
        Dispute.objects.create(
            organisation=books,
            invoice=Invoice.objects.get(number="F-2026-001"),
            debtor=dupont,
            reason="quality",
            opened_on=TODAY - timedelta(days=2),
        )
        Dispute.objects.create(
            organisation=books,
            invoice=closed.invoice,
            debtor=closed.debtor,
            reason="price",
            status="closed",
            opened_on=TODAY - timedelta(days=50),
            closed_on=TODAY - timedelta(days=40),
        )
    with scope(organisation=other_organisation):
        secret = Debtor.objects.get(ref="411SECRET")
        _action(secret, Channel.REGISTERED_LETTER, ActionStatus.AWAITING_APPROVAL, step="formal_notice")
        _action(secret, Channel.CALL, ActionStatus.PLANNED, step="call")
        _action(secret, Channel.EMAIL, ActionStatus.FAILED)
        _promise(secret, PromiseStatus.BROKEN, made_days_ago=20, resolved_days_ago=5)
    return books


def _tiles(page: str) -> str:
    return re.search(r'<ul class="today-tiles">(.*?)</ul>', page, re.S).group(1)


def _tile(page: str, key: str) -> str:
    return re.search(
        rf'<li class="today-tile today-tile-{key}[^"]*" id="tile-{key}">(.*?)</li>', page, re.S
    ).group(1)


def _calls_url() -> str:
    try:
        return reverse("backoffice:worklist")
    except NoReverseMatch:
        return reverse("backoffice:task-list")


def test_the_home_page_is_the_today_page(signed_in, work):
    response = signed_in.get(reverse("backoffice:home"))
    assert response.status_code == 200
    assert response.templates[0].name == "backoffice/today/home.html"
    page = response.content.decode()
    assert "<h1>Aujourd&#x27;hui</h1>" in page or "<h1>Aujourd'hui</h1>" in page
    assert 'aria-current="page">Aujourd' in page
    assert "backoffice/today.css" in page
    # The headline figures follow in a second request; without JavaScript, a link to them.
    figures_url = reverse("backoffice:today-figures")
    assert f'hx-get="{figures_url}" hx-trigger="load" hx-swap="outerHTML"' in page
    assert f'<noscript><p><a href="{figures_url}">' in page


def test_a_manager_sees_every_count_and_one_click_to_each_list(signed_in, work):
    response = signed_in.get("/")
    counts = response.context["counts"]
    assert (
        counts.awaiting_approval,
        counts.calls_due,
        counts.open_disputes,
        counts.broken_promises,
        counts.failed_sends,
    ) == (2, 2, 2, 1, 2)
    assert counts.disputed_debtors == 1
    page = response.content.decode()
    assert not counts.nothing_to_do
    assert "Rien ne vous attend" not in page

    approvals = _tile(page, "approvals")
    assert f'href="{reverse("backoffice:approval-list")}"' in approvals
    assert '<span class="today-number">2</span>' in approvals
    assert "mises en demeure ou envois à approuver" in approvals
    calls = _tile(page, "calls")
    assert f'href="{_calls_url()}"' in calls
    assert '<span class="today-number">2</span>' in calls
    disputes = _tile(page, "disputes")
    assert f'href="{reverse("backoffice:dispute-list")}"' in disputes
    assert "2</span>" in disputes
    assert "litiges ouverts" in disputes
    assert "Chez 1 débiteur : ses relances attendent la résolution." in disputes
    promises = _tile(page, "promises")
    assert f'href="{reverse("backoffice:debtor-list")}?has=broken_promise"' in promises
    assert "promesse non tenue" in promises
    failed = _tile(page, "failed")
    assert f'href="{reverse("backoffice:action-list")}?status=problems"' in failed
    assert "envois en échec ou d\u2019issue inconnue" in failed


def test_the_failed_sends_link_lists_what_was_counted(signed_in, work):
    listed = signed_in.get(reverse("backoffice:action-list") + "?status=problems")
    assert listed.status_code == 200
    assert listed.context["problem_count"] == signed_in.get("/").context["counts"].failed_sends


def test_a_new_promise_after_a_broken_one_takes_it_off_the_page(signed_in, work):
    with scope(organisation=work):
        martin = Debtor.objects.get(ref="411MARTIN")
        _promise(martin, PromiseStatus.OPEN, made_days_ago=1)
    assert signed_in.get("/").context["counts"].broken_promises == 0


def test_nothing_to_do_is_said_kindly(signed_in, organisation):
    response = signed_in.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["counts"].nothing_to_do
    assert "Rien ne vous attend" in page
    assert "Aucune facture contestée." in page
    assert 'class="today-clear" role="status"' in page
    # The figures of empty books: nothing open, no DSO, nothing collected.
    page = _figures(signed_in).content.decode()
    assert f"0,00{NBSP}€" in page
    assert "Aucun encours : rien à recouvrer." in page


def test_an_agent_sees_their_own_calls_first(client, work, make_user):
    agent = make_user(work, "agent")
    with scope(organisation=work):
        Debtor.objects.filter(ref="411DUPONT").update(agent=agent)
        own_call = Action.objects.get(debtor__ref="411DUPONT", channel=Channel.CALL)
    client.force_login(agent)
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["counts"].my_calls_due == 1
    assert page.index("Mes appels") < page.index("À traiter aujourd")
    my_calls = re.search(r'<ul class="my-calls-list">(.*?)</ul>', page, re.S).group(1)
    assert f'href="{reverse("backoffice:task-detail", args=[own_call.pk])}"' in my_calls
    assert "Dupont Industrie" in my_calls
    assert "prévu il y a 3 jours" in my_calls
    assert "Martin" not in my_calls
    # An agent works calls, disputes and promises; approving and failed sends are a manager's.
    assert "href=" in _tile(page, "calls")
    assert "href=" in _tile(page, "disputes")
    assert "href=" not in _tile(page, "approvals")
    assert "href=" not in _tile(page, "failed")
    assert '<span class="today-number">2</span>' in _tile(page, "approvals")


def test_an_agent_without_calls_is_told_so(client, work, make_user):
    client.force_login(make_user(work, "agent"))
    page = client.get("/").content.decode()
    assert "Mes appels" in page
    assert "Aucun appel à passer sur vos débiteurs aujourd&#x27;hui." in page or (
        "Aucun appel à passer sur vos débiteurs aujourd'hui." in page
    )


def test_a_viewer_sees_the_counts_without_action_links(client, work, make_user):
    client.force_login(make_user(work, "viewer"))
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    tiles = _tiles(page)
    assert "<a " not in tiles
    assert '<span class="today-number">2</span>' in _tile(page, "approvals")
    assert "Mes appels" not in page
    assert "Échu" in _figures(client).content.decode()  # the figures are for everyone


def test_another_organisations_work_and_money_stay_out(client, work, other_organisation, make_user):
    # Bêta has one of everything too (see `work`), and a 4 321 € invoice.
    client.force_login(make_user(other_organisation, "manager"))
    response = client.get("/")
    counts = response.context["counts"]
    assert (counts.awaiting_approval, counts.calls_due, counts.failed_sends, counts.broken_promises) == (
        1,
        1,
        1,
        1,
    )
    assert counts.open_disputes == 0
    page = _figures(client).content.decode()
    assert f"4{NBSP}321,00{NBSP}€" in page
    assert "1 414,46" not in page.replace(NBSP, " ")


def test_the_headline_figures(signed_in, books):
    response = _figures(signed_in)
    assert response.status_code == 200
    assert response.templates[0].name == "backoffice/today/_figures.html"
    assert "<html" not in response.content.decode()
    page = response.content.decode()
    figures = response.context["figures"]
    # Overdue: F-001 1 234,56 + F-004 80,00 (disputed, still owed) + F-010 99,90; F-002 is not due.
    assert figures.overdue_total == Decimal("1414.46")
    assert figures.open_total == Decimal("1914.46")
    assert f"1{NBSP}414,46{NBSP}€" in page
    assert f"sur un encours total de 1{NBSP}914,46{NBSP}€" in page
    # Count-back: November 500 (22 days), October 99,90 (31), September 80 (30), then August's
    # 1 234,56 covers exactly what is left (31): 114 days, sales counted from 01/08/2026.
    assert figures.dso.days == 114
    assert "114 jours" in page
    assert "ventes facturées du 01/08/2026 au 22/11/2026" in page
    # The only payment (F-003, July) is outside both months.
    assert "rien d\u2019encaissé du 01/10/2026 au 22/10/2026" in page
    # The aged balance as a table with a bar per bucket and the amounts as text.
    chart = re.search(r'<table class="aged-chart">(.*?)</table>', page, re.S).group(1)
    assert "<caption>Balance âgée au 22/11/2026" in chart
    assert '<th scope="row">1 à 30 jours</th>' in chart
    assert f'<td class="num">500,00{NBSP}€</td>' in chart
    # 31-60 days (F-001, 53 days late) is the largest bucket: the full bar.
    assert re.search(r'bucket-31-60">.*?<rect width="100%"', chart, re.S)
    assert 'aria-hidden="true"' in chart


def test_cash_collected_is_compared_with_the_same_days_last_month(signed_in, books, manager):
    from recouvre.ledger.domain.services import payment_record

    with scope(organisation=books):
        dupont = Debtor.objects.get(ref="411DUPONT")
        for amount, day in (
            (Decimal("200.00"), TODAY.replace(day=3)),
            (Decimal("160.00"), TODAY.replace(month=10)),
        ):
            payment_record(organisation=books, debtor=dupont, amount=amount, on=day, actor=manager)
    page = _figures(signed_in).content.decode()
    assert f"200,00{NBSP}€" in page
    assert f"+25{NBSP}%" in page
    assert 'par rapport au <span class="nowrap">01/10/2026\u201322/10/2026</span>' in page


def test_the_page_costs_a_fixed_number_of_queries(signed_in, work, django_assert_max_num_queries):
    # Counts and grouped sums only: the number of queries does not grow with the books.
    with django_assert_max_num_queries(20):
        assert signed_in.get("/").status_code == 200
    with django_assert_max_num_queries(12):
        assert _figures(signed_in).status_code == 200


def test_the_page_speaks_english(signed_in, books):
    signed_in.post(reverse("backoffice:set_language"), {"language": "en", "next": "/"})
    page = _figures(signed_in, HTTP_ACCEPT="text/html").content.decode()
    assert 'lang="en"' in page
    assert f"1,414.46{NBSP}€" in page
    assert "2026-11-22" in page


def test_without_javascript_the_figures_are_a_page_of_their_own(signed_in, books):
    response = signed_in.get(reverse("backoffice:today-figures"))
    assert response.status_code == 200
    assert response.templates[0].name == "backoffice/today/figures.html"
    page = response.content.decode()
    assert "<h1>Chiffres clés</h1>" in page
    assert f'<a href="{reverse("backoffice:home")}">' in page
    assert f"1{NBSP}414,46{NBSP}€" in page
    assert response["Vary"].count("HX-Request") == 1


def test_the_figures_need_a_signed_in_member(client, books, django_user_model):
    response = client.get(reverse("backoffice:today-figures"), **HTMX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:login"))
    client.force_login(django_user_model.objects.create_user("loner@example.fr", "correct-horse-42"))
    response = client.get(reverse("backoffice:today-figures"), **HTMX)
    assert response.status_code == 403
    assert "1 414" not in response.content.decode().replace(NBSP, " ")
