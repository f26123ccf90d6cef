"""The debtor list and the debtor page, against data imported through the real CSV import."""

import re

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


def test_guessing_another_organisations_debtor_url_is_a_404(signed_in, books, other_organisation):
    foreign = debtor_pk(other_organisation, "411SECRET")
    response = signed_in.get(reverse("backoffice:debtor-detail", args=[foreign]))
    assert response.status_code == 404
    assert "Secret" not in response.content.decode()
    assert views_of(other_organisation) == []
    assert views_of(books) == []


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


def test_the_debtor_page_shows_its_timeline(signed_in, books, organisation):
    from recouvre.timeline.domain.services import event_record

    pk = debtor_pk(organisation, "411DUPONT")
    with scope(organisation=organisation):
        event_record(organisation=organisation, debtor_id=pk, kind="note", summary="Rappeler <b>jeudi</b>")
    page = signed_in.get(f"/debtors/{pk}/").content.decode()
    timeline = page[page.index('class="timeline"') :]
    assert "Rappeler &lt;b&gt;jeudi&lt;/b&gt;" in timeline
    assert "par le système" in timeline


def test_the_debtor_page_says_where_the_scenario_stands_and_what_comes_next(signed_in, books):
    page = signed_in.get(f"/debtors/{debtor_pk(books, '411DUPONT')}/").content.decode()
    outlook = page.split('id="outlook-title"')[1].split("</section>")[0]
    assert "B2B standard" in outlook
    assert "(automatique)" in outlook
    # No case yet (the cycle has not run); F-2026-001 is 53 days overdue: the first reminder is due now.
    assert "Relance 1 au plus tôt le 22/11/2026" in outlook


def _penalty(amount: str, days: int) -> str:
    """B2B interest of one half-year (ECB rate of H2 2026 + 10 points, actual/365, half-up) plus 40 EUR,
    from the packaged table: the figure french-law.md defines, computed here by hand."""
    from decimal import ROUND_HALF_UP, Decimal

    from recouvre.law.domain.rates import HalfYear
    from recouvre.ledger.domain.penalties import rate_table

    rate = rate_table().ecb_mro(HalfYear(2026, 2)) + Decimal("10")
    interest = (Decimal(amount) * rate / 100 * days / 365).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{interest + 40:.2f}".replace(".", ",")


def test_the_debtor_page_shows_each_invoices_penalties_and_their_basis(signed_in, books):
    page = signed_in.get(f"/debtors/{debtor_pk(books, '411DUPONT')}/").content.decode()
    open_part = page.split('id="open-title"')[1].split("</section>")[0]
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in open_part.split("<tr>")[2:]}
    # 53 and 52 days late on 22/11/2026; the disputed invoice still bears penalties (only reminders stop).
    assert _penalty("1234.56", 53) in rows["F-2026-001"]
    assert _penalty("80.00", 52) in rows["F-2026-004"]
    assert "dont 40,00" in rows["F-2026-001"]
    # Not yet due: nothing.
    assert '<td class="num penalties"><span class="muted">—</span></td>' in rows["F-2026-002"]
    assert "BCE + 10 points" in open_part
    assert "table des taux du 05/02/2026" in open_part


def test_open_invoices_link_to_their_page(signed_in, books):
    page = signed_in.get(f"/debtors/{debtor_pk(books, '411DUPONT')}/").content.decode()
    with scope(organisation=books):
        from recouvre.ledger.models import Invoice

        invoice = Invoice.objects.get(number="F-2026-001")
    assert f'href="/invoices/{invoice.pk}/"' in page


def test_a_sent_letter_in_the_timeline_links_to_its_message_and_pdf(signed_in, books):
    from recouvre.timeline.domain.services import event_record

    pk = debtor_pk(books, "411DUPONT")
    with scope(organisation=books):
        event_record(
            organisation=books,
            debtor_id=pk,
            kind="message_sent",
            summary="Courrier envoyé (letter)",
            data={"action_id": 4242, "channel": "letter", "step": "letter"},
        )
    timeline = signed_in.get(f"/debtors/{pk}/").content.decode().split('class="timeline"')[1]
    assert 'href="/actions/4242/"' in timeline
    assert 'href="/actions/4242/document/"' in timeline
    assert "Ouvrir le message envoyé" in timeline


def test_the_debtor_page_reads_in_a_bounded_number_of_queries(
    signed_in, books, django_assert_max_num_queries
):
    pk = debtor_pk(books, "411DUPONT")
    # Raised from 40 to 42 with the promises-and-plans section and the portal's last visits.
    with django_assert_max_num_queries(42):
        assert signed_in.get(f"/debtors/{pk}/").status_code == 200
