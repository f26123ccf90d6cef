"""penalties, rates update (shared/spec/cli.md; french-law.md § Late-payment penalties)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from recouvre.cli.context import EXIT_OK, EXIT_REFUSED, CommandError, emit, organisation_scope, parse_day
from recouvre.kernel.money import format_amount


def penalties(args: Any) -> int:
    from recouvre.law.domain.penalties import format_rate
    from recouvre.ledger.domain.penalties import NoPenalties, invoice_penalties
    from recouvre.ledger.models import Invoice

    day = parse_day(args.date)
    with organisation_scope(args.org):
        invoice = Invoice.objects.select_related("debtor").filter(number=args.invoice).first()
        if invoice is None:
            raise CommandError(f"no invoice {args.invoice}")
        try:
            result = invoice_penalties(invoice, day)
        except NoPenalties as exc:
            raise CommandError(str(exc)) from None
    periods = [
        {
            "from": p.start.isoformat(),
            "to": p.end.isoformat(),
            "days": p.days,
            "rate": format_rate(p.rate),
            "principal": format_amount(p.principal),
            "amount": format_amount(p.amount),
            "provisional": p.provisional,
        }
        for p in result.periods
    ]
    missing = [
        {"half_year": str(m.half_year), "from": m.start.isoformat(), "to": m.end.isoformat()}
        for m in result.missing_rates
    ]
    document = {
        "invoice": invoice.number,
        "date": day.isoformat(),
        "debtor_type": result.regime,
        "currency": invoice.currency,
        "principal": format_amount(result.principal),
        "open_principal": format_amount(result.open_principal),
        "days_late": result.days_late,
        "periods": periods,
        "interest": format_amount(result.interest),
        # Interest already settled by interest-first imputation; `total` claims only what remains.
        "interest_paid": format_amount(result.interest_paid),
        "fixed_indemnity": format_amount(result.fixed_indemnity),
        "total": format_amount(result.total),
        "missing_rates": missing,
        "table_date": result.table_date.isoformat(),
    }
    lines = [
        f"{invoice.number} ({result.regime}) as of {day.isoformat()}: {result.days_late} day(s) late,"
        f" principal {document['principal']} {invoice.currency}"
    ]
    lines += [
        f"  {p['from']} to {p['to']}  {p['days']:>4} d  {p['rate']:>6} %  on {p['principal']:>12}"
        f"  {p['amount']:>10}" + ("  (provisional rate)" if p["provisional"] else "")
        for p in periods
    ]
    lines += [
        f"  interest         {document['interest']}",
        *([f"  interest paid    {document['interest_paid']}"] if result.interest_paid else []),
        f"  fixed indemnity  {document['fixed_indemnity']}",
    ]
    lines += [f"  total            {document['total']}"]
    lines += [f"  no rate for {m['half_year']} ({m['from']} to {m['to']}): not counted" for m in missing]
    lines += [f"  rate table of {document['table_date']}"]
    emit(args, document, "\n".join(lines))
    return EXIT_OK


def rates_update(args: Any) -> int:
    from django.conf import settings

    from recouvre.law.domain.rates import RateTableError, table_store

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{args.file}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{path.name}: line 1: the file is not UTF-8 text") from None
    try:
        table, stored = table_store(text, Path(settings.DATA_DIR))
    except RateTableError as exc:
        document = {"error": f"{path.name}: {exc}", "line": exc.line, "column": exc.column or None}
        emit(args, document, f"{path.name}: refused, nothing was loaded")
        if not args.json:
            print(f"recouvre: {path.name}: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    provisional = [str(row.half_year) for row in table.rows if row.provisional]
    document = {
        "table_date": table.table_date.isoformat(),
        "half_years": len(table.rows),
        "first": str(table.rows[0].half_year),
        "last": str(table.rows[-1].half_year),
        "provisional": provisional,
        "file": stored.name,
    }
    text_out = (
        f"rate table of {document['table_date']} loaded and in force:"
        f" {document['half_years']} half-years, {document['first']} to {document['last']}"
        + (f"; provisional: {', '.join(provisional)}" if provisional else "")
    )
    emit(args, document, text_out)
    return EXIT_OK
