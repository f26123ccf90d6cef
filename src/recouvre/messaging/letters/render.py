"""Lays a `LetterContent` out as an A4 PDF for a window envelope: no database, no settings, no network.

The HTML is written by the small functions below with every value passed through `_text`
(html.escape) rather than by a template engine: markupsafe and Jinja are not dependencies, Django's
engine would need configured settings for its filters, and a letter is a fixed structure whose every
interpolation can be audited in one screen. The stylesheet is `static/letter.css`; its geometry is
summed up in ADDRESS_ZONE_MM.

Rendering many letters reuses one `LetterRenderer`: the fonts (FontConfiguration) and the parsed
stylesheet are built once, which is most of WeasyPrint's fixed cost per document."""

from __future__ import annotations

import functools
import html
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import NamedTuple

import segno
from segno import helpers as segno_helpers
from stdnum import iso11649
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from recouvre.kernel.money import format_money, to_cents
from recouvre.law.domain.compliance import L111_8_PARAGRAPHS

from .content import AgencyMentions, LetterContent, LetterInvoice, LetterTotals, Party
from .labels import labels_for, language_of, long_date, place_and_date, short_date

# Where the debtor's address is printed, in mm from the sheet's top-left corner: the part of the
# sheet that shows through the right-hand window of a French DL envelope wherever the folded sheet
# sits in it (derivation in static/letter.css, which holds the same figures).
ADDRESS_ZONE_MM = {"left": 110.0, "top": 50.0, "right": 190.0, "bottom": 84.0}
MM_PER_CSS_PX = 25.4 / 96

# The EPC QR code's limits (EPC069-12): beneficiary 70 characters, unstructured remittance 140.
EPC_NAME_MAX = 70
EPC_TEXT_MAX = 140
EPC_AMOUNT_MAX = Decimal("999999999.99")


@dataclass(frozen=True)
class RenderedLetter:
    action_id: int
    pdf: bytes
    page_count: int


def _stylesheet_text() -> str:
    return resources.files(__package__).joinpath("static/letter.css").read_text(encoding="utf-8")


class LetterRenderer:
    """What every letter of a run shares. Not thread-safe (Pango's font map is not): one per thread."""

    def __init__(self) -> None:
        self.font_config = FontConfiguration()
        # Letters embed nothing from outside (the QR code is a data: URL): a fetcher that only accepts
        # data: URLs means that no text from an import can make the renderer read a file or the network.
        self.url_fetcher = URLFetcher(allowed_protocols=("data",))
        self.stylesheet = CSS(
            string=_stylesheet_text(), font_config=self.font_config, url_fetcher=self.url_fetcher
        )

    def layout(self, content: LetterContent) -> Document:
        page = HTML(string=letter_html(content), url_fetcher=self.url_fetcher, base_url="data:,")
        return page.render(font_config=self.font_config, stylesheets=[self.stylesheet])

    def render(self, content: LetterContent) -> RenderedLetter:
        document = self.layout(content)
        return RenderedLetter(content.action_id, write_pdf(document), len(document.pages))


def reproducible_pdfs() -> bool:
    """Whether the same letter always gives the same bytes, which the print batch relies on.
    WeasyPrint subsets the embedded fonts with HarfBuzz when libharfbuzz-subset (HarfBuzz >= 4.1) is
    installed, and otherwise with fontTools, which is also 8 times slower and whose output was seen
    to differ by a byte from one renderer to the next."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def write_pdf(document: Document) -> bytes:
    pdf: bytes | None = document.write_pdf()
    if pdf is None:  # only when given a target to write to
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


_local = threading.local()


def default_renderer() -> LetterRenderer:
    """A renderer per thread, built on first use, so that one-off letters skip the fixed cost too."""
    renderer: LetterRenderer | None = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = LetterRenderer()
    return renderer


def render_letter(content: LetterContent) -> bytes:
    return default_renderer().render(content).pdf


def render_letters(contents: Iterable[LetterContent]) -> list[RenderedLetter]:
    renderer = default_renderer()
    return [renderer.render(content) for content in contents]


# ------------------------------------------------------------------------------------------------
# The HTML
# ------------------------------------------------------------------------------------------------


def _text(value: object) -> str:
    """Every value that comes from data goes through here: text from users and imports is never markup."""
    return html.escape(str(value), quote=True)


def _multiline(value: str) -> str:
    return "<br>".join(_text(line) for line in value.splitlines())


def group_iban(iban: str) -> str:
    """`FR76 3000 6000 0112 3456 7890 189`: how an IBAN is printed on paper (EBS 204)."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _money(amount: Decimal, content: LetterContent) -> str:
    return format_money(amount, content.currency, french=language_of(content.language) == "fr")


