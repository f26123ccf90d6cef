"""Letters as PDF and the daily print batch.

No PDF text extractor is installed (no pdftotext, no pypdf), and WeasyPrint embeds subset CID fonts
whose content streams hold glyph ids, not text. So the tests read the pages WeasyPrint lays out
(`LetterRenderer.layout`: text boxes with their positions) and check that the PDF is the faithful,
deterministic serialisation of that layout (`test_pdf_is_the_written_layout`)."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zlib
from datetime import date
from decimal import Decimal

import pytest
from weasyprint.formatting_structure import boxes

from recouvre.kernel.money import format_money
from recouvre.messaging.letters.batch import (
    CSV_COLUMNS,
    build_print_batch,
    split_address,
)
from recouvre.messaging.letters.content import LetterContent, LetterInvoice, LetterTotals, Party
from recouvre.messaging.letters.labels import long_date, place_and_date
from recouvre.messaging.letters.render import (
    ADDRESS_ZONE_MM,
    MM_PER_CSS_PX,
    LetterRenderer,
    epc_fields,
    letter_html,
    render_letter,
    render_letters,
    reproducible_pdfs,
    write_pdf,
)

pytestmark = pytest.mark.unit

IBAN = "FR7630006000011234567890189"
CREDITOR = Party(
    name="Transports Rhône-Alpes SAS",
    address_lines=("12 rue de la République", "69002 Lyon"),
    siren="552 100 554",
    vat_number="FR43552100554",
    email="compta@tra.fr",
    phone="04 72 00 00 00",
)
DEBTOR = Party(
    name="Boulangerie Martin SARL",
    address_lines=("Zone artisanale des Prés", "3 allée des Tilleuls", "38200 VIENNE"),
    siren="732 829 320",
)


def invoices(count: int) -> tuple[LetterInvoice, ...]:
    return tuple(
        LetterInvoice(
            number=f"FA2026-{i:05d}",
            issue_date=date(2026, 8, 1 + i % 28),
            due_date=date(2026, 9, 1 + i % 28),
            amount=Decimal("1234.56") + i,
            open_amount=Decimal("1000.00") + i,
        )
        for i in range(1, count + 1)
    )


def letter(**changes: object) -> LetterContent:
    content = LetterContent(
        action_id=1,
        language="fr",
        creditor=CREDITOR,
        debtor=DEBTOR,
        place="Lyon",
        letter_date=date(2026, 11, 22),
        subject="Mise en demeure de payer",
        paragraphs=(
            "Madame, Monsieur,",
            "Malgré nos relances, les factures ci-dessous restent impayées.",
            "Veuillez agréer, Madame, Monsieur, nos salutations distinguées.",
        ),
        invoices=invoices(3),
        totals=LetterTotals(principal=Decimal("3006.00")),
        reference="REC-2026-000001",
        iban=IBAN,
        bic="AGRIFRPP",
        signature="Marie Dupont\nService recouvrement",
    )
    return dataclasses.replace(content, **changes)


@pytest.fixture(scope="module")
def renderer() -> LetterRenderer:
    return LetterRenderer()


def text_boxes(page) -> list[tuple[str, float, float, float, float]]:
    """(text, left, top, right, bottom) of every text box of a page, in mm from the sheet's corner."""
    found = []
    stack = [page._page_box]
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.TextBox):
            left, top = box.position_x * MM_PER_CSS_PX, box.position_y * MM_PER_CSS_PX
            found.append(
                (box.text, left, top, left + box.width * MM_PER_CSS_PX, top + box.height * MM_PER_CSS_PX)
            )
        stack.extend(getattr(box, "children", None) or ())
    return found


def page_text(page) -> str:
    """The page's text line by line: boxes less than 1.5 mm apart vertically share a line, joined by
    spaces from left to right (a <strong> or a table cell is a box of its own)."""
    lines: list[list[tuple[float, str]]] = []
    line_top = None
    for text, left, top, *_ in sorted(text_boxes(page), key=lambda b: (b[2], b[1])):
        if line_top is None or top - line_top > 1.5:
            lines.append([])
            line_top = top
        lines[-1].append((left, text.strip()))
    return "\n".join(" ".join(text for _, text in sorted(line) if text) for line in lines)


def document_text(document) -> str:
    return "\n".join(page_text(page) for page in document.pages)


