"""The disputes' pages: the list by age with its filters, a dispute's page, who may assign, write,
upload and close, and attachments served only inside their organisation."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.disputes.domain.services import dispute_open
from recouvre.disputes.domain.workflow import dispute_attachment_add
from recouvre.disputes.models import Dispute, DisputeAttachment
from recouvre.ledger.models import Invoice
from recouvre.testing.fixtures import TODAY
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
NBSP = "\xa0"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
LIST = "/disputes/"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _open(organisation, number, days_ago, reason="price", actor=None):
    with scope(organisation=organisation):
        invoice = Invoice.objects.get(number=number)
        return dispute_open(
            organisation=organisation,
            invoice=invoice,
            reason=reason,
            on=TODAY - timedelta(days=days_ago),
            actor=actor,
        )


@pytest.fixture
def disputes(books, manager):
    """One open dispute per age band (the import opened F-2026-004's today)."""
    with scope(organisation=books):
        imported = Dispute.objects.get(invoice__number="F-2026-004")
    return {
        "0-7": imported,  # 80.00, 0 days
        "8-15": _open(books, "F-2026-001", 10, "quality", manager),  # 1,234.56
        "16-30": _open(books, "F-2026-002", 20, "delivery", manager),  # 500.00
        "31+": _open(books, "F-2026-010", 40, "price", manager),  # 99.90
    }


def _rows(response) -> list[str]:
    return [dispute.invoice.number for dispute in response.context["rows"]]


def _bands(response) -> dict[str, tuple[int, Decimal]]:
    return {band.key: (band.count, band.amount) for band, _label in response.context["bands"]}


def test_the_list_counts_and_sums_open_disputes_by_age(signed_in, disputes):
    response = signed_in.get(LIST)
    assert response.status_code == 200
    assert _bands(response) == {
        "0-7": (1, Decimal("80.00")),
        "8-15": (1, Decimal("1234.56")),
        "16-30": (1, Decimal("500.00")),
        "31+": (1, Decimal("99.90")),
    }
    assert response.context["total_count"] == 4
    assert response.context["total_amount"] == Decimal("1914.46")
    page = response.content.decode()
    assert f"1{NBSP}914,46{NBSP}€" in page
    # Oldest first; each row links to its invoice page and to the dispute's page.
    assert _rows(response) == ["F-2026-010", "F-2026-002", "F-2026-001", "F-2026-004"]
    for dispute in disputes.values():
        assert f'href="{reverse("backoffice:invoice-detail", args=[dispute.invoice_id])}"' in page
        assert f'href="{reverse("backoffice:dispute-detail", args=[dispute.pk])}"' in page
    # Answers were due 15 days after opening: the two oldest are late.
    assert page.count("en retard</span>") == 2


def test_a_closed_dispute_leaves_the_list(signed_in, disputes):
    signed_in.post(reverse("backoffice:dispute-close", args=[disputes["31+"].pk]), {"outcome": "withdrawn"})
    response = signed_in.get(LIST)
    assert _bands(response)["31+"] == (0, Decimal("0.00"))
    assert "F-2026-010" not in _rows(response)


def test_filters_and_sorts(signed_in, disputes, organisation, make_user, manager):
    agent = make_user(organisation, "agent")
    signed_in.post(reverse("backoffice:dispute-assign", args=[disputes["8-15"].pk]), {"owner": agent.pk})
    assert _rows(signed_in.get(LIST, {"owner": agent.pk})) == ["F-2026-001"]
    assert _rows(signed_in.get(LIST, {"owner": "none"})) == ["F-2026-010", "F-2026-002", "F-2026-004"]
    assert _rows(signed_in.get(LIST, {"reason": "delivery"})) == ["F-2026-002"]
    assert _rows(signed_in.get(LIST, {"late": "on"})) == ["F-2026-010", "F-2026-002"]
    assert _rows(signed_in.get(LIST, {"sort": "-amount"})) == [
        "F-2026-001",
        "F-2026-002",
        "F-2026-010",
        "F-2026-004",
    ]
    assert _rows(signed_in.get(LIST, {"sort": "age"})) == [
        "F-2026-004",
        "F-2026-001",
        "F-2026-002",
        "F-2026-010",
    ]
    # A band narrows the rows; the bands still count what the other filters keep.
    by_band = signed_in.get(LIST, {"age": "16-30"})
    assert _rows(by_band) == ["F-2026-002"]
    assert by_band.context["total_count"] == 4
    late_only = signed_in.get(LIST, {"late": "on"})
    assert _bands(late_only)["0-7"] == (0, Decimal("0.00"))
    assert late_only.context["total_count"] == 2
    # A bad value is left out, not an error.
    assert signed_in.get(LIST, {"owner": "12345", "sort": "nope"}).status_code == 200


def test_the_dispute_page_shows_the_dispute_and_marks_a_late_answer(signed_in, disputes):
    dispute = disputes["16-30"]
    response = signed_in.get(reverse("backoffice:dispute-detail", args=[dispute.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Litige sur la facture F-2026-002" in page
    assert f'href="{reverse("backoffice:invoice-detail", args=[dispute.invoice_id])}"' in page
    assert "Livraison" in page
    assert "17/11/2026" in page  # opened 02/11, answer due 15 days later
    assert "réponse en retard" in page
    assert "Clore le litige" in page
    with scope(organisation=dispute.organisation):
        looks = AuditEntry.objects.filter(object_type="dispute", object_id=str(dispute.pk), action="view")
        assert looks.exists()
    fresh = signed_in.get(reverse("backoffice:dispute-detail", args=[disputes["0-7"].pk])).content.decode()
    assert "réponse en retard" not in fresh


def test_an_agent_takes_a_dispute_but_assigns_nobody_else(client, disputes, organisation, make_user):
    agent = make_user(organisation, "agent")
    colleague = make_user(organisation, "agent", email="colleague@acme.example")
    client.force_login(agent)
    dispute = disputes["8-15"]
    url = reverse("backoffice:dispute-assign", args=[dispute.pk])
    page = client.get(reverse("backoffice:dispute-detail", args=[dispute.pk])).content.decode()
    assert "Je m\u2019en occupe" in page
    assert "Clore le litige" not in page
    assert client.post(url, {"owner": colleague.pk}).status_code == 403
    assert client.post(url, {"owner": agent.pk}).status_code == 302
    with scope(organisation=organisation):
        assert Dispute.objects.get(pk=dispute.pk).owner == agent
        assert Event.objects.filter(kind="dispute_assigned", data__owner_id=agent.pk).count() == 1
    # Giving it back is allowed; taking it from someone else is not.
    assert client.post(url, {"owner": ""}).status_code == 302
    assert client.post(url, {"owner": agent.pk}).status_code == 302
    client.force_login(colleague)
    assert client.post(url, {"owner": ""}).status_code == 403


def test_a_manager_assigns_anyone_and_a_viewer_nobody(signed_in, client, disputes, organisation, make_user):
    agent = make_user(organisation, "agent")
    dispute = disputes["31+"]
    url = reverse("backoffice:dispute-assign", args=[dispute.pk])
    assert signed_in.post(url, {"owner": agent.pk}).status_code == 302
    with scope(organisation=organisation):
        assert Dispute.objects.get(pk=dispute.pk).owner == agent
    viewer = make_user(organisation, "viewer")
    # Someone outside the organisation's collectors is not a choice.
    assert signed_in.post(url, {"owner": viewer.pk}).status_code == 400
    client.force_login(viewer)
    assert client.post(url, {"owner": viewer.pk}).status_code == 403


def test_an_agent_cannot_close_a_dispute_and_a_manager_closes_it_once(
    signed_in, disputes, organisation, make_user
):
    dispute = disputes["8-15"]
    url = reverse("backoffice:dispute-close", args=[dispute.pk])
    agent = Client()  # `client` is the manager's (signed_in)
    agent.force_login(make_user(organisation, "agent"))
    assert agent.post(url, {"outcome": "upheld"}).status_code == 403
    refused = signed_in.post(url, {"outcome": "credit_note"})
    assert refused.status_code == 400
    for _ in range(2):
        response = signed_in.post(url, {"outcome": "credit_note", "amount": "234,56"})
        assert response.status_code == 302
    with scope(organisation=organisation):
        closed = Dispute.objects.get(pk=dispute.pk)
        assert (closed.status, closed.outcome, closed.closed_on) == ("closed", "credit_note", TODAY)
        assert Invoice.objects.get(pk=dispute.invoice_id).open_amount == Decimal("1000.00")
        assert Invoice.objects.filter(applies_to_id=dispute.invoice_id).count() == 1
        assert closed.debtor_to_tell is True
    page = signed_in.get(reverse("backoffice:dispute-detail", args=[dispute.pk])).content.decode()
    assert "AV-F-2026-001" in page
    assert "pas encore" in page  # the debtor has not been told yet


def test_notes_are_added_and_shown_on_the_dispute_page(signed_in, disputes, organisation, client, make_user):
    dispute = disputes["0-7"]
    url = reverse("backoffice:dispute-note", args=[dispute.pk])
    assert signed_in.post(url, {"text": ""}).status_code == 400
    assert signed_in.post(url, {"text": "Appeler le transporteur."}).status_code == 302
    page = signed_in.get(reverse("backoffice:dispute-detail", args=[dispute.pk])).content.decode()
    assert "Appeler le transporteur." in page
    client.force_login(make_user(organisation, "viewer"))
    assert client.post(url, {"text": "Non."}).status_code == 403


def test_an_attachment_is_uploaded_and_downloaded(signed_in, disputes, organisation, data_dir):
    dispute = disputes["0-7"]
    url = reverse("backoffice:dispute-attachment-add", args=[dispute.pk])
    upload = SimpleUploadedFile("Bon de livraison.pdf", PDF, content_type="application/pdf")
    assert signed_in.post(url, {"file": upload}).status_code == 302
    with scope(organisation=organisation):
        attachment = DisputeAttachment.objects.get()
    page = signed_in.get(reverse("backoffice:dispute-detail", args=[dispute.pk])).content.decode()
    download = reverse("backoffice:dispute-attachment", args=[dispute.pk, attachment.pk])
    assert f'href="{download}"' in page
    assert "Bon de livraison.pdf" in page
    response = signed_in.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    # Nothing under a static or media URL: the only way in is the view.
    assert not re.search(r"/(static|media)/[^\"]*attachments", page)


def test_a_program_dressed_as_a_pdf_is_refused_with_a_message(signed_in, disputes, organisation):
    dispute = disputes["0-7"]
    url = reverse("backoffice:dispute-attachment-add", args=[dispute.pk])
    upload = SimpleUploadedFile("facture.pdf", ELF, content_type="application/pdf")
    response = signed_in.post(url, {"file": upload})
    assert response.status_code == 400
    assert "Ce type de fichier n&#x27;est pas accepté" in response.content.decode()
    with scope(organisation=organisation):
        assert not DisputeAttachment.objects.exists()


def test_an_attachment_of_another_organisation_is_404(signed_in, disputes, other_organisation):
    other = _open(other_organisation, "S-777", 3)
    with scope(organisation=other_organisation):
        theirs = dispute_attachment_add(
            organisation=other_organisation,
            dispute=other,
            uploaded=SimpleUploadedFile("secret.pdf", PDF),
            actor=None,
            source="portal",
        )
    assert (
        signed_in.get(reverse("backoffice:dispute-attachment", args=[other.pk, theirs.pk])).status_code == 404
    )
    # Nor through one of this organisation's disputes.
    mine = disputes["0-7"].pk
    assert signed_in.get(reverse("backoffice:dispute-attachment", args=[mine, theirs.pk])).status_code == 404
    assert signed_in.get(reverse("backoffice:dispute-detail", args=[other.pk])).status_code == 404


def test_the_navigation_and_the_today_tile_lead_to_the_list(signed_in, disputes):
    page = signed_in.get("/").content.decode()
    tile = re.search(r'id="tile-disputes">(.*?)</li>', page, re.S).group(1)
    assert f'href="{LIST}"' in tile
    nav = re.search(r'<nav class="container-fluid".*?</nav>', page, re.S).group(0)
    assert f'<a href="{LIST}">Litiges</a>' in nav