def _letterhead(creditor: Party, labels: dict[str, str]) -> str:
    lines = [f'<p class="name">{_text(creditor.name)}</p>']
    lines += [f"<p>{_text(line)}</p>" for line in creditor.address_lines if line.strip()]
    ids = []
    if creditor.siren:
        ids.append(f"<p>{labels['siren']} {_text(creditor.siren)}</p>")
    if creditor.vat_number:
        ids.append(f"<p>{labels['vat']} {_text(creditor.vat_number)}</p>")
    if creditor.phone:
        ids.append(f"<p>{labels['phone']} {_text(creditor.phone)}</p>")
    if creditor.email:
        ids.append(f"<p>{labels['email']} {_text(creditor.email)}</p>")
    if ids:
        lines.append(f'<div class="ids">{"".join(ids)}</div>')
    return f'<div class="letterhead">{"".join(lines)}</div>'


def _address(debtor: Party) -> str:
    lines = [debtor.name, *(line for line in debtor.address_lines if line.strip())]
    return '<div class="address">' + "".join(f"<p>{_text(line)}</p>" for line in lines) + "</div>"


def _claims(content: LetterContent) -> bool:
    return any(invoice.interest is not None for invoice in content.invoices)


def _invoice_row(invoice: LetterInvoice, content: LetterContent) -> str:
    lang = content.language
    row = (
        f"<tr><td>{_text(invoice.number)}</td>"
        f'<td class="date">{short_date(invoice.issue_date, lang)}</td>'
        f'<td class="date">{short_date(invoice.due_date, lang)}</td>'
        f'<td class="num">{_text(_money(invoice.amount, content))}</td>'
        f'<td class="num">{_text(_money(invoice.open_amount, content))}</td>'
    )
    if _claims(content):
        for value in (invoice.interest, invoice.indemnity):
            row += f'<td class="num">{_text(_money(value or Decimal("0"), content))}</td>'
    return row + "</tr>"


