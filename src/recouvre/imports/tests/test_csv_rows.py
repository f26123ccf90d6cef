from datetime import date
from decimal import Decimal

import pytest

from recouvre.imports.domain.csv_rows import InvoiceLine, RowError, parse_line, payment_term_warning

pytestmark = pytest.mark.unit

BASE = {
    "invoice_number": "F-1",
    "debtor_ref": "411DUPONT",
    "debtor_name": "Dupont SARL",
    "issue_date": "01/09/2026",
    "due_date": "01/10/2026",
    "amount": "1 234,56",
}


def line(**changes):
    return parse_line(7, {**BASE, **changes})


def errors(**changes):
    result = line(**changes)
    assert isinstance(result, list), result
    return [(e.line, e.column, e.message) for e in result]


def test_valid_line_typed():
    result = line(
        debtor_siren="732 829 320",
        debtor_phone="06 12 34 56 78",
        debtor_email="a@x.fr, b@x.fr",
        disputed="oui",
    )
    assert isinstance(result, InvoiceLine)
    assert result.amount == Decimal("1234.56")
    assert result.issue_date == date(2026, 9, 1)
    assert result.debtor.siren == "732829320"
    assert result.debtor.phone == "+33612345678"
    assert result.debtor.emails == ("a@x.fr", "b@x.fr")
    assert result.disputed is True
    assert result.open_amount is None
    assert result.currency == "EUR"


def test_amount_12_3_4_refused_with_line_and_column():
    [(line_no, column, message)] = errors(amount="12,3,4")
    assert (line_no, column) == (7, "amount")
    assert "'12,3,4' is not an amount" in message


def test_due_before_issue_refused():
    assert errors(due_date="31/08/2026") == [
        (7, "due_date", "due date 31/08/2026 is before the issue date 01/09/2026")
    ]


def test_invalid_siren_refused():
    [(_, column, message)] = errors(debtor_siren="732829321")
    assert column == "debtor_siren"
    assert "not a valid SIREN" in message


def test_every_problem_of_a_line_is_reported():
    columns = {
        c
        for _, c, _ in errors(
            amount="-5", due_date="demain", debtor_segment="moyenne", debtor_type="SA", currency="euro"
        )
    }
    assert columns == {"amount", "due_date", "debtor_segment", "debtor_type", "currency"}


def test_required_cells():
    columns = {c for _, c, _ in errors(invoice_number="", debtor_ref=" ", issue_date="", amount="")}
    assert columns == {"invoice_number", "debtor_ref", "issue_date", "amount"}


def test_open_amount_bounds_and_two_decimals():
    assert errors(open_amount="2000") == [(7, "open_amount", "2000 must be between 0 and the amount 1234.56")]
    assert errors(amount="10,005")[0][1] == "amount"


def test_address_separators_and_language():
    result = line(debtor_address="12 rue de la Paix / Bât. B", debtor_language="EN", debtor_country="be")
    assert result.debtor.address == "12 rue de la Paix\nBât. B"
    assert result.debtor.language == "en"
    assert result.debtor.country == "BE"


def test_credit_note_rules():
    assert isinstance(line(document_type="credit_note", applies_to="F-0"), InvoiceLine)
    assert errors(applies_to="F-0")[0][1] == "applies_to"
    assert errors(document_type="avoir")[0][1] == "document_type"


def test_payment_term_warning_beyond_legal_caps():
    within = line(issue_date="2026-01-10", due_date="2026-03-11")  # 60 days
    assert payment_term_warning(within) is None
    end_of_month = line(issue_date="2026-01-10", due_date="2026-03-17")  # end of month, then 45 days
    assert payment_term_warning(end_of_month) is None
    assert payment_term_warning(line(issue_date="2026-01-10", due_date="2026-03-18")) is not None
    beyond = line(issue_date="2026-01-10", due_date="2026-05-01")
    assert "111 days exceeds the legal cap" in payment_term_warning(beyond)


def test_row_error_is_a_value():
    assert RowError(1, "a", "b") == RowError(1, "a", "b")


def test_repeated_debtor_cells_are_validated_once():
    from recouvre.imports.domain.csv_rows import DebtorCellsSeen

    seen = DebtorCellsSeen()
    cells = {"debtor_siren": "732829320", "debtor_phone": "06 12 34 56 78"}
    first = parse_line(2, {**BASE, **cells}, seen)
    again = parse_line(3, {**BASE, **cells, "invoice_number": "F-2"}, seen)
    assert (first.debtor.name, first.debtor.siren) == ("Dupont SARL", "732829320")
    # Nothing new to merge: only the reference comes back.
    assert (again.debtor.ref, again.debtor.name, again.debtor.siren, again.debtor.phone) == (
        "411DUPONT",
        None,
        None,
        None,
    )


def test_repeated_identifiers_are_not_checked_again_but_other_cells_are_read():
    from recouvre.imports.domain.csv_rows import DebtorCellsSeen

    seen = DebtorCellsSeen()
    parse_line(2, {**BASE, "debtor_siren": "732829320", "debtor_city": "Lyon"}, seen)
    moved = parse_line(
        3, {**BASE, "invoice_number": "F-2", "debtor_siren": "732829320", "debtor_city": "Paris"}, seen
    )
    assert (moved.debtor.city, moved.debtor.siren) == ("Paris", None)
    other = parse_line(
        4, {**BASE, "invoice_number": "F-3", "debtor_ref": "411B", "debtor_siren": "732829320"}, seen
    )
    assert other.debtor.siren == "732829320"  # what was seen belongs to one debtor only


def test_cells_of_a_refused_line_are_not_remembered():
    from recouvre.imports.domain.csv_rows import DebtorCellsSeen

    seen = DebtorCellsSeen()
    assert isinstance(parse_line(2, {**BASE, "amount": "12,3,4"}, seen), list)
    again = parse_line(3, {**BASE, "invoice_number": "F-2"}, seen)
    assert again.debtor.name == "Dupont SARL"
    # Invalid cells are reported on every line that carries them.
    assert parse_line(4, {**BASE, "debtor_siren": "1"}, seen)[0].column == "debtor_siren"
    assert parse_line(5, {**BASE, "debtor_siren": "1"}, seen)[0].line == 5
