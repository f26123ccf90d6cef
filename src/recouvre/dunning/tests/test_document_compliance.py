"""Every document the product generates passes its compliance check, a doctored one fails it, and the
dispatcher keeps a failing document in the building (issue 5's "Done when")."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django_scopes import scope

from recouvre.dunning.domain import compose
from recouvre.dunning.domain.compose import compose_message, letter_content
from recouvre.dunning.domain.conformity import action_document_check, visible_text
from recouvre.dunning.domain.dispatch import dispatch_pass
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.dunning.tests.support import actions, line, load, run_day
from recouvre.law.domain.compliance import L111_8_PARAGRAPHS
from recouvre.ledger.domain.penalties import invoices_penalties
from recouvre.ledger.models import Debtor, Invoice
from recouvre.messaging.domain.template_defaults import CHANNELS, PROFILES
from recouvre.messaging.letters.render import letter_html
from recouvre.tenancy.domain.agency import AgencyClient, agency_client_write
from recouvre.timeline.enums import EventKind
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TODAY = date(2026, 11, 23)
DOCUMENT_CODES = [code for code, channel in CHANNELS.items() if channel not in ("call", "task")]


def _portfolio(organisation, import_csv):
    """One debtor per type and language, each with two overdue invoices across a half-year."""
    lines = []
    for kind in ("B2B", "B2C", "PUBLIC"):
        for language in ("fr", "en"):
            ref = f"{kind}-{language}"
            lines.append(line(f"{ref}-1", ref, date(2026, 5, 15), "1200.00", kind=kind))
            lines.append(line(f"{ref}-2", ref, date(2026, 9, 30), "830.50", kind=kind))
    load(import_csv, organisation, *lines, today=TODAY)
    with scope(organisation=organisation):
        for debtor in Debtor.objects.filter(ref__endswith="-en"):
            debtor.language = "en"
            debtor.save(update_fields=["language"])


def _agency(organisation):
    organisation.is_agency = True
    organisation.address, organisation.postcode, organisation.city = "12 quai Perrache", "69002", "Lyon"
    organisation.settings = agency_client_write(
        organisation.settings, AgencyClient("Fonderies du Rhône SA", ("4 rue des Forges", "69007 Lyon"))
    )
    organisation.save()


def _documents(organisation, monkeypatch):
    """(label, findings, text) for every code, debtor type, language and payer profile."""
    produced = []
    with scope(organisation=organisation):
        for debtor in Debtor.objects.order_by("ref"):
            invoices = list(Invoice.objects.filter(debtor=debtor).order_by("due_date"))
            for code in DOCUMENT_CODES:
                channel = CHANNELS[code]
                step = code.removesuffix("_letter") if code.endswith("_letter") else code
                for profile in PROFILES:
                    monkeypatch.setattr(compose, "debtor_profile", lambda *_a, p=profile: p)
                    action = Action(
                        id=9000 + len(produced),
                        organisation=organisation,
                        debtor=debtor,
                        step=step,
                        channel=channel,
                        scheduled_for=TODAY,
                    )
                    composed = compose_message(action, debtor, organisation, invoices, TODAY)
                    content = None
                    if channel in ("letter", "registered_letter"):
                        content = letter_content(action, debtor, organisation, invoices, composed, TODAY)
                    findings = action_document_check(
                        action, debtor, organisation, invoices, composed, TODAY, content
                    )
                    text = visible_text(letter_html(content)) if content else composed.body_text
                    produced.append((f"{debtor.ref}/{code}/{profile}", findings, text, content, action))
    return produced


def test_every_generated_document_passes_its_check(organisation, import_csv, monkeypatch) -> None:
    _portfolio(organisation, import_csv)
    produced = _documents(organisation, monkeypatch)
    assert len(produced) == 6 * len(DOCUMENT_CODES) * len(PROFILES)
    failing = {label: findings for label, findings, *_ in produced if findings}
    assert failing == {}


def test_every_agency_document_passes_and_carries_r124_4(organisation, import_csv, monkeypatch) -> None:
    _agency(organisation)
    _portfolio(organisation, import_csv)
    produced = _documents(organisation, monkeypatch)
    assert {label: findings for label, findings, *_ in produced if findings} == {}
    letter_text = next(text for label, _f, text, *_ in produced if label == "B2B-fr/formal_notice/standard")
    assert "recouvrement amiable" in letter_text
    assert "Fonderies du Rhône SA" in letter_text
    assert "4 rue des Forges" in letter_text
    assert "12 quai Perrache" in letter_text
    flat = " ".join(letter_text.split())
    assert all(" ".join(paragraph.split()) in flat for paragraph in L111_8_PARAGRAPHS)


def _doctor(content, **changes):
    return dataclasses.replace(content, **changes)


def test_doctored_letters_fail(organisation, import_csv, monkeypatch) -> None:
    _portfolio(organisation, import_csv)
    produced = {label: rest for label, *rest in _documents(organisation, monkeypatch)}

    def check(label, content):
        _findings, _text, _original, action = produced[label]
        with scope(organisation=organisation):
            debtor = action.debtor
            invoices = list(Invoice.objects.filter(debtor=debtor).order_by("due_date"))
            composed = compose.Composed(content.subject, "\n\n".join(content.paragraphs), "", "")
            return {
                f.code
                for f in action_document_check(
                    action, debtor, organisation, invoices, composed, TODAY, content
                )
            }

    _f, _t, notice, _a = produced["B2B-fr/formal_notice/standard"]
    # Without the 40 EUR: every paragraph and the basis line that state it are dropped.
    stripped = tuple(p for p in notice.paragraphs if "40 €" not in p)
    unstated = tuple(dataclasses.replace(i, indemnity=None) for i in notice.invoices)
    assert "indemnity_missing" in check(
        "B2B-fr/formal_notice/standard", _doctor(notice, paragraphs=stripped, basis="", invoices=unstated)
    )
    # Without the rate: the basis line and the rate in the text are gone.
    no_rate = tuple(p.replace("12,15\u00a0% l'an", "") for p in notice.paragraphs)
    assert "penalty_rate_missing" in check(
        "B2B-fr/formal_notice/standard", _doctor(notice, paragraphs=no_rate, basis="")
    )
    # Without a deadline.
    no_deadline = tuple(p for p in notice.paragraphs if "au plus tard" not in p)
    assert "formal_notice_deadline" in check(
        "B2B-fr/formal_notice/standard", _doctor(notice, paragraphs=no_deadline, deadline=None)
    )
    # Bailiff wording and a threat of seizure.
    threatening = (*notice.paragraphs, "Un huissier procédera à la saisie de vos biens.")
    assert {"court_imitation", "unlawful_threat"} <= check(
        "B2B-fr/formal_notice/standard", _doctor(notice, paragraphs=threatening)
    )
    # Fees claimed from a consumer.
    _f, _t, consumer, _a = produced["B2C-fr/formal_notice/standard"]
    fees = (*consumer.paragraphs, "Des frais de dossier de 25 € s'ajoutent à votre dette.")
    assert "consumer_fees" in check("B2C-fr/formal_notice/standard", _doctor(consumer, paragraphs=fees))


def test_the_formal_notice_claims_each_invoices_penalties_to_the_day(organisation, import_csv, monkeypatch):
    _portfolio(organisation, import_csv)
    produced = {label: rest for label, *rest in _documents(organisation, monkeypatch)}
    _f, text, content, _a = produced["B2B-fr/formal_notice/standard"]
    with scope(organisation=organisation):
        invoices = list(Invoice.objects.filter(debtor__ref="B2B-fr").order_by("due_date"))
        expected = invoices_penalties(invoices, TODAY)
    by_number = {i.number: expected[i.pk] for i in invoices}
    for printed in content.invoices:
        assert printed.interest == by_number[printed.number].interest
        assert printed.indemnity == Decimal("40.00")
    interest = sum((p.interest for p in by_number.values()), Decimal("0"))
    assert content.totals.interest == interest > 0
    assert content.totals.total == Decimal("2030.50") + interest + Decimal("80.00")
    assert content.deadline == TODAY + timedelta(days=8)
    assert "12,15\u00a0% l'an" in text  # the rate of H2-2026 (ECB 2.15 + 10)
    assert "table des taux du" in text


def test_a_consumers_formal_notice_claims_no_fee(organisation, import_csv, monkeypatch) -> None:
    _portfolio(organisation, import_csv)
    produced = {label: rest for label, *rest in _documents(organisation, monkeypatch)}
    _f, text, content, _a = produced["B2C-fr/formal_notice/standard"]
    assert content.totals.fixed_indemnity is None
    assert content.totals.interest is None
    assert all(invoice.indemnity is None for invoice in content.invoices)
    assert "Aucun frais de recouvrement" in text


def test_the_dispatcher_keeps_a_doctored_letter_in_and_says_why(
    organisation, import_csv, settings, tmp_path: Path
) -> None:
    from recouvre.messaging.domain.templates import template_save

    settings.DATA_DIR = tmp_path
    load(import_csv, organisation, line("F-1", "C1", date(2026, 10, 20), "900.00"), today=TODAY)
    with scope(organisation=organisation):
        template_save(
            organisation=organisation,
            code="reminder_1_letter",
            variant="standard",
            language="fr",
            subject="Relance",
            body="Madame, Monsieur,\n\nSans paiement, un huissier saisira vos biens.\n\n{{ agent_name }}",
            actor=None,
        )
    run_day(organisation, TODAY)
    [letter] = actions(organisation, channel="letter")
    assert letter.status == ActionStatus.FAILED
    assert letter.retry_at is None
    assert not letter.document
    assert "court_imitation" in letter.status_reason
    assert "unlawful_threat" in letter.status_reason
    with scope(organisation=organisation):
        event = Event.objects.get(kind=EventKind.COMPLIANCE_FAILED)
    assert {f["code"] for f in event.data["findings"]} == {"court_imitation", "unlawful_threat"}
    assert not list(tmp_path.rglob("*.pdf"))


def test_a_formal_notice_that_leaves_dates_the_consumers_legal_interest(
    organisation, import_csv, settings, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    load(import_csv, organisation, line("F-9", "P1", date(2026, 9, 1), "500.00", kind="B2C"), today=TODAY)
    with scope(organisation=organisation):
        debtor = Debtor.objects.get(ref="P1")
        invoice = Invoice.objects.get(number="F-9")
        Action.objects.create(
            organisation=organisation,
            debtor=debtor,
            step="formal_notice",
            channel="registered_letter",
            scheduled_for=TODAY,
            invoice_ids=[invoice.id],
        )
        # The dispatcher alone: the planner would open its own case for this debtor.
        dispatch_pass(organisation=organisation, today=TODAY)
        notice = Action.objects.get(step="formal_notice", debtor=debtor)
        invoice.refresh_from_db()
    assert notice.status == ActionStatus.DISPATCHED, notice.status_reason
    assert invoice.formal_notice_on == TODAY
