"""One-time codes for the portal's sensitive actions (signing a payment plan): six digits sent to an
e-mail address the creditor already had for the debtor, valid 15 minutes, 5 attempts, one use.

The code leaves at once through the organisation's e-mail transport rather than through the dunning
outbox: it is an answer to the debtor's own request, which contact days and caps must not delay by a
day. Its sending is recorded in the debtor's timeline (not the code itself)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from recouvre.ledger.enums import ContactKind
from recouvre.ledger.models import Debtor
from recouvre.messaging.transports.base import Outcome, OutgoingMessage
from recouvre.messaging.transports.registry import transport_for
from recouvre.selfservice.models import OneTimeCode
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

LIFETIME = timedelta(minutes=15)
MAX_ATTEMPTS = 5


class CodeError(ValueError):
    """`unknown_contact`, `not_sent`, `expired`, `wrong`, `too_many`: what the page tells the debtor."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def known_emails(debtor: Debtor) -> list[str]:
    return list(
        debtor.contacts.filter(kind=ContactKind.EMAIL, invalid_since__isnull=True)
        .order_by("id")
        .values_list("value", flat=True)
    )


def known_destinations(debtor: Debtor) -> list[str]:
    """Where a code may go: the e-mail addresses and mobile numbers the creditor already had."""
    mobiles = list(
        debtor.contacts.filter(kind=ContactKind.PHONE, is_mobile=True, invalid_since__isnull=True)
        .order_by("id")
        .values_list("value", flat=True)
    )
    return known_emails(debtor) + mobiles


def mask(address: str) -> str:
    """`c***@omega.example` or `+336•••••78`: enough for the debtor to recognise it, not to read it."""
    if "@" not in address:
        return f"{address[:4]}{'•' * max(len(address) - 6, 0)}{address[-2:]}"
    name, _, domain = address.partition("@")
    return f"{name[:1]}***@{domain}"


def code_send(
    *, organisation: Any, debtor: Debtor, purpose: str, to: str, subject: str, body: str, sms_text: str = ""
) -> OneTimeCode:
    """Sends a new code (the previous ones for the same purpose stop working) by e-mail, or by SMS to a
    known mobile number. `body` and `sms_text` hold `{code}`."""
    if to not in known_destinations(debtor):
        raise CodeError("unknown_contact")
    channel = "email" if "@" in to else "sms"
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        OneTimeCode.objects.filter(debtor=debtor, purpose=purpose, used_at__isnull=True).update(
            expires_at=timezone.now()
        )
        row = OneTimeCode.objects.create(
            organisation=organisation,
            debtor=debtor,
            purpose=purpose,
            code_hash=make_password(code),
            sent_to=to,
            expires_at=timezone.now() + LIFETIME,
        )
    transport = transport_for(channel, organisation.settings or {})
    if transport is None:  # no SMS provider configured
        raise CodeError("not_sent")
    try:
        result = transport.send(
            OutgoingMessage(
                action_id=0,
                channel=channel,
                recipient=to,
                subject=subject if channel == "email" else "",
                body_text=body.format(code=code) if channel == "email" else sms_text.format(code=code),
                sender_name=organisation.name,
                sender_email=str(
                    (organisation.settings or {}).get("sender_email") or settings.DEFAULT_FROM_EMAIL
                ),
                reply_to=organisation.email or "",
            )
        )
    finally:
        transport.close()
    if result.outcome != Outcome.DELIVERED:
        raise CodeError("not_sent")
    event_record(
        organisation=organisation,
        debtor_id=debtor.pk,
        kind=EventKind.NOTE,
        summary=f"Code de confirmation envoyé à {mask(to)} ({purpose})",
        data={"purpose": purpose, "sent_to": to, "source": "portal"},
    )
    return row


def code_check(*, debtor: Debtor, purpose: str, code: str) -> None:
    """Consumes the code when right; CodeError otherwise (each wrong try counts)."""
    row = OneTimeCode.objects.filter(debtor=debtor, purpose=purpose, used_at__isnull=True).first()
    if row is None or row.expires_at <= timezone.now():
        raise CodeError("expired")
    if row.attempts >= MAX_ATTEMPTS:
        raise CodeError("too_many")
    if not check_password(code.strip(), row.code_hash):
        OneTimeCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        raise CodeError("wrong")
    # One use: of two submissions racing, one finds the row unused.
    if not OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise CodeError("expired")
