"""The debtor list and the debtor page, against data imported through the real CSV import."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.ledger.models import Debtor

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NBSP = "\xa0"


def debtor_pk(organisation, ref):
    with scope(organisation=organisation):
        return Debtor.objects.get(ref=ref).pk


def listed_names(response):
    return [d.name for d in response.context["page"].object_list]


def views_of(organisation):
    with scope(organisation=organisation):
        # Imports write audit entries too; only page views matter here.
        return list(AuditEntry.objects.filter(action="view", channel="web"))


def test_the_list_shows_only_the_current_organisations_debtors(signed_in, books):
    response = signed_in.get("/debtors/")
    assert listed_names(response) == ["Dupont Industrie", "Martin & Fils"]
    page = response.content.decode()
    assert "Secret" not in page
    assert "S-777" not in page


@pytest.mark.parametrize("query", ["Secret", "411SECRET", "S-777"])
def test_searching_never_reaches_another_organisation(signed_in, books, query):
    response = signed_in.get("/debtors/", {"q": query})
    assert listed_names(response) == []
    assert "Secret Bêta SARL" not in response.content.decode()
    assert "Aucun débiteur ne correspond" in response.content.decode()


def test_guessing_another_organisations_debtor_url_is_a_404(signed_in, books, other_organisation):
    foreign = debtor_pk(other_organisation, "411SECRET")
    response = signed_in.get(reverse("backoffice:debtor-detail", args=[foreign]))
    assert response.status_code == 404
    assert "Secret" not in response.content.decode()
    assert views_of(other_organisation) == []
    assert views_of(books) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("F-2026-004", ["Dupont Industrie"]),  # an invoice number
        ("f-2026-010", ["Martin & Fils"]),  # case does not matter
        ("732 829 320", ["Dupont Industrie"]),  # a SIREN, typed with spaces
        ("martin", ["Martin & Fils"]),
        ("411DUP", ["Dupont Industrie"]),
    ],
)
def test_search_by_name_ref_siren_or_invoice_number(signed_in, books, query, expected):
    assert listed_names(signed_in.get("/debtors/", {"q": query})) == expected


def test_rows_carry_open_and_overdue_balances_and_days_late(signed_in, books):
    rows = {d.ref: d for d in signed_in.get("/debtors/").context["page"].object_list}
    dupont = rows["411DUPONT"]
    # 1234.56 + 80 overdue (due 30/09 and 01/10), 500 not yet due, 300 paid.
    assert (dupont.open_balance, dupont.overdue_balance, dupont.days_late) == (
        Decimal("1814.56"),
        Decimal("1314.56"),
        53,
    )
    assert (rows["411MARTIN"].overdue_balance, rows["411MARTIN"].days_late) == (Decimal("99.90"), 22)


def test_the_headline_is_the_organisations_aged_balance_in_french_money(signed_in, books):
    page = signed_in.get("/debtors/").content.decode()
    assert "Balance âgée au 22/11/2026" in page
    # Buckets in order: not due, 1-30, 31-60, 61-90, 91+, total.
    headline = page.split('class="aged-balance"')[1].split("</dl>")[0]
    assert re.findall(r"<dt>([^<]*)</dt>", headline) == [
        "Non échu",
        "1 à 30 jours",
        "31 à 60 jours",
        "61 à 90 jours",
        "Plus de 90 jours",
        "Total",
    ]
    cells = re.findall(r'<dd class="num">([^<]*)</dd>', headline)
    assert cells == [
        f"500,00{NBSP}€",
        f"99,90{NBSP}€",
        f"1{NBSP}314,56{NBSP}€",
        f"0,00{NBSP}€",
        f"0,00{NBSP}€",
        f"1{NBSP}914,46{NBSP}€",
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Dupont Industrie", "Martin & Fils"]),
        ("-name", ["Martin & Fils", "Dupont Industrie"]),
        ("open", ["Martin & Fils", "Dupont Industrie"]),
        ("-late", ["Dupont Industrie", "Martin & Fils"]),
        ("late", ["Martin & Fils", "Dupont Industrie"]),
        ("nonsense", ["Dupont Industrie", "Martin & Fils"]),  # falls back to biggest overdue first
    ],
)
def test_the_list_is_sortable(signed_in, books, sort, expected):
    assert listed_names(signed_in.get("/debtors/", {"sort": sort})) == expected


def test_the_list_is_paginated_by_fifty(signed_in, organisation, import_csv):
    lines = "".join(f"F-{n:03};411C{n:03};Client {n:03};2026-01-01;2026-02-01;10.00\n" for n in range(120))
    assert import_csv(
        organisation, "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\n" + lines
    ).ok
    first = signed_in.get("/debtors/", {"sort": "name"})
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 sur 3" in first.content.decode()
    last = signed_in.get("/debtors/", {"sort": "name", "page": 3})
    assert listed_names(last) == [f"Client {n:03}" for n in range(100, 120)]


def test_the_htmx_request_gets_only_the_table(signed_in, books):
    response = signed_in.get("/debtors/", {"q": "dupont"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert "aged-balance" not in page
    assert '<table class="striped debtors">' in page
    assert "Dupont Industrie" in page
    assert "Martin" not in page
    assert "HX-Request" in response["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(signed_in, books):
    response = signed_in.get(
        "/debtors/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_the_debtor_page_shows_identity_invoices_payments_and_timeline(signed_in, books):
    response = signed_in.get(reverse("backoffice:debtor-detail", args=[debtor_pk(books, "411DUPONT")]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        "732829320",
        "12 rue des Lilas",
        "69003 Lyon",
        "compta@dupont.example",
        "+33612345678",
        "PME",
    ]:
        assert text in page
    open_part, closed_part = page.split("Factures ouvertes")[1].split("<details")
    assert [r.invoice.number for r in response.context["open_rows"]] == [
        "F-2026-001",
        "F-2026-004",
        "F-2026-002",
    ]
    assert f"1{NBSP}234,56{NBSP}€" in open_part
    assert "30/09/2026" in open_part
    assert "53 jours" in open_part
    assert "30/09/2031" in open_part  # limitation: five years after the due date for a company
    assert "en litige" in open_part  # F-2026-004 was imported as disputed
    assert "F-2026-003" not in open_part
    assert "F-2026-003" in closed_part.split("</details>")[0]  # paid, in the collapsed section
    assert "15/07/2026" in closed_part  # the import recorded its payment
    timeline = page.split('class="timeline"')[1]
    kinds = re.findall(r"<strong>([^<]+)</strong>", timeline)
    assert kinds[0] == "Litige ouvert"  # newest first
    assert "Débiteur créé" in kinds
    assert "par cli" in timeline


def test_viewing_a_debtor_is_audited(signed_in, books, manager):
    pk = debtor_pk(books, "411DUPONT")
    signed_in.get(reverse("backoffice:debtor-detail", args=[pk]), REMOTE_ADDR="203.0.113.9")
    [entry] = views_of(books)
    assert (entry.action, entry.channel, entry.object_type, entry.debtor_id, entry.actor) == (
        "view",
        "web",
        "debtor",
        pk,
        manager,
    )
    assert (entry.path, entry.ip) == (f"/debtors/{pk}/", "203.0.113.9")


def test_the_list_itself_is_not_audited_as_a_debtor_view(signed_in, books):
    signed_in.get("/debtors/", {"q": "dupont"})
    assert views_of(books) == []


def test_the_debtor_page_shows_its_timeline(signed_in, books, organisation):
    from recouvre.timeline.domain.services import event_record

    pk = debtor_pk(organisation, "411DUPONT")
    with scope(organisation=organisation):
        event_record(organisation=organisation, debtor_id=pk, kind="note", summary="Rappeler <b>jeudi</b>")
    page = signed_in.get(f"/debtors/{pk}/").content.decode()
    timeline = page[page.index('class="timeline"') :]
    assert "Rappeler &lt;b&gt;jeudi&lt;/b&gt;" in timeline
    assert "par le système" in timeline
