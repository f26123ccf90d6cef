"""Reads behind the debtor list and the balance headlines. Run inside an organisation scope.

The balances follow `ledger.domain.queries.aged_balance`: invoices (not credit notes) issued on or
before today with an open amount, so that the rows of the list add up to the headline. They are read
from the `DebtorBalance` read model (ledger/models/balance.py), brought up to date before each read:
summing a million invoices per request cannot meet the portfolio's 300 ms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext_lazy as _

from recouvre.backoffice.portfolio_filters import apply_filters
from recouvre.ledger.domain.ageing import BUCKETS, AgedBalance
from recouvre.ledger.models import Debtor, Invoice

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


class CountedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator told the number of rows when it is already known (the unfiltered portfolio: the
    read model keeps it), which spares a count over every debtor."""

    def __init__(self, object_list: Any, per_page: int, *, count: int | None = None) -> None:
        super().__init__(object_list, per_page)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached_property


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


def _sorted(debtors: QuerySet[Debtor], organisation: Any, sort: str) -> QuerySet[Debtor]:
    debtors = debtors.filter(balance__organisation=organisation).annotate(
        open_balance=F("balance__open_balance"),
        overdue_balance=F("balance__overdue_balance"),
        oldest_due=F("balance__oldest_due"),
    )
    sort = normalise_sort(sort)
    ordering = SORTS[sort.removeprefix("-")]
    if sort.startswith("-"):
        # Only the leading key flips: ties stay in name order, which is what a reader scans for.
        ordering = (_reversed(ordering[0]), *ordering[1:])
    return debtors.order_by(*ordering, "pk")


def _search(query: str) -> QuerySet[Debtor]:
    """`ledger.domain.queries.debtor_search`, written so that each part uses its index: the exact
    matches (SIREN, invoice number) are looked up first and join the name/account match as ids, since
    a subquery inside the OR kept PostgreSQL from using the trigram indexes (210 ms a search)."""
    query = query.strip()
    if not query:
        return Debtor.objects.all()
    exact = set(Debtor.objects.filter(siren=query.replace(" ", "")).values_list("id", flat=True))
    exact |= set(Invoice.objects.filter(number__iexact=query).values_list("debtor_id", flat=True))
    return Debtor.objects.filter(Q(name__icontains=query) | Q(ref__icontains=query) | Q(id__in=exact))


def _matching(filters: dict[str, str], today: date) -> QuerySet[Debtor]:
    return apply_filters(_search(filters.get("q", "")), filters, today)


def debtor_rows(*, organisation: Any, filters: dict[str, str], sort: str, today: date) -> QuerySet[Debtor]:
    """Debtors matching the search and filters, each with `open_balance`, `overdue_balance` and
    `oldest_due`. Call `ledger.domain.balances.debtor_balances_current` first."""
    return _sorted(_matching(filters, today), organisation, sort)


# Up to this many matches, a filtered view is read by id and counted exactly: PostgreSQL cannot
# estimate how many rows a search or a rare filter keeps, and walking the sort index for 50 of a few
# rows read all 200,000 (2.6 s for an invoice number, measured). Above it the first 50 come early in
# the index order, and the page says "more than FEW" instead of counting them all (a count of the
# 48,000 PME debtors cost 60-170 ms); the bulk confirmation gives the exact number.
FEW = 2000


def debtor_page_rows(
    *, organisation: Any, filters: dict[str, str], sort: str, today: date, total: int, rows_needed: int = 0
) -> tuple[QuerySet[Debtor], int, bool]:
    """`debtor_rows` for one page, how many rows the view has and whether that number is exact.
    `total` (the organisation's debtors, kept by the read model) answers when nothing is filtered;
    a broad view answers FEW + 1, "more than FEW", unless the page asked for goes past its first FEW
    rows (`rows_needed`): then they are counted."""
    if not filters:
        return debtor_rows(organisation=organisation, filters=filters, sort=sort, today=today), total, True
    matching = _matching(filters, today).order_by()
    ids = list(matching.values_list("id", flat=True)[: FEW + 1])
    if len(ids) <= FEW:
        return _sorted(Debtor.objects.filter(id__in=ids), organisation, sort), len(ids), True
    if rows_needed > FEW:
        return _sorted(matching, organisation, sort), matching.count(), True
    return _sorted(matching, organisation, sort), len(ids), False


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
