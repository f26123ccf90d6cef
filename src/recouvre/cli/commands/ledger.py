"""import invoices, payment add, invoice show, report aging."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from recouvre.cli.context import (
    EXIT_OK,
    EXIT_REFUSED,
    CommandError,
    acting_user,
    emit,
    organisation_scope,
    parse_day,
    parse_positive_amount,
)
from recouvre.kernel.money import format_amount


def import_invoices(args: Any) -> int:
    from recouvre.imports.domain.services import invoices_import

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{args.file}: no such file")
    today = parse_day(args.date)
    with organisation_scope(args.org) as org:
        actor = acting_user(args.as_email)

        def progress(lines: int) -> None:
            print(f"\r{lines} lines read", end="", file=sys.stderr, flush=True)

        with path.open("rb") as stream:
            report = invoices_import(
                organisation=org,
                stream=stream,
                file_name=path.name,
                actor=actor,
                today=today,
                dry_run=args.dry_run,
                complete=args.complete,
                progress=progress if sys.stderr.isatty() else None,
            )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    lines = [
        f"{path.name}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged"
        + (f", {len(report.settled)} settled" if report.settled else "")
        + (" (dry run: nothing written)" if args.dry_run and report.ok else "")
    ]
    lines += [f"warning: {w}" for w in report.warnings]
    if not report.ok:
        lines.insert(0, f"{path.name}: refused, nothing was imported ({report.error_count} error(s))")
        lines += [
            f"line {e.line}" + (f", column {e.column}" if e.column else "") + f": {e.message}"
            for e in report.errors
        ]
    emit(args, report.as_json(), "\n".join(lines))
    if not report.ok and not args.json:
        # Errors go to stderr too so that a script capturing stdout still shows them to a person.
        print("\n".join(lines[1:]), file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_REFUSED


def payment_add(args: Any) -> int:
    from recouvre.ledger.domain.services import LedgerError, payment_record
    from recouvre.ledger.models import Debtor, Invoice

    amount = parse_positive_amount(args.amount)
    on = parse_day(args.date)
    with organisation_scope(args.org) as org:
        actor = acting_user(args.as_email)
        invoice = debtor = None
        if args.invoice:
            invoice = Invoice.objects.select_related("debtor").filter(number=args.invoice).first()
            if invoice is None:
                raise CommandError(f"no invoice {args.invoice}")
            debtor = invoice.debtor
        else:
            debtor = Debtor.objects.filter(ref=args.debtor).first()
            if debtor is None:
                raise CommandError(f"no debtor {args.debtor}")
        try:
            result = payment_record(
                organisation=org,
                debtor=debtor,
                invoice=invoice,
                amount=amount,
                on=on,
                actor=actor,
                reference=args.reference,
            )
        except LedgerError as exc:
            raise CommandError(str(exc)) from None
        allocations = [{"invoice": s.number, "amount": format_amount(s.amount)} for s in result.shares]
        if invoice is not None:
            invoice.refresh_from_db()
            document: dict[str, Any] = {
                "invoice": invoice.number,
                "open_amount": format_amount(invoice.open_amount),
            }
            open_now = format_amount(invoice.open_amount)
            text = f"payment of {format_amount(amount)} recorded; {invoice.number} open: {open_now}"
        else:
            document = {"debtor": debtor.ref, "allocations": allocations}
            text = f"payment of {format_amount(amount)} recorded for {debtor.ref}: " + (
                ", ".join(f"{a['invoice']} {a['amount']}" for a in allocations) or "nothing open"
            )
        document["payment"] = result.payment.pk
        document["unallocated"] = format_amount(result.unallocated)
        if result.unallocated > 0:
            text += f"; {format_amount(result.unallocated)} left on account"
    emit(args, document, text)
    return EXIT_OK


def invoice_show(args: Any) -> int:
    from recouvre.ledger.domain.queries import invoice_as_of
    from recouvre.ledger.models import Invoice, LimitationInterruption

    today = parse_day(args.date)
    with organisation_scope(args.org):
        invoice = Invoice.objects.select_related("debtor").filter(number=args.number).first()
        if invoice is None:
            raise CommandError(f"no invoice {args.number}")
        state = invoice_as_of(invoice, today)
        # As of the day, like prescription_date: a withdrawn one never counted, a later one not yet.
        interruptions = [
            {"kind": kind, "date": day.isoformat(), "reference": reference}
            for kind, day, reference in LimitationInterruption.objects.filter(
                invoice=invoice, withdrawn_at__isnull=True, date__lte=today
            )
            .order_by("date", "id")
            .values_list("kind", "date", "reference")
        ]
    document = {
        "invoice": invoice.number,
        "debtor_ref": invoice.debtor.ref,
        "document_type": invoice.document_type,
        "amount": format_amount(invoice.amount),
        "open_amount": format_amount(state.open_amount),
        "currency": invoice.currency,
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "status": state.status,
        "disputed": state.disputed,
        "prescription_date": state.prescription_date.isoformat() if state.prescription_date else None,
        "limitation_interruptions": interruptions,
    }
    text = "\n".join(f"{key}: {value}" for key, value in document.items())
    emit(args, document, text)
    return EXIT_OK


def report_aging(args: Any) -> int:
    from recouvre.ledger.domain.queries import aged_balance, unallocated_credit

    today = parse_day(args.date)
    with organisation_scope(args.org):
        balance = aged_balance(today)
        credit = unallocated_credit(today)
    document = {
        "date": today.isoformat(),
        "buckets": {name: format_amount(value) for name, value in balance.buckets.items()},
        "total": format_amount(balance.total),
        "unallocated_credit": format_amount(credit),
    }
    labels = {
        "not_due": "not yet due",
        "1-30": "1-30 days",
        "31-60": "31-60 days",
        "61-90": "61-90 days",
        "91+": "91+ days",
    }
    width = max(len(v) for v in document["buckets"].values()) if balance.buckets else 10
    text = [f"Aged balance on {today.isoformat()}"]
    text += [f"  {labels[name]:<12} {value:>{width}}" for name, value in document["buckets"].items()]
    text += [f"  {'total':<12} {document['total']:>{width}}"]
    if credit:
        text += [f"  (credits not allocated: {document['unallocated_credit']})"]
    emit(args, document, "\n".join(text))
    return EXIT_OK
