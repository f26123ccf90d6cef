"""Working a dispute: owner, internal notes, attachments, closing, and telling the debtor."""

import io
from datetime import date
from decimal import Decimal

import pytest

from recouvre.audit.domain.context import acting_through
from recouvre.audit.models import AuditEntry
from recouvre.disputes.domain.services import DisputeError, dispute_close, dispute_open
from recouvre.disputes.domain.workflow import (
    AttachmentRefused,
    attachment_path,
    dispute_assign,
    dispute_attachment_add,
    dispute_debtor_told,
    dispute_note_add,
    dispute_outcome_notice,
    disputes_to_tell,
)
from recouvre.disputes.models import Dispute, DisputeAttachment
from recouvre.ledger.models import Debtor, Invoice
from recouvre.testing.fixtures import TODAY
from recouvre.timeline.models import Event

pytestmark = pytest.mark.integration

CSV = (
    "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\n"
    "F-1;411A;Alpha SARL;2026-08-01;2026-09-01;1000.00\n"
    "F-2;411A;;2026-08-15;2026-09-15;300.00\n"
)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str, content_type: str = "application/pdf") -> None:
        super().__init__(data)
        self.name = name
        self.content_type = content_type


@pytest.fixture
def dispute(organisation, import_csv, in_scope, manager, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    assert import_csv(organisation, CSV).ok
    invoice = Invoice.objects.get(number="F-1")
    return dispute_open(organisation=organisation, invoice=invoice, reason="quality", on=TODAY, actor=manager)


def test_opening_sets_the_answer_date_and_the_source(organisation, dispute, manager):
    assert (dispute.opened_on, dispute.answer_due) == (date(2026, 11, 22), date(2026, 12, 7))
    assert dispute.source == "back_office"  # no interface said otherwise
    with acting_through("cli"):
        other = dispute_open(
            organisation=organisation,
            invoice=Invoice.objects.get(number="F-2"),
            reason="price",
            on=TODAY,
            actor=manager,
        )
    assert other.source == "cli"
    assert Event.objects.get(kind="dispute_opened", data__dispute_id=other.pk).data["source"] == "cli"
    with pytest.raises(DisputeError, match="not a dispute source"):
        dispute_open(
            organisation=organisation,
            invoice=other.invoice,
            reason="price",
            on=TODAY,
            actor=manager,
            source="fax",
        )


def test_a_dispute_saved_without_an_answer_date_gets_one(organisation, dispute):
    bare = Dispute.objects.create(
        organisation=organisation,
        invoice=Invoice.objects.get(number="F-2"),
        debtor=dispute.debtor,
        reason="other",
        opened_on=TODAY,
    )
    assert bare.answer_due == date(2026, 12, 7)


def test_assign_records_once_and_only_to_a_collector(organisation, dispute, manager, make_user):
    agent = make_user(organisation, "agent")
    assert dispute_assign(dispute=dispute, owner=agent, actor=manager) is True
    assert dispute_assign(dispute=dispute, owner=agent, actor=manager) is False  # second click
    dispute.refresh_from_db()
    assert dispute.owner == agent
    events = Event.objects.filter(kind="dispute_assigned")
    assert [(e.data["owner_id"], e.invoice.number, e.actor) for e in events] == [(agent.pk, "F-1", manager)]
    audit = AuditEntry.objects.get(object_type="dispute", object_id=str(dispute.pk), action="update")
    assert audit.changes == {"owner_id": [None, agent.pk]}
    with pytest.raises(DisputeError):
        dispute_assign(dispute=dispute, owner=make_user(organisation, "viewer"), actor=manager)
    assert dispute_assign(dispute=dispute, owner=None, actor=manager) is True
    dispute.refresh_from_db()
    assert dispute.owner is None


def test_a_closed_dispute_is_not_assigned(organisation, dispute, manager):
    dispute_close(
        organisation=organisation, invoice=dispute.invoice, outcome="upheld", on=TODAY, actor=manager
    )
    with pytest.raises(DisputeError):
        dispute_assign(dispute=dispute, owner=manager, actor=manager)


def test_a_note_is_kept_and_recorded_without_its_text(dispute, manager):
    note = dispute_note_add(dispute=dispute, text="  Le client a renvoyé 2 cartons abîmés.  ", actor=manager)
    assert (note.text, note.author, note.dispute) == (
        "Le client a renvoyé 2 cartons abîmés.",
        manager,
        dispute,
    )
    event = Event.objects.get(kind="dispute_note", data__note_id=note.pk)
    assert event.data == {"dispute_id": dispute.pk, "invoice": "F-1", "note_id": note.pk}
    assert "cartons" not in event.summary
    audit = AuditEntry.objects.get(object_type="dispute_note", object_id=str(note.pk))
    assert (audit.object_id, audit.actor, audit.debtor_id) == (str(note.pk), manager, dispute.debtor_id)
    assert "cartons" not in str(audit.changes)
    # The same note again at once (a second click) is not a second note; another text is.
    assert (
        dispute_note_add(dispute=dispute, text="Le client a renvoyé 2 cartons abîmés.", actor=manager) == note
    )
    dispute_note_add(dispute=dispute, text="Avoir à prévoir.", actor=manager)
    assert dispute.notes.count() == 2
    with pytest.raises(DisputeError):
        dispute_note_add(dispute=dispute, text="   ", actor=manager)


def test_an_attachment_is_stored_under_the_data_dir_with_a_name_of_ours(
    organisation, dispute, manager, tmp_path
):
    upload = Upload(PDF, "C:\\Users\\compta\\Bon de livraison n°12.pdf")
    attachment = dispute_attachment_add(
        organisation=organisation, dispute=dispute, uploaded=upload, actor=manager, source="back_office"
    )
    path = attachment_path(attachment)
    assert path.parent == tmp_path / "attachments" / str(organisation.pk) / "disputes" / str(dispute.pk)
    assert path.read_bytes() == PDF
    assert path.name.endswith(".pdf")
    assert "livraison" not in path.name
    assert attachment.original_name == "Bon de livraison n°12.pdf"
    assert (attachment.content_type, attachment.size, attachment.uploaded_by) == (
        "application/pdf",
        len(PDF),
        manager,
    )
    assert len(attachment.sha256) == 64
    event = Event.objects.get(kind="dispute_attachment")
    assert event.data["attachment_id"] == attachment.pk
    assert event.data["by_debtor"] is False
    assert (
        AuditEntry.objects.filter(object_type="dispute_attachment", object_id=str(attachment.pk)).count() == 1
    )
    # The same file again (a second click): kept once.
    again = dispute_attachment_add(
        organisation=organisation,
        dispute=dispute,
        uploaded=Upload(PDF, "copie.pdf"),
        actor=manager,
        source="back_office",
    )
    assert again.pk == attachment.pk
    assert DisputeAttachment.objects.count() == 1


def test_the_debtor_may_send_a_document_through_the_portal(organisation, dispute):
    attachment = dispute_attachment_add(
        organisation=organisation,
        dispute=dispute,
        uploaded=Upload("Photo à venir\n".encode(), "note.txt", "text/plain"),
        actor=None,
        source="portal",
    )
    assert (attachment.uploaded_by, attachment.source, attachment.content_type) == (
        None,
        "portal",
        "text/plain",
    )
    event = Event.objects.get(kind="dispute_attachment")
    assert event.actor is None
    assert event.data["by_debtor"] is True
    assert "débiteur" in event.summary


def test_a_program_pretending_to_be_a_pdf_is_refused_and_nothing_is_kept(
    organisation, dispute, manager, tmp_path
):
    with pytest.raises(AttachmentRefused, match="PDF"):
        dispute_attachment_add(
            organisation=organisation,
            dispute=dispute,
            uploaded=Upload(ELF, "facture.pdf", "application/pdf"),
            actor=manager,
            source="back_office",
        )
    assert not DisputeAttachment.objects.exists()
    assert not Event.objects.filter(kind="dispute_attachment").exists()
    assert not (tmp_path / "attachments").exists()


def test_a_file_over_10_mb_is_refused(organisation, dispute, manager, monkeypatch):
    import recouvre.disputes.domain.workflow as workflow

    monkeypatch.setattr(workflow, "MAX_BYTES", 1000)
    with pytest.raises(AttachmentRefused):
        dispute_attachment_add(
            organisation=organisation,
            dispute=dispute,
            uploaded=Upload(PDF + b" " * 1000, "gros.pdf"),
            actor=manager,
            source="back_office",
        )
    assert not DisputeAttachment.objects.exists()


def test_closing_remembers_the_credit_note_and_that_the_debtor_must_be_told(organisation, dispute, manager):
    assert not disputes_to_tell().exists()
    closed = dispute_close(
        organisation=organisation,
        invoice=dispute.invoice,
        outcome="credit_note",
        on=TODAY,
        actor=manager,
        amount=Decimal("250.00"),
    )
    assert closed.credit_note.number == "AV-F-1"
    assert closed.credit_note.amount == Decimal("250.00")
    assert list(disputes_to_tell()) == [closed]
    subject, body = dispute_outcome_notice(Dispute.objects.get(pk=closed.pk))
    assert "250,00" in subject
    assert "750,00" in body
    assert not Event.objects.filter(kind="debtor_told").exists()  # telling is the outbox's to record

    dispute_debtor_told(dispute=closed, channel="email")
    closed.refresh_from_db()
    assert closed.debtor_to_tell is False
    assert closed.debtor_told_at is not None
    assert not disputes_to_tell().exists()
    told = Event.objects.get(kind="debtor_told")
    assert told.data == {
        "dispute_id": closed.pk,
        "invoice": "F-1",
        "outcome": "credit_note",
        "channel": "email",
    }
    assert AuditEntry.objects.filter(object_type="dispute", changes__debtor_told="email").count() == 1


def test_the_notice_follows_the_debtors_language(organisation, dispute, manager):
    Debtor.objects.filter(pk=dispute.debtor_id).update(language="en")
    dispute_close(
        organisation=organisation, invoice=dispute.invoice, outcome="withdrawn", on=TODAY, actor=manager
    )
    subject, body = dispute_outcome_notice(Dispute.objects.get(pk=dispute.pk))
    assert subject == "Withdrawal of your dispute of invoice F-1"
    assert "1,000.00" in body
    assert "Acme Industrie" in body


def test_an_open_dispute_has_no_outcome_to_tell(dispute):
    with pytest.raises(DisputeError):
        dispute_outcome_notice(dispute)
    with pytest.raises(DisputeError):
        dispute_debtor_told(dispute=dispute, channel="email")
