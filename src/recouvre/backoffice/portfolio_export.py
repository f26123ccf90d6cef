"""The portfolio's exports: the current view (same filters and sort), every row, streamed.

CSV for French Excel: `;` between fields, a UTF-8 byte order mark, amounts with a decimal comma and
no thousands separator (`1234,56`, one of the forms invoices-csv.md reads back), dates as YYYY-MM-DD.
XLSX: real numbers and dates, written by xlsxwriter in constant_memory mode (one row in memory) to a
temporary file that is then streamed."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext

from recouvre.ledger.domain.ageing import days_overdue
from recouvre.ledger.models import Debtor

EXPORTS = ("csv", "xlsx")
CHUNK = 2000


def _headers() -> list[str]:
    return [
        gettext("Compte"), gettext("Débiteur"), gettext("SIREN"), gettext("Type"), gettext("Segment"),
        gettext("Chargé de recouvrement"), gettext("Encours"), gettext("Échu"),
        gettext("Plus ancienne échéance dépassée"), gettext("Jours de retard"),
    ]  # fmt: skip


def _rows(debtors: QuerySet[Debtor], today: date) -> Iterator[list[Any]]:
    for debtor in debtors.iterator(chunk_size=CHUNK):
        agent = debtor.agent
        yield [
            debtor.ref, debtor.name, debtor.siren, debtor.get_debtor_type_display(), debtor.segment,
            (agent.full_name or agent.email) if agent else "", debtor.open_balance, debtor.overdue_balance,
            debtor.oldest_due, days_overdue(debtor.oldest_due, today) if debtor.oldest_due else None,
        ]  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "quantize"):  # Decimal: the decimal comma of French spreadsheets
        return f"{value:.2f}".replace(".", ",")
    return value


def _csv(debtors: QuerySet[Debtor], today: date) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(_headers())
    for row in _rows(debtors, today):
        yield writer.writerow([_csv_cell(v) for v in row])


def _xlsx(debtors: QuerySet[Debtor], today: date) -> Any:
    import xlsxwriter

    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once streamed
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet(gettext("Débiteurs")[:31])
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, _headers(), bold)
    for r, row in enumerate(_rows(debtors, today), start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            elif hasattr(value, "quantize"):
                sheet.write_number(r, c, float(value), money)  # a spreadsheet cell is a float anyway
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    book.close()
    out.seek(0)
    return out


def export_response(kind: str, debtors: QuerySet[Debtor], today: date) -> HttpResponse:
    name = f"debiteurs-{today.isoformat()}.{kind}"
    if kind == "csv":
        response: HttpResponse = StreamingHttpResponse(
            _csv(debtors, today), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    if kind == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return FileResponse(
            _xlsx(debtors, today), as_attachment=True, filename=name, content_type=content_type
        )
    raise Http404(kind)
