"""Portal links: a signed token per debtor, no account to create. The token names the organisation,
the debtor and the debtor's `portal_key`; it expires (`RECOUVRE_PORTAL_LINK_DAYS`, 90 by default, long
enough for a letter to be answered) and every link sent so far is revoked by raising the key. The
signature makes guessing useless; the portal also limits failed attempts per address."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django_scopes import scope

from recouvre.audit.domain.services import audit_record
from recouvre.ledger.models import Debtor
from recouvre.selfservice.models import PortalVisit

SALT = "recouvre.portal"


class PortalLinkError(ValueError):
    """Why a link does not open: `expired`, `invalid` (tampered, or not a link at all), `revoked`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def link_lifetime() -> timedelta:
    return timedelta(days=int(getattr(settings, "PORTAL_LINK_DAYS", 90)))


def portal_token(debtor: Debtor) -> str:
    return signing.dumps(
        {"o": debtor.organisation_id, "d": debtor.pk, "k": debtor.portal_key}, salt=SALT, compress=True
    )


def portal_url(debtor: Debtor) -> str:
    return f"{settings.BASE_URL}/portal/{portal_token(debtor)}/"


def portal_token_read(token: str) -> Debtor:
    """The debtor (with its organisation) the token opens the portal for; PortalLinkError otherwise.
    The key is checked against the database, so a revoked link fails even within its lifetime."""
    try:
        data = signing.loads(token, salt=SALT, max_age=link_lifetime())
    except signing.SignatureExpired:
        raise PortalLinkError("expired") from None
    except signing.BadSignature:
        raise PortalLinkError("invalid") from None
    if not isinstance(data, dict) or not {"o", "d"} <= set(data):
        raise PortalLinkError("invalid")
    with scope(organisation=data["o"]):  # the debtor must belong to the organisation the link names
        debtor = (
            Debtor.objects.filter(pk=data["d"], organisation_id=data["o"], redacted_at__isnull=True)
            .select_related("organisation")
            .first()
        )
    if debtor is None:
        raise PortalLinkError("invalid")
    if data.get("k", 1) != debtor.portal_key:
        raise PortalLinkError("revoked")
    return debtor


def portal_links_revoke(*, organisation: Any, debtor: Debtor, actor: Any) -> None:
    """Every portal link sent to this debtor stops working; the next messages carry a new one."""
    with transaction.atomic():
        Debtor.objects.filter(pk=debtor.pk).update(portal_key=F("portal_key") + 1)
        debtor.refresh_from_db(fields=["portal_key"])
        audit_record(
            organisation=organisation,
            actor=actor,
            action="update",
            object_type="portal_links",
            object_id=debtor.pk,
            debtor_id=debtor.pk,
            changes={"portal_key": debtor.portal_key},
        )


def ip_prefix(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False).network_address)


def portal_visit_record(
    *, organisation_id: int, debtor_id: int, action: str, path: str, ip: str, agent: str
) -> None:
    PortalVisit.objects.create(
        organisation_id=organisation_id,
        debtor_id=debtor_id,
        action=action[:40],
        path=path[:300],
        ip_prefix=ip_prefix(ip),
        user_agent=agent[:200],
    )
