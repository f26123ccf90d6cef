"""Reads behind the debtor list and the balance headlines. Run inside an organisation scope.

The balances follow `ledger.domain.queries.aged_balance`: invoices (not credit notes) issued on or
before today with an open amount, so that the rows of the list add up to the headline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, F, Min, Q, QuerySet, Sum, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from recouvre.ledger.domain.ageing import BUCKETS, AgedBalance
from recouvre.ledger.domain.queries import debtor_search
from recouvre.ledger.enums import DocumentType
from recouvre.ledger.models import Debtor

_ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))

BUCKET_LABELS = {
    "not_due": _("Non échu"),
    "1-30": _("1 à 30 jours"),
    "31-60": _("31 à 60 jours"),
    "61-90": _("61 à 90 jours"),
    "91+": _("Plus de 90 jours"),
}

# Each sort key and the ordering it means when ascending; "-key" reverses it. Balances and lateness
# are ascending = smallest first, like every other column, so that the arrows read the same way.
SORTS: dict[str, tuple[OrderBy, ...]] = {
    "name": (F("name").asc(), F("ref").asc()),
    "ref": (F("ref").asc(),),
    "open": (F("open_balance").asc(), F("name").asc()),
    "overdue": (F("overdue_balance").asc(), F("name").asc()),
    # Days late grow as the oldest due date gets older; debtors with nothing overdue are least late.
    "late": (F("oldest_due").desc(nulls_first=True), F("name").asc()),
}
DEFAULT_SORT = "-overdue"


@dataclass(frozen=True)
class BucketRow:
    key: str
    label: str
    amount: Decimal

    @property
    def slug(self) -> str:
        # "91+" is no valid CSS class name.
        return self.key.replace("+", "-plus")


def bucket_rows(aged: AgedBalance) -> list[BucketRow]:
    return [BucketRow(key, str(BUCKET_LABELS[key]), aged.buckets[key]) for key in BUCKETS]


def normalise_sort(sort: str | None) -> str:
    if sort and sort.removeprefix("-") in SORTS:
        return sort
    return DEFAULT_SORT


def _reversed(expression: OrderBy) -> OrderBy:
    # OrderBy objects carry their direction; flipping keeps the nulls placement on the same "side"
    # of lateness (no overdue invoice = least late) whichever way the column is sorted.
    flipped = expression.copy()
    flipped.reverse_ordering()
    return flipped


def debtor_rows(query: str, sort: str, today: date) -> QuerySet[Debtor]:
    """Debtors matching the search, each with `open_balance`, `overdue_balance` and `oldest_due`."""
    open_items = Q(
        invoices__document_type=DocumentType.INVOICE,
        invoices__issue_date__lte=today,
        invoices__open_amount__gt=0,
    )
    overdue_items = open_items & Q(invoices__due_date__lt=today)
    debtors = debtor_search(query).annotate(
        open_balance=Coalesce(Sum("invoices__open_amount", filter=open_items), _ZERO),
        overdue_balance=Coalesce(Sum("invoices__open_amount", filter=overdue_items), _ZERO),
        oldest_due=Min("invoices__due_date", filter=overdue_items),
    )
    sort = normalise_sort(sort)
    ordering = SORTS[sort.removeprefix("-")]
    if sort.startswith("-"):
        # Only the leading key flips: ties stay in name order, which is what a reader scans for.
        ordering = (_reversed(ordering[0]), *ordering[1:])
    return debtors.order_by(*ordering, "pk")


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str
    numeric: bool
    # The sort a click on the header asks for, and the state announced to screen readers.
    next_sort: str
    aria_sort: str


# Amounts and lateness are read biggest first, names in alphabetical order.
_COLUMNS = (
    ("name", _("Débiteur"), False, "name"),
    ("ref", _("Compte"), False, "ref"),
    ("open", _("Encours"), True, "-open"),
    ("overdue", _("Échu"), True, "-overdue"),
    ("late", _("Retard max."), True, "-late"),
)


def sort_columns(current: str) -> list[SortColumn]:
    columns = []
    for key, label, numeric, first in _COLUMNS:
        if current == key:
            next_sort, aria = f"-{key}", "ascending"
        elif current == f"-{key}":
            next_sort, aria = key, "descending"
        else:
            next_sort, aria = first, ""
        columns.append(SortColumn(key, str(label), numeric, next_sort, aria))
    return columns
