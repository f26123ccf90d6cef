"""cycle, actions, approve, dispute open/close, promise add, simulate (cli.md)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from recouvre.cli.context import (
    EXIT_OK,
    CommandError,
    acting_user,
    emit,
    organisation_scope,
    parse_day,
    parse_positive_amount,
)
from recouvre.kernel.money import format_amount


def _required_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r} is not a date (expected YYYY-MM-DD)") from None


def cycle(args: Any) -> int:
    from recouvre.dunning.domain.runner import cycle_run

    day = parse_day(args.date)
    with organisation_scope(args.org) as organisation:
        plan, sent = cycle_run(organisation=organisation, day=day)
    planned = plan.planned + plan.awaiting_approval + plan.tasks
    document = {
        "date": day.isoformat(),
        "planned": planned,
        "dispatched": sent.dispatched,
        "awaiting_approval": plan.awaiting_approval,
        "tasks": plan.tasks,
        "cancelled": plan.cancelled,
        "cases_opened": plan.cases_opened,
        "cases_closed": plan.cases_closed,
        "promises_kept": plan.promises_kept,
        "promises_broken": plan.promises_broken,
        "failed": sent.failed,
        "retrying": sent.retrying,
        "unknown": sent.unknown,
        "postponed": sent.postponed,
        "letters": sent.letters,
        "problems": sent.problems,
    }
    text = (
        f"{day}: {planned} planned ({plan.awaiting_approval} awaiting approval, {plan.tasks} tasks),"
        f" {sent.dispatched} dispatched, {sent.failed} failed, {sent.retrying} to retry,"
        f" {sent.unknown} unknown"
    )
    if sent.problems:
        text += "\n" + "\n".join(f"  problem: {p}" for p in sent.problems)
    emit(args, document, text)
    return EXIT_OK


def action_document(action: Any) -> dict[str, Any]:
    from django.utils.timezone import localtime

    return {
        "id": action.id,
        "debtor_ref": action.debtor.ref,
        "step": action.step,
        "channel": action.channel,
        "status": action.status,
        "scheduled_for": action.scheduled_for.isoformat(),
        "dispatched_at": localtime(action.dispatched_at).isoformat() if action.dispatched_at else None,
        "invoices": list(action.invoice_numbers),
        "amount_due": format_amount(action.amount_due),
        "reason": action.status_reason,
        "recipient": action.recipient,
        "fallback_from": action.fallback_from,
        "attempts": action.attempts,
        "tracking_number": action.tracking_number,
        "outcome": action.outcome,
    }


def actions(args: Any) -> int:
    from recouvre.dunning.enums import ActionStatus
    from recouvre.dunning.models import Action

    if args.date and (args.date_from or args.date_to):
        raise CommandError("--date cannot be combined with --from/--to")
    if args.status and args.status not in ActionStatus.values:
        raise CommandError(f"--status {args.status!r}: one of {', '.join(ActionStatus.values)}")
    with organisation_scope(args.org):
        query = Action.objects.select_related("debtor").order_by("scheduled_for", "id")
        if args.date:
            query = query.filter(scheduled_for=parse_day(args.date))
        if args.date_from:
            query = query.filter(scheduled_for__gte=_required_day(args.date_from, "--from"))
        if args.date_to:
            query = query.filter(scheduled_for__lte=_required_day(args.date_to, "--to"))
        if args.status:
            query = query.filter(status=args.status)
        if args.debtor:
            query = query.filter(debtor__ref=args.debtor)
        documents = [action_document(a) for a in query]
    text = "\n".join(
        f"{d['id']:>6} {d['scheduled_for']} {d['debtor_ref']:<14} {d['step']:<18} {d['channel']:<17}"
        f" {d['status']:<17} {d['amount_due']:>12} {' '.join(d['invoices'])}"
        + (f"  ({d['reason']})" if d["reason"] else "")
        for d in documents
    )
    emit(args, documents, text or "no actions")
    return EXIT_OK


def approve(args: Any) -> int:
    from recouvre.dunning.domain.actions import ActionError, actions_approve
    from recouvre.tenancy.domain.services import role_allows, role_of

    with organisation_scope(args.org) as organisation:
        actor = acting_user(args.as_email)
        if not actor.is_system and not role_allows(role_of(actor, organisation), "manager"):
            raise CommandError(f"--as {actor.email}: approving a formal notice takes a manager")
        try:
            approved = actions_approve(organisation=organisation, action_ids=args.ids, actor=actor)
        except ActionError as exc:
            raise CommandError(str(exc)) from None
    emit(args, {"approved": approved}, f"approved: {', '.join(map(str, approved))}")
    return EXIT_OK


def _invoice(number: str) -> Any:
    from recouvre.ledger.models import Invoice

    invoice = Invoice.objects.select_related("debtor").filter(number=number).first()
    if invoice is None:
        raise CommandError(f"no invoice {number}")
    return invoice


def dispute_open(args: Any) -> int:
    from recouvre.disputes.domain.services import DisputeError
    from recouvre.disputes.domain.services import dispute_open as open_dispute

    on = parse_day(args.date)
    with organisation_scope(args.org) as organisation:
        actor = acting_user(args.as_email)
        invoice = _invoice(args.invoice)
        try:
            dispute = open_dispute(
                organisation=organisation,
                invoice=invoice,
                reason=args.reason,
                on=on,
                actor=actor,
                comment=args.comment,
            )
        except DisputeError as exc:
            raise CommandError(str(exc)) from None
    emit(
        args,
        {"id": dispute.id, "invoice": invoice.number},
        f"dispute {dispute.id} opened on {invoice.number}",
    )
    return EXIT_OK


def dispute_close(args: Any) -> int:
    from recouvre.disputes.domain.services import DisputeError
    from recouvre.disputes.domain.services import dispute_close as close_dispute

    on = parse_day(args.date)
    amount = parse_positive_amount(args.amount) if args.amount is not None else None
    with organisation_scope(args.org) as organisation:
        actor = acting_user(args.as_email)
        invoice = _invoice(args.invoice)
        try:
            dispute = close_dispute(
                organisation=organisation,
                invoice=invoice,
                outcome=args.outcome,
                on=on,
                actor=actor,
                amount=amount,
            )
        except DisputeError as exc:
            raise CommandError(str(exc)) from None
    emit(
        args,
        {"id": dispute.id, "outcome": dispute.outcome, "invoice": invoice.number},
        f"dispute {dispute.id} on {invoice.number} closed: {dispute.outcome}",
    )
    return EXIT_OK


def promise_add(args: Any) -> int:
    from recouvre.arrangements.domain.services import PromiseError
    from recouvre.arrangements.domain.services import promise_add as add_promise
    from recouvre.ledger.models import Debtor

    amount = parse_positive_amount(args.amount)
    promised = _required_day(args.date, "--date")
    made_on = parse_day(args.on)
    with organisation_scope(args.org) as organisation:
        actor = acting_user(args.as_email)
        debtor = Debtor.objects.filter(ref=args.debtor).first()
        if debtor is None:
            raise CommandError(f"no debtor {args.debtor}")
        try:
            promise = add_promise(
                organisation=organisation,
                debtor=debtor,
                amount=amount,
                promised_date=promised,
                made_on=made_on,
                actor=actor,
            )
        except PromiseError as exc:
            raise CommandError(str(exc)) from None
    document = {
        "id": promise.id,
        "debtor": debtor.ref,
        "amount": format_amount(promise.amount),
        "date": promise.promised_date.isoformat(),
        "made_on": promise.made_on.isoformat(),
        "pause_until": promise.window_end.isoformat(),
    }
    emit(
        args,
        document,
        f"promise {promise.id}: {debtor.ref} pays {document['amount']} by {promised}"
        f" (paused until {promise.window_end})",
    )
    return EXIT_OK


def simulate(args: Any) -> int:
    from recouvre.dunning.domain.simulate import simulate_range

    start = _required_day(args.date_from, "--from")
    end = _required_day(args.date_to, "--to")
    if end < start:
        raise CommandError(f"--to {end} is before --from {start}")
    if (end - start) > timedelta(days=366):
        raise CommandError("simulate at most one year at a time")
    with organisation_scope(args.org) as organisation:
        result = simulate_range(organisation=organisation, start=start, end=end)
    lines = [f"simulation {start} → {end} (nothing was changed)"]
    for day in result["days"]:
        counts = ", ".join(f"{k} {v}" for k, v in day["sent"].items())
        lines.append(
            f"{day['date']}: {counts or 'nothing'}"
            + (f" — postage {day['postage']}" if day["postage"] != "0.00" else "")
        )
    lines.append(
        "total: "
        + ", ".join(f"{k} {v}" for k, v in result["by_channel"].items())
        + f"; postage {result['postage']}"
    )
    emit(args, result, "\n".join(lines))
    return EXIT_OK
