"""Entry point of the `recouvre` console script."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from recouvre.cli.context import EXIT_REFUSED, CommandError


def _common(
    parser: argparse.ArgumentParser, *, org: bool = True, actor: bool = False, day: bool = False
) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document on standard output")
    if org:
        parser.add_argument(
            "--org", metavar="SLUG", help="the creditor organisation (optional while only one exists)"
        )
    if actor:
        parser.add_argument(
            "--as", dest="as_email", metavar="EMAIL", help="the user recorded as having done it"
        )
    if day:
        parser.add_argument(
            "--date", metavar="YYYY-MM-DD", help="the day taken as today (default: today, Paris)"
        )


def build_parser() -> argparse.ArgumentParser:
    from recouvre.cli.commands import dunning, law, ledger, portal, runtime, setup

    parser = argparse.ArgumentParser(prog="recouvre", description="B2B receivables collection for France.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(parent: Any, name: str, handler: Callable[[Any], int], help_text: str, **common: bool) -> Any:
        sub = parent.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        _common(sub, **common)
        return sub

    add(commands, "migrate", setup.migrate, "create or upgrade the database", org=False)

    org = commands.add_parser("org", help="creditor organisations").add_subparsers(dest="sub", required=True)
    p = add(org, "create", setup.org_create, "create a creditor organisation", org=False, actor=True)
    p.add_argument("--name", required=True)
    p.add_argument("--siren", default="")
    p.add_argument("--iban", default="")
    p.add_argument("--bic", default="")
    p.add_argument("--email", default="")
    p.add_argument("--agency", action="store_true", help="a collection agency acting for creditors")

    user = commands.add_parser("user", help="users").add_subparsers(dest="sub", required=True)
    p = add(user, "create", setup.user_create, "create a user with a role in the organisation", actor=True)
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True, choices=["admin", "manager", "agent", "viewer"])
    p.add_argument("--password", help="without it, an invitation email is sent")
    p.add_argument("--name", default="", help="the person's full name")

    token = commands.add_parser("token", help="REST API tokens").add_subparsers(dest="sub", required=True)
    p = add(token, "create", setup.token_create, "create an API token for a user (shown once)", actor=True)
    p.add_argument("--email", required=True)
    p.add_argument("--name", default="")

    imp = commands.add_parser("import", help="imports").add_subparsers(dest="sub", required=True)
    p = add(imp, "invoices", ledger.import_invoices, "import the canonical invoice CSV", actor=True, day=True)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="validate and count without writing")
    p.add_argument("--complete", action="store_true", help="the file lists every open invoice")

    payment = commands.add_parser("payment", help="payments").add_subparsers(dest="sub", required=True)
    p = add(payment, "add", ledger.payment_add, "record a payment", actor=True)
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--invoice", metavar="NUM")
    target.add_argument("--debtor", metavar="REF")
    p.add_argument("--amount", required=True)
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--reference", default="")

    invoice = commands.add_parser("invoice", help="invoices").add_subparsers(dest="sub", required=True)
    p = add(invoice, "show", ledger.invoice_show, "one invoice as of a date", day=True)
    p.add_argument("number", metavar="NUM")

    p = add(
        commands, "penalties", law.penalties, "late-payment penalties and indemnity as of a date", day=True
    )
    p.add_argument("--invoice", required=True, metavar="NUM")

    rates = commands.add_parser("rates", help="rate tables").add_subparsers(dest="sub", required=True)
    p = add(rates, "update", law.rates_update, "load a newer rate table (checked whole first)", org=False)
    p.add_argument("file", metavar="FILE")

    portal_cmd = commands.add_parser("portal", help="debtor portal links").add_subparsers(
        dest="sub", required=True
    )
    p = add(portal_cmd, "link", portal.portal_link, "a debtor's signed portal link")
    p.add_argument("--debtor", required=True, metavar="REF")
    p = add(
        portal_cmd, "revoke", portal.portal_revoke, "revoke every portal link sent to a debtor", actor=True
    )
    p.add_argument("--debtor", required=True, metavar="REF")

    report = commands.add_parser("report", help="reports").add_subparsers(dest="sub", required=True)
    add(report, "aging", ledger.report_aging, "the aged balance of open invoices", day=True)

    p = add(
        commands, "demo", runtime.demo, "load a realistic demo portfolio into an empty database", org=False
    )
    p.add_argument("--invoices", type=int, default=3000)
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--if-empty", action="store_true", help="do nothing (exit 0) when data already exists")
    p.add_argument(
        "--history-days",
        type=int,
        default=42,
        help="run the daily cycle over the last N days first, so that reminders, calls and formal notices"
        " are under way (0: only today's plan)",
    )

    p = add(commands, "serve", runtime.serve, "the web application and a background worker", org=False)
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p = add(commands, "worker", runtime.worker, "a background worker alone", org=False)
    p.add_argument("--no-clock", action="store_true", help="run tasks only, not the daily cycle's clock")

    add(commands, "cycle", dunning.cycle, "the daily job: plan the actions due and dispatch them", day=True)

    p = add(commands, "actions", dunning.actions, "list actions (messages and tasks)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="actions scheduled for that day")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    p.add_argument("--status", help="planned, awaiting_approval, dispatched, failed, unknown, ...")
    p.add_argument("--debtor", metavar="REF")

    p = add(commands, "approve", dunning.approve, "approve actions that wait for a person", actor=True)
    p.add_argument("ids", metavar="ACTION_ID", type=int, nargs="+")

    dispute = commands.add_parser("dispute", help="disputes").add_subparsers(dest="sub", required=True)
    p = add(dispute, "open", dunning.dispute_open, "open a dispute on an invoice", actor=True, day=True)
    p.add_argument("--invoice", required=True, metavar="NUM")
    p.add_argument(
        "--reason",
        required=True,
        choices=["price", "quantity", "quality", "delivery", "duplicate", "already_paid", "other"],
    )
    p.add_argument("--comment", default="")
    p = add(dispute, "close", dunning.dispute_close, "close an invoice's dispute", actor=True, day=True)
    p.add_argument("--invoice", required=True, metavar="NUM")
    p.add_argument(
        "--outcome", required=True, choices=["upheld", "credit_note", "invoice_cancelled", "withdrawn"]
    )
    p.add_argument("--amount", help="the credit note's amount (outcome credit_note)")

    promise = commands.add_parser("promise", help="promises to pay").add_subparsers(dest="sub", required=True)
    p = add(promise, "add", dunning.promise_add, "record a promise to pay", actor=True)
    p.add_argument("--debtor", required=True, metavar="REF")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the promised payment date")
    p.add_argument("--amount", required=True)
    p.add_argument("--on", metavar="YYYY-MM-DD", help="the day the promise was made (default today)")

    p = add(
        commands,
        "simulate",
        dunning.simulate,
        "what the cycle would send over a date range (changes nothing)",
    )
    p.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvre.config.settings")
    if argv[:1] == ["manage"]:
        # Django's own commands, for developers (makemigrations, shell, ...).
        from django.core.management import execute_from_command_line

        execute_from_command_line(["recouvre manage", *argv[1:]])
        return 0
    import django

    django.setup()
    parser = build_parser()
    args = parser.parse_args(argv)
    from recouvre.audit.domain.context import acting_through

    try:
        with acting_through("cli"):
            return int(args.handler(args))
    except CommandError as exc:
        if getattr(args, "json", False):
            json.dump({"error": str(exc)}, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        print(f"recouvre: {exc}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
