"""Debtors: search, one account with its balance, its timeline."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from ninja import Query, Router

from recouvre.api.common import DEFAULT_LIMIT, amount, audit, local_time, not_found, page, today
from recouvre.api.schemas.common import ERRORS, Limit, Offset
from recouvre.api.schemas.debtors import DebtorOut, DebtorPageOut, TimelinePageOut
from recouvre.audit.enums import AuditAction
from recouvre.ledger.domain.queries import aged_balance, debtor_search, unallocated_credit
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Debtor
from recouvre.timeline.models import Event

router = Router(tags=["debtors"])

_OPEN = Q(
    invoices__document_type=DocumentType.INVOICE,
    invoices__status=InvoiceStatus.OPEN,
    invoices__open_amount__gt=0,
)


def _with_balance(debtors: QuerySet[Debtor]) -> QuerySet[Debtor]:
    return debtors.annotate(
        open_sum=Sum("invoices__open_amount", filter=_OPEN), open_count=Count("invoices", filter=_OPEN)
    )


def _summary(debtor: Debtor) -> dict[str, Any]:
    return {
        "ref": debtor.ref,
        "name": debtor.name,
        "debtor_type": debtor.debtor_type,
        "segment": debtor.segment,
        "siren": debtor.siren,
        "city": debtor.city,
        "country": debtor.country,
        "open_amount": amount(debtor.open_sum),  # type: ignore[attr-defined]
        "open_invoices": debtor.open_count,  # type: ignore[attr-defined]
    }


def _get(ref: str, debtors: QuerySet[Debtor] | None = None) -> Debtor:
    debtor = (debtors if debtors is not None else Debtor.objects.all()).filter(ref=ref).first()
    if debtor is None:
        raise not_found("debtor", ref)
    return debtor


@router.get("", response={200: DebtorPageOut, **ERRORS}, summary="Search debtors")
def debtor_list(
    request: HttpRequest,
    q: str = Query("", description="Part of a name or ref, a SIREN, or an invoice number"),
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> dict[str, Any]:
    debtors = _with_balance(debtor_search(q)).order_by("name", "ref")
    count, rows = page(debtors, limit, offset)
    return {"count": count, "limit": limit, "offset": offset, "items": [_summary(d) for d in rows]}


# Registered before the detail route: refs may contain "/", so `{path:ref}` would swallow "/timeline".
@router.get("/{path:ref}/timeline", response={200: TimelinePageOut, **ERRORS}, summary="A debtor's timeline")
def debtor_timeline(
    request: HttpRequest,
    ref: str,
    kind: str = Query("", description="Only events of this kind (e.g. payment_recorded)"),
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> dict[str, Any]:
    debtor = _get(ref)
    events = Event.objects.filter(debtor=debtor).select_related("invoice", "actor")
    if kind:
        events = events.filter(kind=kind)
    count, rows = page(events, limit, offset)
    audit(request, action=AuditAction.VIEW, object_type="timeline", object_id=debtor.pk, debtor_id=debtor.pk)
    items = [
        {
            "id": e.pk,
            "kind": e.kind,
            "occurred_at": local_time(e.occurred_at),
            "invoice": e.invoice.number if e.invoice else None,
            "actor": e.actor.email if e.actor else None,
            "summary": e.summary,
            "data": e.data,
        }
        for e in rows
    ]
    return {"debtor_ref": debtor.ref, "count": count, "limit": limit, "offset": offset, "items": items}


@router.get("/{path:ref}", response={200: DebtorOut, **ERRORS}, summary="One debtor with its balance")
def debtor_detail(
    request: HttpRequest,
    ref: str,
    date: dt.date | None = Query(None, description="Day of the aged balance (default: today)"),  # noqa: B008
) -> dict[str, Any]:
    day = date or today()
    debtor = _get(ref, _with_balance(Debtor.objects.all()))
    balance = aged_balance(day, debtor)
    overdue = balance.total - balance.buckets["not_due"]
    audit(request, action=AuditAction.VIEW, object_type="debtor", object_id=debtor.pk, debtor_id=debtor.pk)
    return {
        **_summary(debtor),
        "vat_number": debtor.vat_number,
        "address": debtor.address,
        "postcode": debtor.postcode,
        "language": debtor.language,
        "do_not_contact": debtor.do_not_contact,
        "redacted": debtor.redacted_at is not None,
        "contacts": [
            {
                "kind": c.kind,
                "value": c.value,
                "name": c.name,
                "is_mobile": c.is_mobile,
                "valid": c.invalid_since is None,
            }
            for c in debtor.contacts.all()
        ],
        "overdue_amount": amount(overdue),
        "unallocated_credit": amount(unallocated_credit(day, debtor)),
        "aged_balance": {
            "date": day,
            "buckets": {name: amount(value) for name, value in balance.buckets.items()},
            "total": amount(balance.total),
        },
    }
