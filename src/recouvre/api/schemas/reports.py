from __future__ import annotations

from recouvre.api.schemas.common import AgedBalanceOut, Amount


class AgingReportOut(AgedBalanceOut):
    """As `recouvre report aging --json`."""

    unallocated_credit: Amount
