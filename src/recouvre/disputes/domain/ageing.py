"""How long open disputes have waited for an answer, by age band. PURE: no Django.

A dispute's age is the number of days since it was opened (0 on that day). The bands follow the
answer deadline of 15 days (models.dispute.ANSWER_DAYS): a first week, the rest of the deadline,
the second fortnight, and beyond a month."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class AgeBand:
    key: str
    low: int  # days, inclusive
    high: int | None  # days, inclusive; None: no upper bound

    def holds(self, age: int) -> bool:
        return age >= self.low and (self.high is None or age <= self.high)

    def opened_between(self, today: date) -> tuple[date | None, date]:
        """(earliest, latest) opening dates of the disputes in this band on `today`; earliest None
        for the open-ended last band."""
        earliest = None if self.high is None else today - timedelta(days=self.high)
        return earliest, today - timedelta(days=self.low)


BANDS: tuple[AgeBand, ...] = (
    AgeBand("0-7", 0, 7),
    AgeBand("8-15", 8, 15),
    AgeBand("16-30", 16, 30),
    AgeBand("31+", 31, None),
)
BAND_KEYS: tuple[str, ...] = tuple(band.key for band in BANDS)


def dispute_age(opened_on: date, today: date) -> int:
    # A dispute dated in the future (typed ahead) is not negative days old.
    return max((today - opened_on).days, 0)


def band_of(age: int) -> AgeBand:
    return next(band for band in BANDS if band.holds(age))


@dataclass(frozen=True)
class BandTotal:
    key: str
    count: int
    amount: Decimal


def bands_total(disputes: Iterable[tuple[date, Decimal]], today: date) -> tuple[BandTotal, ...]:
    """Count and amount at stake per band, every band present, from (opened_on, amount) pairs."""
    counts = dict.fromkeys(BAND_KEYS, 0)
    amounts = dict.fromkeys(BAND_KEYS, Decimal("0.00"))
    for opened_on, amount in disputes:
        key = band_of(dispute_age(opened_on, today)).key
        counts[key] += 1
        amounts[key] += amount
    return tuple(BandTotal(key, counts[key], amounts[key]) for key in BAND_KEYS)


def answer_late(answer_due: date | None, today: date) -> bool:
    """The answer promised by `answer_due` is late: that day has passed without the dispute closing."""
    return answer_due is not None and answer_due < today