def pdf_page_count(pdf: bytes) -> int:
    """WeasyPrint compresses its page objects into object streams: inflate every stream, count pages."""
    inflated = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        try:
            inflated.append(zlib.decompress(pdf[match.end() : end]))
        except zlib.error:
            continue
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", b"".join(inflated) + pdf))


# ------------------------------------------------------------------------------------------------
# One letter
# ------------------------------------------------------------------------------------------------


def test_pdf_is_the_written_layout(renderer):
    assert reproducible_pdfs(), (
        "install libharfbuzz-subset0: without it PDFs are neither fast nor reproducible"
    )
    content = letter()
    pdf = render_letter(content)
    assert pdf.startswith(b"%PDF-")
    # Deterministic, and the bytes are the layout the other tests inspect, written out.
    assert pdf == render_letter(content) == write_pdf(renderer.layout(content))
    assert pdf_page_count(pdf) == len(renderer.layout(content).pages)


def test_debtor_address_is_inside_the_envelope_window(renderer):
    page = renderer.layout(letter(registered=True)).pages[0]
    lines = (DEBTOR.name, *DEBTOR.address_lines)
    placed = {text: (left, top, right, bottom) for text, left, top, right, bottom in text_boxes(page)}
    zone = ADDRESS_ZONE_MM
    for line in lines:
        left, top, right, bottom = placed[line]
        assert zone["left"] - 0.01 <= left, line
        assert right <= zone["right"], line
        assert zone["top"] - 0.01 <= top, line
        assert bottom <= zone["bottom"], line
    # Nothing but the address (and the registered mention above it) is printed in the band that the
    # window can show, x from 90 mm, y 39 to 95 mm: sorting machines read what shows there.
    in_band = {
        text
        for text, left, top, right, bottom in text_boxes(page)
        if right > 90 and bottom > 39 and top < 95 and text.strip()
    }
    assert in_band == {*lines, "Lettre recommandée avec accusé de réception"}


def test_letter_shows_each_invoice_and_its_amounts_in_french(renderer):
    content = letter()
    text = document_text(renderer.layout(content))
    for invoice in content.invoices:
        assert invoice.number in text
        assert format_money(invoice.amount, "EUR") in text
        assert format_money(invoice.open_amount, "EUR") in text
        assert f"{invoice.due_date:%d/%m/%Y}" in text
    assert "1\u00a0235,56\u00a0€" in text
    assert "Lyon, le 22 novembre 2026" in text
    assert "Objet\u00a0: Mise en demeure de payer" in text
    assert "Transports Rhône-Alpes SAS" in text
    assert "SIREN 552 100 554" in text
    assert "Votre SIREN\u00a0: 732 829 320" in text


def test_payment_details_group_the_iban(renderer):
    text = document_text(renderer.layout(letter(portal_url="https://paiement.tra.fr/p/x1")))
    assert "IBAN\u00a0: FR76 3000 6000 0112 3456 7890 189" in text
    assert "BIC\u00a0: AGRIFRPP" in text
    assert "Référence à rappeler\u00a0: REC-2026-000001" in text
    assert "réglez en ligne\u00a0: https://paiement.tra.fr/p/x1" in text
    english = document_text(renderer.layout(letter(language="en")))
    assert "Reference to quote: REC-2026-000001" in english


def test_totals_show_interest_indemnity_and_total_only_when_claimed(renderer):
    plain = document_text(renderer.layout(letter()))
    assert "Principal restant dû" in plain
    assert "Pénalités de retard" not in plain
    assert "Total réclamé" not in plain
    claimed = letter(
        totals=LetterTotals(
            principal=Decimal("3006.00"),
            interest=Decimal("42.40"),
            fixed_indemnity=Decimal("120.00"),
            total=Decimal("3168.40"),
        ),
        deadline=date(2026, 12, 1),
    )
    text = document_text(renderer.layout(claimed))
    assert "Pénalités de retard" in text
    assert "42,40\u00a0€" in text
    assert "Indemnité forfaitaire pour frais de recouvrement" in text
    assert "120,00\u00a0€" in text
    assert "Total réclamé" in text
    assert "3\u00a0168,40\u00a0€" in text
    assert "À régler au plus tard le 1er décembre 2026." in text


def test_registered_mention_only_on_registered_letters(renderer):
    assert "recommandée" in document_text(renderer.layout(letter(registered=True)))
    assert "recommandée" not in document_text(renderer.layout(letter(registered=False)))
    assert "Registered letter" in document_text(renderer.layout(letter(registered=True, language="en")))


