"""Who writes and for whom. A creditor writes for itself; an agency organisation writes in its own
name for its client creditor (CPCE R124-4), and its letters carry the mentions that say so, with the
reference and date of its first letter to the debtor recalled in every later one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from recouvre.dunning.domain.scenario import POSTAL_CHANNELS
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.ledger.models import Debtor
from recouvre.messaging.letters.content import AgencyMentions
from recouvre.tenancy.domain.agency import agency_client_read


@dataclass(frozen=True)
class Parties:
    creditor_name: str
    creditor_address_lines: tuple[str, ...]
    agency_name: str = ""  # empty when the organisation is the creditor itself
    agency_address_lines: tuple[str, ...] = ()


def address_lines(address: str, postcode: str, city: str, country: str) -> tuple[str, ...]:
    lines = [line.strip() for line in address.replace(" / ", "\n").splitlines() if line.strip()]
    lines.append(f"{postcode} {city}".strip())
    if country and country != "FR":
        lines.append(country)
    return tuple(line for line in lines if line)


def parties_of(organisation: Any) -> Parties:
    own = address_lines(organisation.address, organisation.postcode, organisation.city, organisation.country)
    if not organisation.is_agency:
        return Parties(organisation.name, own)
    client = agency_client_read(organisation.settings)
    return Parties(client.name, client.address_lines, organisation.name, own)


def first_letter_of(debtor: Debtor, language: str) -> str:
    """The agency's first letter to this debtor, as later letters recall it ("ref du dd/mm/yyyy")."""
    first = (
        Action.objects.filter(
            debtor=debtor, channel__in=sorted(POSTAL_CHANNELS), status=ActionStatus.DISPATCHED
        )
        .order_by("dispatched_at", "id")
        .first()
    )
    if first is None or first.dispatched_at is None:
        return ""
    day = first.dispatched_at.date()
    written = day.strftime("%d/%m/%Y") if language != "en" else day.isoformat()
    return f"{debtor.ref}-{first.id} {'du' if language != 'en' else 'of'} {written}"


def agency_block(organisation: Any, debtor: Debtor, language: str, action_id: int) -> AgencyMentions | None:
    if not organisation.is_agency:
        return None
    parties = parties_of(organisation)
    first = first_letter_of(debtor, language)
    return AgencyMentions(
        agency_name=parties.agency_name,
        agency_address_lines=parties.agency_address_lines,
        creditor_name=parties.creditor_name,
        creditor_address_lines=parties.creditor_address_lines,
        # The first letter itself has nothing to recall.
        first_letter="" if first.startswith(f"{debtor.ref}-{action_id} ") else first,
    )
