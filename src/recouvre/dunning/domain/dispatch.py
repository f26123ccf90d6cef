"""The dispatcher: sends the messages due, one by one, with the guarantees of dunning.md.

Each message is claimed by a conditional UPDATE (several dispatchers never take the same row),
checked again against the ledger at the moment of sending, stored exactly as it will leave, marked
`sending`, and only then handed to its transport, outside any transaction. A dispatcher that dies
leaves a claimed row to be taken again (it never left) and a `sending` row `unknown` (it may have
left): only failures known not to have delivered are retried, with backoff."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from recouvre.arrangements.enums import PlanStatus, PromiseStatus
from recouvre.arrangements.models import PaymentPlan, Promise
from recouvre.dunning.domain.compose import compose_message, letter_content, outgoing
from recouvre.dunning.domain.conformity import action_document_check, findings_text
from recouvre.dunning.domain.facts import COUNTED, withheld_invoice_ids
from recouvre.dunning.domain.notices import is_notice, notice_invoices, notice_sent, notice_stale
from recouvre.dunning.domain.outcome import action_fallback, record_outcome, record_stored
from recouvre.dunning.domain.planner import is_contact_day, within_caps
from recouvre.dunning.domain.printing import letter_to_data, print_batch_build
from recouvre.dunning.domain.rules import caps_of
from recouvre.dunning.domain.rules import organisation_calendar as org_calendar
from recouvre.dunning.domain.scenario import EMAIL, LETTER, MESSAGE_CHANNELS, POSTAL_CHANNELS, SMS, TASK
from recouvre.dunning.enums import ActionStatus, CaseStatus
from recouvre.dunning.models import Action
from recouvre.law.domain.calendar import calendar_for
from recouvre.ledger.enums import ContactKind, DocumentType, InvoiceStatus
from recouvre.ledger.models import Debtor, Invoice
from recouvre.messaging.domain.placeholders import PlaceholderError
from recouvre.messaging.letters.render import render_letter
from recouvre.messaging.transports.base import Outcome, SendResult, Transport
from recouvre.messaging.transports.registry import transport_for
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

CLAIM_BATCH = 50
logger = logging.getLogger("recouvre.dispatch")


@dataclass
class DispatchFigures:
    dispatched: int = 0
    failed: int = 0
    retrying: int = 0
    unknown: int = 0
    cancelled: int = 0
    postponed: int = 0
    requeued: int = 0
    letters: int = 0
    problems: list[str] = field(default_factory=list)


def lease() -> timedelta:
    return timedelta(seconds=settings.DISPATCH_LEASE_SECONDS)


def dispatch_recover(*, organisation: Any, now: datetime) -> tuple[int, int]:
    """Rows left behind by a dispatcher that died: claimed ones go back to planned, `sending` ones
    become `unknown` and wait for a person. The lease runs on the wall clock (`claimed_at`), whatever
    day a `cycle --date` run stands for."""
    stale = timezone.now() - lease()
    requeued = Action.objects.filter(
        organisation=organisation, status=ActionStatus.CLAIMED, claimed_at__lt=stale
    ).update(status=ActionStatus.PLANNED, claim_token="", claimed_at=None)
    lost = list(
        Action.objects.filter(organisation=organisation, status=ActionStatus.SENDING, claimed_at__lt=stale)
    )
    for action in lost:
        record_outcome(
            action,
            SendResult(Outcome.UNKNOWN, "the dispatcher stopped after handing the message over"),
            now=now,
            expected_token=action.claim_token,
        )
    return requeued, len(lost)


def _due(organisation: Any, today: date, now: datetime) -> Q:
    return Q(organisation=organisation, channel__in=sorted(MESSAGE_CHANNELS), scheduled_for__lte=today) & (
        Q(status=ActionStatus.PLANNED) | Q(status=ActionStatus.FAILED, retry_at__lte=now)
    )


def _claim(organisation: Any, today: date, now: datetime, token: str) -> list[int]:
    due = _due(organisation, today, now)
    candidates = list(
        Action.objects.filter(due).order_by("scheduled_for", "id").values_list("id", flat=True)[:CLAIM_BATCH]
    )
    if not candidates:
        return []
    # The condition is repeated in the UPDATE: of two dispatchers racing, one gets the row.
    Action.objects.filter(due, id__in=candidates).update(
        status=ActionStatus.CLAIMED, claim_token=token, claimed_at=timezone.now()
    )
    return list(
        Action.objects.filter(claim_token=token, status=ActionStatus.CLAIMED).values_list("id", flat=True)
    )


def dispatch_pass(
    *, organisation: Any, today: date, now: datetime | None = None, dry_run: bool = False
) -> DispatchFigures:
    """Sends every message due on or before `today` (call inside the organisation's scope).
    `now` is the moment recorded as sent (a cycle run for day D passes a time on D)."""
    now = now or timezone.now()
    figures = DispatchFigures()
    figures.requeued, figures.unknown = dispatch_recover(organisation=organisation, now=now)
    transports: dict[str, Transport | Exception | None] = {}
    token = uuid.uuid4().hex
    try:
        while ids := _claim(organisation, today, now, token):
            for action_id in ids:
                try:
                    _dispatch_one(action_id, token, organisation, today, now, transports, figures, dry_run)
                except Exception as exc:
                    # One message's fault (a bug, a full disk) must not stop everyone else's.
                    logger.exception("dispatch of action %s failed", action_id)
                    _record_crash(action_id, token, now, exc, figures)
    finally:
        for transport in transports.values():
            if transport is not None and not isinstance(transport, Exception):
                transport.close()
    if figures.letters and not dry_run:
        try:
            print_batch_build(organisation=organisation, day=today, now=now)
        except Exception as exc:  # the letters are stored; the batch can be built again
            logger.exception("print batch of %s failed", today)
            figures.problems.append(f"print batch of {today}: {exc}")
    return figures


def _release(action: Action, today: date, reason: str, figures: DispatchFigures) -> None:
    """Not today: back to planned for the next day, nothing sent."""
    action.status = ActionStatus.PLANNED
    action.scheduled_for = today + timedelta(days=1)
    action.status_reason = reason
    action.claim_token, action.claimed_at = "", None
    action.save(
        update_fields=["status", "scheduled_for", "status_reason", "claim_token", "claimed_at", "updated_at"]
    )
    figures.postponed += 1


def _cancel(action: Action, reason: str, figures: DispatchFigures) -> None:
    action.status = ActionStatus.CANCELLED
    action.status_reason = reason
    action.claim_token, action.claimed_at = "", None
    action.save(update_fields=["status", "status_reason", "claim_token", "claimed_at", "updated_at"])
    event_record(
        organisation=action.organisation,
        debtor_id=action.debtor_id,
        kind=EventKind.ACTION_CANCELLED,
        summary=f"{action.step} ({action.channel}) annulé : {reason}",
        data={"action_id": action.id, "step": action.step, "channel": action.channel, "reason": reason},
    )
    figures.cancelled += 1


def _invoices_now(action: Action, debtor: Debtor, today: date) -> tuple[list[Invoice], bool]:
    """The invoices the message lists at the moment of sending, and whether some overdue ones are
    only withheld (disputed or on hold) rather than gone."""
    if is_notice(action):
        # A dispute's notice speaks of its invoice even when nothing is left to pay on it.
        return notice_invoices(action, today), False
    open_invoices = list(
        Invoice.objects.filter(
            debtor=debtor, document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0
        ).order_by("due_date", "number")
    )
    withheld = withheld_invoice_ids(today, debtor.id) & {i.id for i in open_invoices}
    if action.courtesy_due_date is not None:
        listed = [i for i in open_invoices if i.due_date == action.courtesy_due_date and i.id not in withheld]
        return listed, False
    overdue = [i for i in open_invoices if i.due_date < today]
    listed = [i for i in overdue if i.id not in withheld]
    if action.needs_approval or action.approved_at is not None:
        # A formal notice never claims an invoice its approver did not see.
        approved = set(action.invoice_ids)
        listed = [i for i in listed if i.id in approved]
    return listed, any(i.id in withheld for i in overdue)


def _capped(action: Action, debtor: Debtor, today: date, organisation: Any) -> bool:
    # The group's accounts first (index on the SIREN), then their actions by debtor and day: joining
    # actions to debtors on the SIREN would scan the whole day's messages of the organisation.
    members = [debtor.id]
    if debtor.siren:
        members = list(Debtor.objects.filter(siren=debtor.siren).order_by().values_list("id", flat=True))
    days = list(
        Action.objects.filter(
            debtor_id__in=members,
            channel__in=sorted(MESSAGE_CHANNELS),
            status__in=[s for s in COUNTED if s not in (ActionStatus.PLANNED, ActionStatus.CLAIMED)],
            scheduled_for__gte=today - timedelta(days=6),
            scheduled_for__lte=today,
        )
        .exclude(id=action.id)
        .order_by()
        .values_list("scheduled_for", flat=True)
    )
    return not within_caps(today, days, caps_of(organisation))


def _recipient(action: Action, debtor: Debtor) -> str:
    contacts = debtor.contacts.filter(invalid_since__isnull=True).order_by("id")
    if action.channel == EMAIL:
        contact = contacts.filter(kind=ContactKind.EMAIL).first()
    else:
        contact = contacts.filter(kind=ContactKind.PHONE, is_mobile=True).first()
    return contact.value if contact else ""


def _transport(channel: str, organisation: Any, cache: dict[str, Any]) -> Transport | None:
    if channel not in cache:
        try:
            cache[channel] = transport_for(channel, organisation.settings or {})
        except ValueError as exc:
            cache[channel] = exc
    found = cache[channel]
    if isinstance(found, Exception):
        raise found
    return found  # type: ignore[no-any-return]


def _check(
    action: Action, debtor: Debtor, organisation: Any, today: date, figures: DispatchFigures
) -> list[Invoice] | None:
    """Everything checked again at the moment of sending; None when the action does not leave now."""
    if debtor.do_not_contact or debtor.redacted_at:
        _cancel(action, "debtor marked do not contact", figures)
        return None
    if debtor.insolvency_since:
        _cancel(action, "debtor in insolvency proceedings", figures)
        return None
    if action.case_id and action.case.status == CaseStatus.CLOSED:
        _cancel(action, f"case closed ({action.case.close_reason})", figures)
        return None
    if action.case_id and PaymentPlan.objects.filter(debtor=debtor, status=PlanStatus.ACTIVE).exists():
        # Signed since the planning: the plan's instalments replace the scenario's steps.
        _release(action, today, "payment plan", figures)
        return None
    notice = is_notice(action)
    if notice and (stale := notice_stale(action, today)):
        _cancel(action, stale, figures)
        return None
    promise = Promise.objects.filter(debtor=debtor, status=PromiseStatus.OPEN, made_on__lte=today).first()
    # A promise suspends the reminders, not the answer to a dispute nor the debtor's own plan.
    if promise is not None and today <= promise.window_end and not notice:
        if action.courtesy_due_date is not None:
            _cancel(action, "promise to pay", figures)
        else:
            _release(action, today, f"promise to pay until {promise.window_end}", figures)
        return None
    contact_day = is_contact_day(
        today,
        action.channel,
        debtor_type=debtor.debtor_type,
        calendar=calendar_for(debtor.country, debtor.postcode),
        organisation_calendar=org_calendar(organisation),
    )
    if not contact_day:
        _release(action, today, "not a contact day", figures)
        return None
    invoices, withheld = _invoices_now(action, debtor, today)
    if not invoices:
        if withheld:
            _release(action, today, "every overdue invoice is disputed or on hold", figures)
        else:
            _cancel(action, "nothing left to pay", figures)
        return None
    if _capped(action, debtor, today, organisation):
        _release(action, today, "contact cap reached", figures)
        return None
    return invoices


def _dispatch_one(
    action_id: int,
    token: str,
    organisation: Any,
    today: date,
    now: datetime,
    transports: dict[str, Any],
    figures: DispatchFigures,
    dry_run: bool = False,
) -> None:
    with transaction.atomic():
        action = (
            Action.objects.select_for_update(of=("self",))
            .select_related("debtor", "case", "organisation")
            .filter(id=action_id, claim_token=token, status=ActionStatus.CLAIMED)
            .first()
        )
        if action is None:
            return
        debtor = action.debtor
        invoices = _check(action, debtor, organisation, today, figures)
        if invoices is None:
            return
        recipient = ""
        transport = None
        if action.channel in (EMAIL, SMS):
            try:
                transport = _transport(action.channel, organisation, transports)
            except ValueError as exc:
                record_stored(action, invoices, now=now, failure=f"transport settings: {exc}")
                figures.failed += 1
                figures.problems.append(f"action {action.id}: {exc}")
                return
            if transport is None:
                _cancel(action, "no SMS provider", figures)
                return
            recipient = _recipient(action, debtor)
            if not recipient:
                if action.channel == SMS:
                    _cancel(action, "no mobile number", figures)
                    return
                fallback = LETTER if debtor.address and debtor.city else TASK
                _cancel(action, f"no email address: {fallback} instead", figures)
                action_fallback(action, fallback, "no email address", today)
                return
        elif action.channel in POSTAL_CHANNELS and not (debtor.address and debtor.city):
            _cancel(action, "no postal address: a task to find one", figures)
            action_fallback(action, TASK, "no postal address", today)
            return
        if dry_run:
            _simulated(action, invoices, now, figures)
            return
        try:
            composed = compose_message(action, debtor, organisation, invoices, today)
        except PlaceholderError as exc:
            record_stored(action, invoices, now=now, failure=f"template {action.step}: {exc}")
            figures.failed += 1
            figures.problems.append(f"action {action.id}: template {action.step}: {exc}")
            return
        content = None
        if action.channel in POSTAL_CHANNELS:
            content = letter_content(action, debtor, organisation, invoices, composed, today)
        findings = action_document_check(action, debtor, organisation, invoices, composed, today, content)
        if findings:
            # Nothing leaves that breaks the law's rules on what a demand may say: a person fixes
            # the template (or the data) and sends it again.
            reason = findings_text(findings)
            record_stored(
                action,
                invoices,
                now=now,
                failure=reason,
                findings=[{"code": f.code, "detail": f.detail} for f in findings],
            )
            figures.failed += 1
            figures.problems.append(f"action {action.id}: {reason}")
            return
        if content is not None:
            pdf = render_letter(content)
            path = _store_document(organisation, action, today, pdf)
            action.letter = letter_to_data(content)
            record_stored(
                action, invoices, now=now, composed=composed, recipient=_postal(content), document=(path, pdf)
            )
            if action.step == "formal_notice":
                # Legal interest runs from the first notice for a consumer (C. civ. 1344-1).
                Invoice.objects.filter(id__in=[i.id for i in invoices], formal_notice_on__isnull=True).update(
                    formal_notice_on=today, updated_at=timezone.now()
                )
            figures.dispatched += 1
            figures.letters += 1
            notice_sent(action)
            return
        message = outgoing(action, organisation, recipient, composed)
        record_stored(
            action, invoices, now=now, composed=composed, recipient=recipient, message_id=message.message_id
        )
    # Outside any transaction: the provider may take seconds, and a row lock must not wait for it.
    assert transport is not None
    try:
        result = transport.send(message)
    except Exception as exc:  # a transport bug: whether it left is not known
        result = SendResult(Outcome.UNKNOWN, f"{type(exc).__name__}: {exc}")
    outcome = record_outcome(action, result, now=now, expected_token=token)
    if outcome == ActionStatus.DISPATCHED:
        figures.dispatched += 1
        notice_sent(action)
    elif outcome == ActionStatus.UNKNOWN:
        figures.unknown += 1
    elif action.retry_at is not None:
        figures.retrying += 1
    else:
        figures.failed += 1
        figures.problems.append(f"action {action.id}: {result.detail}")


def _record_crash(
    action_id: int, token: str, now: datetime, exc: Exception, figures: DispatchFigures
) -> None:
    """Before the hand-over nothing left: the action fails with the error, shown to a person."""
    detail = f"internal error: {type(exc).__name__}: {exc}"[:300]
    crashed = Action.objects.filter(id=action_id, claim_token=token, status=ActionStatus.CLAIMED).update(
        status=ActionStatus.FAILED, status_reason=detail, claim_token="", claimed_at=None, retry_at=None
    )
    if crashed:
        figures.failed += 1
        figures.problems.append(f"action {action_id}: {detail}")


def _simulated(action: Action, invoices: list[Invoice], now: datetime, figures: DispatchFigures) -> None:
    """`recouvre simulate`: counted as sent, nothing rendered or handed over."""
    action.status, action.dispatched_at, action.scheduled_for = ActionStatus.DISPATCHED, now, now.date()
    action.claim_token, action.claimed_at = "", None
    action.invoice_numbers = [i.number for i in invoices]
    action.save()
    figures.dispatched += 1
    if action.channel in POSTAL_CHANNELS:
        figures.letters += 1


def _postal(content: Any) -> str:
    return "\n".join([content.debtor.name, *content.debtor.address_lines])


def _store_document(organisation: Any, action: Action, today: date, pdf: bytes) -> str:
    relative = (
        Path("documents") / organisation.slug / f"{today:%Y}" / f"{today:%m}" / f"action-{action.id}.pdf"
    )
    target = Path(settings.DATA_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(pdf)
    partial.replace(target)
    return str(relative)