def test_english_letter_uses_english_labels_dates_and_amounts(renderer):
    text = document_text(renderer.layout(letter(language="en", subject="Final demand", registered=True)))
    assert "Lyon, 22 November 2026" in text
    assert "Subject: Final demand" in text
    assert "Invoice no." in text
    assert "Amount due" in text
    assert "Outstanding principal" in text
    assert "1,235.56\u00a0€" in text
    assert "1 Sep 2026" in text or "2 Sep 2026" in text
    assert "Objet" not in text
    assert "Reste dû" not in text


def test_text_from_data_is_escaped():
    hostile = letter(
        debtor=dataclasses.replace(DEBTOR, name="<script>alert(1)</script> & Fils"),
        paragraphs=('Voir <a href="file:///etc/passwd">ici</a>',),
        subject='"><img src=x>',
    )
    markup = letter_html(hostile)
    assert "<script>" not in markup
    assert "<img src=x>" not in markup
    assert '<a href="file' not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Fils" in markup
    text = document_text(LetterRenderer().layout(hostile))
    assert "<script>alert(1)</script> & Fils" in text  # printed literally, as the debtor is named
    assert 'Voir <a href="file:///etc/passwd">ici</a>' in text


def test_long_letter_numbers_its_pages_and_repeats_the_table_header(renderer):
    content = letter(invoices=invoices(60))
    document = renderer.layout(content)
    pages = len(document.pages)
    assert pages >= 2
    for number, page in enumerate(document.pages, start=1):
        text = page_text(page)
        assert f"page {number}/{pages}" in text
        if any(invoice.number in text for invoice in content.invoices):
            assert "Facture n°" in text
            assert "Reste dû" in text
    # every invoice is printed once, none lost at a page break
    text = document_text(document)
    assert all(text.count(invoice.number) == 1 for invoice in content.invoices)
    assert sum("FA2026-" in page_text(page) for page in document.pages) >= 2


def test_details_position_puts_the_closing_formula_after_the_table(renderer):
    text = document_text(renderer.layout(letter(details_position=2)))
    assert text.index("Facture n°") < text.index("Veuillez agréer") < text.index("Marie Dupont")
    default = document_text(renderer.layout(letter()))
    assert default.index("Veuillez agréer") < default.index("Facture n°")


def test_epc_qr_code_only_for_euros_with_an_iban():
    fields = epc_fields(letter(totals=LetterTotals(Decimal("3006.00"), total=Decimal("3168.40"))))
    assert fields._asdict() == {
        "name": "Transports Rhône-Alpes SAS",
        "iban": IBAN,
        "amount": Decimal("3168.40"),
        "text": "REC-2026-000001",
        "reference": None,
        "bic": "AGRIFRPP",
    }
    # An ISO 11649 creditor reference goes in the structured field.
    assert epc_fields(letter(reference="RF18 5390 0754 7034")).reference == "RF18539007547034"
    assert epc_fields(letter(currency="USD")) is None
    assert epc_fields(letter(iban="")) is None
    assert 'class="qr-code"' in letter_html(letter())
    assert "qr-code" not in letter_html(letter(currency="CHF"))
    assert "qr-code" not in letter_html(letter(bic="NOT-A-BIC"))  # segno refuses it: no QR code, no failure


def test_dates_in_words():
    assert long_date(date(2026, 12, 1), "fr") == "1er décembre 2026"
    assert long_date(date(2026, 8, 15), "fr") == "15 août 2026"
    assert place_and_date("", date(2026, 12, 1), "en") == "1 December 2026"


def test_render_letters_reports_page_counts():
    rendered = render_letters([letter(action_id=5), letter(action_id=6, invoices=invoices(60))])
    assert [r.action_id for r in rendered] == [5, 6]
    assert rendered[0].page_count == pdf_page_count(rendered[0].pdf)
    assert rendered[1].page_count == pdf_page_count(rendered[1].pdf) >= 2


# ------------------------------------------------------------------------------------------------
# The print batch
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def day_letters(renderer):
    contents = [
        letter(action_id=11, registered=True),
        letter(
            action_id=12,
            invoices=invoices(60),
            debtor=Party('=HYPERLINK("http://x")', ("Rue Haute 12", "1000 Bruxelles", "BELGIQUE")),
        ),
        letter(action_id=13, language="en", debtor=dataclasses.replace(DEBTOR, name="Dupont; Fils")),
    ]
    return [(content, renderer.render(content).pdf) for content in contents]


