"""The canonical CSV import against a real database: every rule of shared/spec/invoices-csv.md."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from recouvre.disputes.models import Dispute
from recouvre.imports.models import ImportBatch
from recouvre.ledger.models import Allocation, Contact, Debtor, Invoice, Payment
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

HEADER = "invoice_number;debtor_ref;debtor_name;debtor_email;debtor_city;issue_date;due_date;amount;open_amount;paid_date;disputed"
FRENCH_EXCEL = (
    "\ufeff" + HEADER + "\r\n"
    "F-001;411DUPONT;Dupont SARL;compta@dupont.fr;Lyon;01/09/2026;01/10/2026;1 234,56;;;\r\n"
    "F-002;411DUPONT;;;;15/09/2026;15/10/2026;500,00;200,00;20/10/2026;\r\n"
    "F-003;411MARTIN;Martin SA;a@martin.fr, b@martin.fr;Metz;01/06/2026;01/07/2026;100,00;0;10/07/2026;non\r\n"
    "F-004;411MARTIN;;;;01/08/2026;31/08/2026;300,00;;;oui\r\n"
)


def counts(org):
    with scope(organisation=org):
        return {
            "debtors": Debtor.objects.count(),
            "invoices": Invoice.objects.count(),
            "payments": Payment.objects.count(),
            "allocations": Allocation.objects.count(),
            "events": Event.objects.count(),
            "contacts": Contact.objects.count(),
            "disputes": Dispute.objects.count(),
        }


def invoice(org, number):
    with scope(organisation=org):
        return Invoice.objects.select_related("debtor").get(number=number)


def test_french_excel_flavour_imports(organisation, import_csv):
    report = import_csv(organisation, FRENCH_EXCEL)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    f1 = invoice(organisation, "F-001")
    assert f1.amount == Decimal("1234.56")
    assert f1.open_amount == Decimal("1234.56")
    assert f1.issue_date == date(2026, 9, 1)
    assert f1.debtor.name == "Dupont SARL"
    assert f1.debtor.city == "Lyon"
    f2 = invoice(organisation, "F-002")
    assert (f2.open_amount, f2.status) == (Decimal("200.00"), "open")
    with scope(organisation=organisation):
        payment = Payment.objects.get(allocations__invoice=f2)
    assert (payment.amount, payment.date, payment.source) == (Decimal("300.00"), date(2026, 10, 20), "import")
    f3 = invoice(organisation, "F-003")
    assert (f3.open_amount, f3.status, f3.paid_date) == (Decimal("0.00"), "paid", date(2026, 7, 10))
    assert counts(organisation)["contacts"] == 3
    assert counts(organisation)["disputes"] == 1


def test_importing_twice_changes_nothing(organisation, import_csv):
    import_csv(organisation, FRENCH_EXCEL)
    before = counts(organisation)
    report = import_csv(organisation, FRENCH_EXCEL)
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert counts(organisation) == before


def test_refused_file_writes_nothing_and_reports_every_line(organisation, import_csv):
    text = (
        HEADER + "\n"
        "F-1;411A;Alpha;;;01/09/2026;01/10/2026;100,00;;;\n"
        "F-2;411A;;;;01/09/2026;01/08/2026;12,3,4;;;\n"
        "F-3;411B;;;;01/09/2026;01/10/2026;10;;;\n"
    )
    report = import_csv(organisation, text)
    assert not report.ok
    assert [(e.line, e.column) for e in report.errors] == [(3, "due_date"), (3, "amount"), (4, "debtor_name")]
    assert report.created == 0
    assert counts(organisation) == dict.fromkeys(counts(organisation), 0)
    with scope(organisation=organisation):
        batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.status == "refused"
    assert batch.error_count == 3


def test_dry_run_counts_but_writes_nothing(organisation, import_csv):
    report = import_csv(organisation, FRENCH_EXCEL, dry_run=True)
    assert report.ok
    assert report.created == 4
    assert report.status == "dry_run"
    assert counts(organisation)["invoices"] == 0


def test_later_file_updates_and_records_history(organisation, import_csv):
    import_csv(organisation, FRENCH_EXCEL)
    changed = FRENCH_EXCEL.replace(
        "F-001;411DUPONT;Dupont SARL;compta@dupont.fr;Lyon;01/09/2026;01/10/2026",
        "F-001;411DUPONT;;;;01/09/2026;15/10/2026",
    )
    report = import_csv(organisation, changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    f1 = invoice(organisation, "F-001")
    assert f1.due_date == date(2026, 10, 15)
    # An empty cell never erases what is stored.
    assert (f1.debtor.name, f1.debtor.city) == ("Dupont SARL", "Lyon")
    with scope(organisation=organisation):
        event = Event.objects.get(kind="invoice_updated", invoice=f1)
    assert event.data["changes"] == {"due_date": ["2026-10-01", "2026-10-15"]}


def test_debtor_details_from_a_later_line_update_the_debtor(organisation, import_csv):
    import_csv(organisation, FRENCH_EXCEL)
    later = HEADER + "\nF-010;411DUPONT;Dupont et Fils SARL;;Villeurbanne;01/11/2026;01/12/2026;10;;;\n"
    assert import_csv(organisation, later).ok
    with scope(organisation=organisation):
        debtor = Debtor.objects.get(ref="411DUPONT")
        event = Event.objects.get(kind="debtor_updated", debtor=debtor)
    assert (debtor.name, debtor.city) == ("Dupont et Fils SARL", "Villeurbanne")
    assert event.data["changes"]["city"] == ["Lyon", "Villeurbanne"]


def test_lower_open_amount_is_a_payment_higher_is_refused(organisation, import_csv):
    import_csv(organisation, FRENCH_EXCEL)
    lower = HEADER + "\nF-001;411DUPONT;;;;01/09/2026;01/10/2026;1234,56;1000,00;05/11/2026;\n"
    report = import_csv(organisation, lower)
    assert (report.updated, report.ok) == (1, True)
    f1 = invoice(organisation, "F-001")
    assert f1.open_amount == Decimal("1000.00")
    with scope(organisation=organisation):
        assert Payment.objects.get(allocations__invoice=f1).amount == Decimal("234.56")
    higher = HEADER + "\nF-001;411DUPONT;;;;01/09/2026;01/10/2026;1234,56;1100,00;;\n"
    report = import_csv(organisation, higher)
    assert not report.ok
    [error] = report.errors
    assert (error.line, error.column) == (2, "open_amount")
    assert "cannot be undone" in error.message
    assert invoice(organisation, "F-001").open_amount == Decimal("1000.00")


def test_payment_without_paid_date_is_dated_the_import_day(organisation, import_csv):
    text = HEADER + "\nF-1;411A;Alpha;;;01/09/2026;01/10/2026;100;40;;\n"
    import_csv(organisation, text, today=date(2026, 11, 3))
    with scope(organisation=organisation):
        assert Payment.objects.get().date == date(2026, 11, 3)


def test_complete_settles_open_invoices_absent_from_the_file(organisation, import_csv):
    import_csv(organisation, FRENCH_EXCEL)
    only_f1 = HEADER + "\nF-001;411DUPONT;;;;01/09/2026;01/10/2026;1 234,56;;;\n"
    report = import_csv(organisation, only_f1, complete=True, today=date(2026, 11, 20))
    assert report.ok
    assert sorted(report.settled) == ["F-002", "F-004"]  # F-003 was already paid
    f2 = invoice(organisation, "F-002")
    assert (f2.status, f2.open_amount, f2.paid_date) == ("paid", Decimal("0.00"), date(2026, 11, 20))
    assert invoice(organisation, "F-001").status == "open"


def test_without_complete_absent_invoices_stay(organisation, import_csv):
    import_csv(organisation, FRENCH_EXCEL)
    report = import_csv(organisation, HEADER + "\nF-001;411DUPONT;;;;01/09/2026;01/10/2026;1 234,56;;;\n")
    assert report.settled == []
    assert invoice(organisation, "F-002").status == "open"


def test_disputed_opens_once_and_false_never_closes(organisation, import_csv):
    import_csv(organisation, FRENCH_EXCEL)
    import_csv(organisation, FRENCH_EXCEL)
    with scope(organisation=organisation):
        assert Dispute.objects.filter(invoice__number="F-004", status="open").count() == 1
    import_csv(organisation, FRENCH_EXCEL.replace("300,00;;;oui", "300,00;;;non"))
    with scope(organisation=organisation):
        assert Dispute.objects.get(invoice__number="F-004").status == "open"


def test_closed_dispute_is_not_reopened_by_the_same_flag(organisation, import_csv):
    import_csv(organisation, FRENCH_EXCEL)
    with scope(organisation=organisation):
        Dispute.objects.filter(invoice__number="F-004").update(
            status="closed", outcome="upheld", closed_on=date(2026, 11, 1)
        )
    import_csv(organisation, FRENCH_EXCEL)
    with scope(organisation=organisation):
        assert Dispute.objects.filter(invoice__number="F-004").count() == 1


CN_HEADER = (
    "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount;open_amount;document_type;applies_to"
)


@pytest.mark.parametrize(
    "lines",
    [
        [
            "F-1;411A;Alpha;01/09/2026;01/10/2026;1000;800;;",
            "AV-1;411A;;05/09/2026;05/09/2026;200;;credit_note;F-1",
        ],
        [
            "AV-1;411A;Alpha;05/09/2026;05/09/2026;200;;credit_note;F-1",
            "F-1;411A;;01/09/2026;01/10/2026;1000;800;;",
        ],
    ],
    ids=["invoice-first", "credit-note-first"],
)
def test_credit_note_applied_once_whatever_the_order(organisation, import_csv, lines):
    report = import_csv(organisation, "\n".join([CN_HEADER, *lines]) + "\n")
    assert report.ok, report.errors
    f1, av1 = invoice(organisation, "F-1"), invoice(organisation, "AV-1")
    assert f1.open_amount == Decimal("800.00")
    assert (av1.open_amount, av1.status) == (Decimal("0.00"), "paid")
    with scope(organisation=organisation):
        assert Payment.objects.count() == 0
        assert Allocation.objects.get().credit_note == av1
    # And again: idempotent.
    assert import_csv(organisation, "\n".join([CN_HEADER, *lines]) + "\n").unchanged == 2


def test_credit_note_for_an_unknown_invoice_is_refused(organisation, import_csv):
    report = import_csv(
        organisation, CN_HEADER + "\nAV-1;411A;Alpha;05/09/2026;05/09/2026;200;;credit_note;F-9\n"
    )
    assert [(e.line, e.column) for e in report.errors] == [(2, "applies_to")]
    assert counts(organisation)["invoices"] == 0


def test_duplicate_invoice_number_in_the_file(organisation, import_csv, settings):
    settings.IMPORT_CHUNK_SIZE = 2  # the duplicates fall in different chunks too
    text = (
        HEADER
        + "\n"
        + "\n".join(
            [
                "F-1;411A;Alpha;;;01/09/2026;01/10/2026;10;;;",
                "F-1;411A;;;;01/09/2026;01/10/2026;10;;;",
                "F-2;411A;;;;01/09/2026;01/10/2026;10;;;",
                "F-1;411A;;;;01/09/2026;01/10/2026;10;;;",
            ]
        )
    )
    report = import_csv(organisation, text)
    assert [(e.line, e.column) for e in report.errors] == [(3, "invoice_number"), (5, "invoice_number")]
    assert "already appears on line 2" in report.errors[0].message
    assert counts(organisation)["invoices"] == 0


def test_new_debtor_needs_a_name_even_across_chunks(organisation, import_csv, settings):
    settings.IMPORT_CHUNK_SIZE = 1
    text = (
        HEADER + "\nF-1;411A;Alpha;;;01/09/2026;01/10/2026;10;;;\nF-2;411A;;;;01/09/2026;01/10/2026;10;;;\n"
    )
    assert import_csv(organisation, text).ok
    assert counts(organisation)["debtors"] == 1


def test_latin1_file_imported_with_its_accents(organisation, import_csv):
    text = HEADER + "\nF-1;411E;Électricité Générale de l'Est;;Besançon;01/09/2026;01/10/2026;10;;;\n"
    report = import_csv(organisation, text, encoding="cp1252")
    assert report.ok
    assert any("Windows-1252" in w for w in report.warnings)
    debtor = invoice(organisation, "F-1").debtor
    assert (debtor.name, debtor.city) == ("Électricité Générale de l'Est", "Besançon")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty (0 bytes)"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "binary file"),
        (b"F-1;411A;Alpha;01/09/2026;01/10/2026;10\n", "not a header"),
        (b"invoice_number;debtor_ref;amount\nF-1;A;1\n", "missing from the header: issue_date, due_date"),
        ((HEADER + "\n").encode(), "no invoice line"),
    ],
)
def test_unreadable_files_refused_with_a_clear_message(organisation, import_csv, data, message):
    report = import_csv(organisation, data)
    assert not report.ok
    assert message in report.errors[0].message
    with scopes_disabled():
        assert Invoice.objects.count() == 0


def test_unknown_columns_and_long_terms_are_warnings(organisation, import_csv):
    text = "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount;couleur\nF-1;A;Alpha;2026-01-10;2026-06-01;10;rouge\n"
    report = import_csv(organisation, text)
    assert report.ok
    assert report.warnings[0] == "unknown column 'couleur' ignored"
    assert "line 2: payment term of 142 days exceeds the legal cap" in report.warnings[1]


def test_same_numbers_in_two_organisations_are_independent(organisation, other_organisation, import_csv):
    import_csv(organisation, FRENCH_EXCEL)
    report = import_csv(other_organisation, FRENCH_EXCEL)
    assert report.created == 4
    assert counts(organisation)["invoices"] == counts(other_organisation)["invoices"] == 4


def test_amount_change_keeps_allocations_and_refuses_below_paid(organisation, import_csv):
    import_csv(organisation, FRENCH_EXCEL)
    more = FRENCH_EXCEL.replace(
        "F-002;411DUPONT;;;;15/09/2026;15/10/2026;500,00;200,00",
        "F-002;411DUPONT;;;;15/09/2026;15/10/2026;600,00;300,00",
    )
    assert import_csv(organisation, more).ok
    assert invoice(organisation, "F-002").open_amount == Decimal("300.00")
    less = FRENCH_EXCEL.replace(
        "F-002;411DUPONT;;;;15/09/2026;15/10/2026;500,00;200,00",
        "F-002;411DUPONT;;;;15/09/2026;15/10/2026;250,00;",
    )
    report = import_csv(organisation, less)
    assert [(e.line, e.column) for e in report.errors] == [(3, "amount")]


def test_a_refused_first_line_does_not_hide_the_debtor_of_the_next(organisation, import_csv):
    text = (
        HEADER
        + "\nF-1;411A;Alpha;;;01/09/2026;01/10/2026;12,3,4;;;\nF-2;411A;Alpha;;;01/09/2026;01/10/2026;10;;;\n"
    )
    report = import_csv(organisation, text)
    assert [(e.line, e.column) for e in report.errors] == [(2, "amount")]


def test_the_last_line_of_a_debtor_wins_even_when_a_value_comes_back(organisation, import_csv):
    text = (
        HEADER
        + "\n"
        + "\n".join(
            [
                "F-1;411A;Alpha;;Lyon;01/09/2026;01/10/2026;10;;;",
                "F-2;411A;Alpha;;Paris;01/09/2026;01/10/2026;10;;;",
                "F-3;411A;Alpha;;Lyon;01/09/2026;01/10/2026;10;;;",
            ]
        )
    )
    assert import_csv(organisation, text).ok
    assert invoice(organisation, "F-1").debtor.city == "Lyon"
