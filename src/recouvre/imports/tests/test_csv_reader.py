import io

import pytest

from recouvre.imports.domain.csv_reader import STRUCTURE_ERROR, FileRefused, read_csv

pytestmark = pytest.mark.unit
HEADER = "invoice_number;debtor_ref;issue_date;due_date;amount"


def read(data: bytes):
    header, records = read_csv(io.BytesIO(data))
    return header, list(records)


def test_utf8_bom_semicolons_and_case_insensitive_header():
    header, rows = read(
        b"\xef\xbb\xbfInvoice_Number;DEBTOR_REF;issue_date;due_date;amount\r\nF-1;411A;01/02/2026;01/03/2026;1 234,56\r\n"
    )
    assert header.delimiter == ";"
    assert header.encoding == "utf-8"
    assert rows == [
        (
            2,
            {
                "invoice_number": "F-1",
                "debtor_ref": "411A",
                "issue_date": "01/02/2026",
                "due_date": "01/03/2026",
                "amount": "1 234,56",
            },
        )
    ]


def test_comma_delimiter_detected():
    header, rows = read(
        b'invoice_number,debtor_ref,issue_date,due_date,amount\nF-1,411A,2026-02-01,2026-03-01,"1234,56"\n'
    )
    assert header.delimiter == ","
    assert rows[0][1]["amount"] == "1234,56"


def test_windows_1252_is_read_not_garbled():
    data = (
        HEADER + ";debtor_name\nF-1;411A;2026-02-01;2026-03-01;10;Société Générale d'Électricité\n"
    ).encode("cp1252")
    header, rows = read(data)
    assert rows[0][1]["debtor_name"] == "Société Générale d'Électricité"
    assert header.encoding == "cp1252"


def test_windows_1252_detected_deep_in_the_file():
    lines = [HEADER + ";debtor_name"] + [f"F-{i};411A;2026-02-01;2026-03-01;10;Plain" for i in range(1000)]
    lines.append("F-x;411B;2026-02-01;2026-03-01;10;Crème brûlée SARL")
    header, rows = read("\n".join(lines).encode("cp1252"))
    assert rows[-1][1]["debtor_name"] == "Crème brûlée SARL"
    assert header.encoding == "cp1252"


def test_mixed_encodings_refused_with_the_line():
    data = (
        (HEADER + ";debtor_name\n").encode()
        + "F-1;A;2026-02-01;2026-03-01;1;Éric\n".encode()
        + "F-2;B;2026-02-01;2026-03-01;1;Hélène\n".encode("cp1252")
    )
    with pytest.raises(FileRefused, match="line 3 is not valid UTF-8") as exc:
        read(data)
    assert exc.value.line == 3


def test_text_encoded_twice_is_refused():
    data = (HEADER + ";debtor_name\nF-1;A;2026-02-01;2026-03-01;1;SociÃ©tÃ©\n").encode()
    with pytest.raises(FileRefused, match="encoded twice"):
        read(data)


def test_empty_file_refused():
    with pytest.raises(FileRefused, match=r"empty \(0 bytes\)"):
        read(b"")


def test_binary_file_refused():
    with pytest.raises(FileRefused, match="binary file"):
        read(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")


def test_pdf_like_bytes_refused_as_not_text():
    with pytest.raises(FileRefused):
        read(bytes(range(128, 256)) * 4)


def test_missing_header_refused():
    with pytest.raises(FileRefused, match="not a header"):
        read(b"F-1;411A;2026-02-01;2026-03-01;10\n")


def test_missing_required_columns_named():
    with pytest.raises(FileRefused, match="missing from the header: due_date, amount"):
        read(b"invoice_number;debtor_ref;issue_date\nF-1;A;2026-01-01\n")


def test_unknown_columns_listed():
    header, _ = read((HEADER + ";colour;Notes\nF-1;A;2026-01-01;2026-02-01;1;red;x\n").encode())
    assert header.unknown == ["colour", "Notes"]


def test_quoted_multiline_field_keeps_line_numbers_true():
    data = (
        HEADER
        + ';debtor_address\nF-1;A;2026-01-01;2026-02-01;1;"1 rue A\n75001 Paris"\nF-2;A;2026-01-01;2026-02-01;1;x\n'
    ).encode()
    _, rows = read(data)
    assert [line for line, _ in rows] == [2, 4]
    assert rows[0][1]["debtor_address"] == "1 rue A\n75001 Paris"


def test_too_many_fields_is_a_line_error_and_blank_lines_skipped():
    _, rows = read((HEADER + "\n\nF-1;A;2026-01-01;2026-02-01;1;extra\n").encode())
    assert rows == [(3, {STRUCTURE_ERROR: "6 fields but the header has 5"})]