def _invoices(content: LetterContent, labels: dict[str, str]) -> str:
    if not content.invoices:
        return ""
    keys = ["invoice_number", "issue_date", "due_date", "amount", "open_amount"]
    columns = (
        '<col class="number"><col class="date"><col class="date"><col class="amount"><col class="amount">'
    )
    claims = _claims(content)
    if claims:
        # Each invoice's penalties and indemnity to the day of the letter, beside its principal.
        keys += ["interest_short", "indemnity_short"]
        columns += '<col class="claim"><col class="claim">'
    numeric = ("amount", "open_amount", "interest_short", "indemnity_short")
    head = "".join(f"<th{' class=num' if key in numeric else ''}>{labels[key]}</th>" for key in keys)
    rows = "".join(_invoice_row(invoice, content) for invoice in content.invoices)
    return (
        f"<h2>{labels['invoices']}</h2>"
        f'<table class="invoices{" claims" if claims else ""}"><colgroup>{columns}</colgroup>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _totals(totals: LetterTotals, content: LetterContent, labels: dict[str, str]) -> str:
    rows = [("principal", totals.principal)]
    # Interest, indemnity and total are printed only when the letter claims them: a courteous
    # reminder or a consumer's letter leaves them out rather than showing zeros.
    rows += [
        (key, value)
        for key, value in (
            ("interest", totals.interest),
            ("fixed_indemnity", totals.fixed_indemnity),
            ("total", totals.total),
        )
        if value is not None
    ]
    cells = "".join(
        f"<tr{' class=total' if key == 'total' else ''}><td>{labels[key]}</td>"
        f'<td class="num">{_text(_money(value, content))}</td></tr>'
        for key, value in rows
    )
    return f'<table class="totals">{cells}</table>'


class EpcFields(NamedTuple):
    """What the SEPA credit-transfer QR code (EPC069-12) carries: `segno.helpers.make_epc_qr`'s
    arguments. A named tuple, so that the QR code can be cached by it."""

    name: str
    iban: str
    amount: Decimal
    text: str | None
    reference: str | None
    bic: str | None


def epc_fields(content: LetterContent) -> EpcFields | None:
    """None when the letter cannot have a QR code: no IBAN, not in euros, nothing to pay."""
    if not content.iban or content.currency.upper() != "EUR":
        return None
    totals = content.totals
    amount = to_cents(totals.total if totals.total is not None else totals.principal)
    if not Decimal("0.01") <= amount <= EPC_AMOUNT_MAX:
        return None
    compact_reference = "".join(content.reference.split()).upper()
    # A creditor reference (RF..., ISO 11649) goes in the structured field, which banks check and
    # copy as is; any other reference is unstructured text, as the EPC guidelines require.
    if compact_reference and iso11649.is_valid(compact_reference):
        structured, text = compact_reference, None
    else:
        structured = None
        text = (content.reference.strip() or ", ".join(i.number for i in content.invoices))[:EPC_TEXT_MAX]
        if not text:
            return None
    return EpcFields(
        name=content.creditor.name.strip()[:EPC_NAME_MAX],
        iban="".join(content.iban.split()).upper(),
        amount=amount,
        text=text,
        reference=structured,
        bic="".join(content.bic.split()).upper() or None,
    )


def _epc_qr(content: LetterContent) -> str:
    """The QR code's <img>, or "": the IBAN and reference are printed in clear anyway, so a letter
    never fails for its QR code (segno rejects, say, a malformed IBAN or BIC with a ValueError)."""
    fields = epc_fields(content)
    return "" if fields is None else _epc_qr_image(fields)


@functools.lru_cache(maxsize=512)
def _epc_qr_image(fields: EpcFields) -> str:
    """Cached because the print batch lays each letter out again, and choosing the QR code's mask is
    a good part of its cost.

    A PNG with one pixel per module, drawn with interpolation off (`image-rendering: pixelated`
    becomes /Interpolate false), rather than inline SVG: it is the same module grid and prints as
    sharp, but WeasyPrint parses an SVG path in Python, which cost 50 ms a letter against 20."""
    try:
        qr: segno.QRCode = segno_helpers.make_epc_qr(**fields._asdict())
    except ValueError:
        return ""
    return f'<img class="qr-code" alt="" src="{qr.png_data_uri(scale=1, border=0)}">'


def _payment(content: LetterContent, labels: dict[str, str]) -> str:
    if not content.iban:
        return ""
    lang = content.language
    lines = [
        f"<h2>{labels['payment']}</h2>",
        f"<p>{_colon(labels['holder'], lang)} {_text(content.creditor.name)}</p>",
        f'<p>{_colon(labels["iban"], lang)} <span class="iban">{_text(group_iban(content.iban))}</span></p>',
    ]
    if content.bic:
        lines.append(f"<p>{_colon(labels['bic'], lang)} {_text(''.join(content.bic.split()).upper())}</p>")
    if content.reference:
        reference = f"<strong>{_text(content.reference)}</strong>"
        lines.append(f"<p>{_colon(labels['transfer_reference'], lang)} {reference}</p>")
    cells = f'<td class="details">{"".join(lines)}</td>'
    qr = _epc_qr(content)
    if qr:
        # A table cell rather than a float: WeasyPrint may split a float from its frame across pages.
        cells += f'<td class="qr">{qr}<p class="qr-note">{labels["qr"]}</p></td>'
    return f'<table class="payment"><tr>{cells}</tr></table>'


def _portal(content: LetterContent, labels: dict[str, str]) -> str:
    url = content.portal_url.strip()
    if not url:
        return ""
    shown = _text(url)
    # Only web addresses become links: a PDF link to another scheme (javascript:, file:) is never made.
    link = f'<a href="{shown}">{shown}</a>' if url.lower().startswith(("https://", "http://")) else shown
    return f'<p class="portal">{_colon(labels["portal"], content.language)} {link}</p>'


def _agency(agency: AgencyMentions | None, content: LetterContent, labels: dict[str, str]) -> str:
    if agency is None:
        return ""
    lang = content.language
    totals = content.totals
    amounts = [f"{labels['principal'].lower()} {_text(_money(totals.principal, content))}"]
    amounts.append(f"{labels['interest'].lower()} {_text(_money(totals.interest or Decimal('0'), content))}")
    amounts.append(
        f"{labels['agency_other']} {_text(_money(totals.fixed_indemnity or Decimal('0'), content))}"
    )
    lines = [
        f"<h2>{labels['agency_heading']}</h2>",
        f"<p><strong>{_text(agency.agency_name)}</strong>, {_text(', '.join(agency.agency_address_lines))}, "
        f"{labels['agency_activity']}</p>",
        f"<p>{_colon(labels['agency_creditor'], lang)} <strong>{_text(agency.creditor_name)}</strong>, "
        f"{_text(', '.join(agency.creditor_address_lines))}.</p>",
        f"<p>{_colon(labels['agency_claim'], lang)} {' ; '.join(amounts)}.</p>",
    ]
    if agency.first_letter:
        lines.append(f"<p>{_colon(labels['agency_first_letter'], lang)} {_text(agency.first_letter)}.</p>")
    lines.append(f"<p>{labels['agency_l111_8']}\u00a0:</p>")
    lines += [f'<p class="quote">« {_text(paragraph)} »</p>' for paragraph in L111_8_PARAGRAPHS]
    return f'<div class="agency">{"".join(lines)}</div>'


def _colon(label: str, language: str) -> str:
    """French typography puts a (no-break) space before a colon; English does not."""
    return f"{label}\u00a0:" if language_of(language) == "fr" else f"{label}:"


def letter_html(content: LetterContent) -> str:
    labels = labels_for(content.language)
    lang = language_of(content.language)
    creditor, debtor = content.creditor, content.debtor
    footer = " — ".join(
        part
        for part in (
            creditor.name,
            f"{labels['siren']} {creditor.siren}" if creditor.siren else "",
            f"{_colon(labels['our_reference'], lang)} {content.reference}" if content.reference else "",
        )
        if part
    )
    refs = []
    if content.reference:
        refs.append(f"{_colon(labels['our_reference'], lang)} {_text(content.reference)}")
    if debtor.siren:
        refs.append(f"{_colon(labels['your_siren'], lang)} {_text(debtor.siren)}")
    details = "".join(
        (
            _invoices(content, labels),
            _totals(content.totals, content, labels),
            f'<p class="basis">{_text(content.basis)}</p>' if content.basis else "",
            f'<p class="deadline">{labels["deadline"]} {long_date(content.deadline, lang)}.</p>'
            if content.deadline
            else "",
            _payment(content, labels),
            _portal(content, labels),
            _agency(content.agency, content, labels),
        )
    )
    paragraphs = [f"<p>{_multiline(p)}</p>" for p in content.paragraphs]
    # The invoices, totals and payment details follow `details_position` paragraphs, so that a
    # template can keep its closing formula after them; by default they follow the whole text.
    position = len(paragraphs) if content.details_position is None else content.details_position
    position = max(0, min(position, len(paragraphs)))
    body = "".join(paragraphs[:position]) + details + "".join(paragraphs[position:])
    registered = f'<div class="registered">{labels["registered"]}</div>' if content.registered else ""
    signature = f'<div class="signature">{_multiline(content.signature)}</div>' if content.signature else ""
    refs_html = f'<p class="refs">{" — ".join(refs)}</p>' if refs else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{_text(content.subject)}</title>"
        f'<meta name="author" content="{_text(creditor.name)}"></head>'
        f'<body data-footer="{_text(footer)}" data-page="{labels["page"]}">'
        f'<div class="head">{_letterhead(creditor, labels)}{registered}{_address(debtor)}</div>'
        f'<p class="place-date">{_text(place_and_date(content.place, content.letter_date, lang))}</p>'
        f"{refs_html}"
        f'<p class="subject">{_colon(labels["subject"], lang)} {_text(content.subject)}</p>'
        f'<div class="body">{body}</div>{signature}</body></html>'
    )
