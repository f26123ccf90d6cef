"""A letter waiting for approval, laid out as it would leave today: the invoices the dispatcher would
list now (`dispatch._invoices_now`: paid or disputed ones dropped, never one the approver was not
shown), the same template and the same renderer. Nothing is stored, sent or cached: each preview
reads the books again, so that what the manager approves is what is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from recouvre.dunning.domain.compose import compose_message, letter_content
from recouvre.dunning.domain.conformity import action_document_check
from recouvre.dunning.domain.dispatch import _invoices_now
from recouvre.dunning.domain.scenario import POSTAL_CHANNELS
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.law.domain.compliance import Finding
from recouvre.messaging.domain.placeholders import PlaceholderError
from recouvre.messaging.letters.render import render_letter

PREVIEWABLE = (ActionStatus.AWAITING_APPROVAL, ActionStatus.PLANNED)


class PreviewError(ValueError):
    pass


@dataclass(frozen=True)
class Preview:
    pdf: bytes
    invoice_numbers: tuple[str, ...]
    # What the compliance check would refuse if the letter left today (the dispatcher runs it again).
    findings: tuple[Finding, ...] = ()


def letter_preview(*, organisation: Any, action: Action, today: date, render: bool = True) -> Preview:
    """The PDF the action would print today (`render=False`: only what the compliance check says).
    PreviewError when there is no letter to show: not a letter, no longer waiting, nothing left to
    claim, or a template that does not render."""
    if action.channel not in POSTAL_CHANNELS:
        raise PreviewError(f"action {action.pk} is not a letter ({action.channel})")
    if action.status not in PREVIEWABLE:
        raise PreviewError(f"action {action.pk} is no longer waiting (status: {action.status})")
    debtor = action.debtor
    invoices, withheld = _invoices_now(action, debtor, today)
    if not invoices:
        reason = "every overdue invoice is disputed or on hold" if withheld else "nothing left to pay"
        raise PreviewError(reason)
    try:
        composed = compose_message(action, debtor, organisation, invoices, today)
    except (PlaceholderError, LookupError) as exc:
        raise PreviewError(f"template {action.step}: {exc}") from exc
    content = letter_content(action, debtor, organisation, invoices, composed, today)
    findings = action_document_check(action, debtor, organisation, invoices, composed, today, content)
    return Preview(
        pdf=render_letter(content) if render else b"",
        invoice_numbers=tuple(i.number for i in invoices),
        findings=findings,
    )