def test_batch_starts_every_letter_on_an_odd_page(renderer, day_letters):
    from pypdf import PdfReader

    batch = build_print_batch(day_letters, batch_date=date(2026, 11, 23))
    rows = batch.letters
    counts = [len(renderer.layout(content).pages) for content, _ in day_letters]
    assert [row.pages for row in rows] == counts
    expected_first, first = [], 1
    for count in counts:
        expected_first.append(first)
        first += count + count % 2
    assert [row.first_page for row in rows] == expected_first
    assert all(row.first_page % 2 == 1 for row in rows)
    pages = PdfReader(io.BytesIO(batch.pdf)).pages
    assert len(pages) == first - 1
    assert len(pages) % 2 == 0
    for row, (content, stored) in zip(rows, day_letters, strict=True):
        # The batch prints the stored PDF itself, page for page.
        stored_pages = PdfReader(io.BytesIO(stored)).pages
        for offset, stored_page in enumerate(stored_pages):
            assert pages[row.first_page - 1 + offset].extract_text() == stored_page.extract_text()
        first_text = pages[row.first_page - 1].extract_text()
        assert "page 1/" in first_text
        assert content.debtor.name.split()[0] in first_text
        if row.pages % 2:  # the padding page is blank: no footer, no text at all
            assert pages[row.first_page - 1 + row.pages].extract_text().strip() == ""


def test_batch_pdf_and_csv(day_letters):
    batch = build_print_batch(day_letters, batch_date=date(2026, 11, 23))
    assert pdf_page_count(batch.pdf) == batch.page_count == 2 * batch.sheet_count
    assert batch.csv.startswith("\ufeff")
    assert batch.csv_bytes.startswith(b"\xef\xbb\xbf")
    assert "\r\n" in batch.csv
    table = list(csv.reader(io.StringIO(batch.csv.removeprefix("\ufeff")), delimiter=";"))
    assert tuple(table[0]) == CSV_COLUMNS
    rows = [dict(zip(table[0], line, strict=True)) for line in table[1:]]
    assert [r["action_id"] for r in rows] == ["11", "12", "13"]
    assert [r["registered"] for r in rows] == ["yes", "no", "no"]
    assert [int(r["first_page"]) for r in rows] == [letter.first_page for letter in batch.letters]
    assert [int(r["sheets"]) for r in rows] == [(letter.pages + 1) // 2 for letter in batch.letters]
    assert all(r["tracking_number"] == "" for r in rows)
    first, belgian, english = rows
    assert (first["recipient_name"], first["address_line_1"], first["address_line_2"]) == (
        "Boulangerie Martin SARL",
        "Zone artisanale des Prés",
        "3 allée des Tilleuls",
    )
    assert (first["postcode"], first["city"], first["country"]) == ("38200", "VIENNE", "FRANCE")
    # Excel would run a cell starting with "=": it is neutralised with a quote.
    assert belgian["recipient_name"] == '\'=HYPERLINK("http://x")'
    assert (belgian["postcode"], belgian["city"], belgian["country"]) == ("1000", "Bruxelles", "BELGIQUE")
    assert english["recipient_name"] == "Dupont; Fils"  # quoted by the csv module, read back whole
    assert english["reference"] == "REC-2026-000001"


def test_batch_refuses_an_unreadable_stored_pdf(day_letters):
    content, pdf = day_letters[0]
    broken = dataclasses.replace(content, action_id=99)
    with pytest.raises(ValueError, match="action 99"):
        build_print_batch([(content, pdf), (broken, b"not a pdf")], batch_date=date(2026, 11, 23))
    with pytest.raises(ValueError, match="at least one letter"):
        build_print_batch([], batch_date=date(2026, 11, 23))


def test_split_address():
    cedex = split_address(Party("X", ("BP 12", "75008 PARIS CEDEX 08")))
    assert (cedex.street_lines, cedex.postcode, cedex.city, cedex.country) == (
        ("BP 12",),
        "75008",
        "PARIS CEDEX 08",
        "FRANCE",
    )
    many = split_address(Party("X", ("a", "b", "c", "d", "e", "69001 Lyon")))
    assert many.street_lines == ("a", "b", "c", "d, e")
    german = split_address(Party("X", ("Hauptstr. 1", "D-10115 Berlin", "ALLEMAGNE")))
    assert (german.postcode, german.city, german.country) == ("D-10115", "Berlin", "ALLEMAGNE")
