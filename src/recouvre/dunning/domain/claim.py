"""What a document claims, to the cent and to the day of the document: each invoice's open principal,
the late-payment interest it bore and the 40 EUR indemnity, from the same computation as the debtor
page (`ledger.domain.penalties`), with the basis printed beside the figures (rate, table date, the
half-years whose rate is not yet published, claimed "au taux légal" without a figure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from recouvre.kernel.money import ZERO
from recouvre.law.domain.penalties import B2B, B2C, PUBLIC, Penalties
from recouvre.law.domain.rates import HalfYear
from recouvre.ledger.domain.penalties import invoices_penalties
from recouvre.ledger.models import Invoice


@dataclass(frozen=True)
class InvoiceClaim:
    invoice: Invoice
    interest: Decimal  # interest still due (after any interest already paid)
    indemnity: Decimal


@dataclass(frozen=True)
class Claim:
    invoices: tuple[InvoiceClaim, ...]
    principal: Decimal
    interest: Decimal
    indemnity: Decimal
    regime: str
    # The rate of the latest period computed (percent per year), None when nothing ran yet.
    rate: Decimal | None
    table_date: date | None
    missing: tuple[HalfYear, ...]  # half-years claimed at the statutory rate without a figure

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.indemnity


def claim_of(invoices: list[Invoice], regime: str, today: date) -> Claim:
    principal = sum((i.open_amount for i in invoices), ZERO)
    penalties: dict[int, Penalties] = invoices_penalties(invoices, today) if invoices else {}
    lines = []
    latest = None
    missing: dict[HalfYear, None] = {}
    table_date = None
    for invoice in invoices:
        found = penalties.get(invoice.pk)
        if found is None:
            lines.append(InvoiceClaim(invoice, ZERO, ZERO))
            continue
        table_date = found.table_date
        # `total` is what remains claimable of interest and indemnity together.
        lines.append(InvoiceClaim(invoice, found.total - found.fixed_indemnity, found.fixed_indemnity))
        if found.periods and (latest is None or found.periods[-1].end >= latest.end):
            latest = found.periods[-1]
        for gap in found.missing_rates:
            missing[gap.half_year] = None
    return Claim(
        invoices=tuple(lines),
        principal=principal,
        interest=sum((line.interest for line in lines), ZERO),
        indemnity=sum((line.indemnity for line in lines), ZERO),
        regime=regime if regime in (B2B, B2C, PUBLIC) else B2B,
        rate=latest.rate if latest else None,
        table_date=table_date,
        missing=tuple(sorted(missing, key=lambda h: h.start)),
    )


def _percent(rate: Decimal, french: bool) -> str:
    text = f"{rate.quantize(Decimal('0.01'))}"
    return f"{text.replace('.', ',')}\u00a0%" if french else f"{text}%"


_BASIS = {
    ("fr", B2B): "taux de refinancement de la Banque centrale européenne majoré de 10 points",
    ("fr", PUBLIC): "taux de la Banque centrale européenne majoré de 8 points",
    ("fr", B2C): "taux de l'intérêt légal",
    ("en", B2B): "European Central Bank refinancing rate plus 10 points",
    ("en", PUBLIC): "European Central Bank rate plus 8 points",
    ("en", B2C): "statutory interest rate",
}


def rate_text(claim: Claim, language: str) -> str:
    """ "12,15 % l'an (taux de refinancement ... majoré de 10 points)": the rate a letter states."""
    french = language != "en"
    basis = _BASIS[("fr" if french else "en", claim.regime)]
    if claim.rate is None:
        return basis
    per_year = "l'an" if french else "a year"
    return f"{_percent(claim.rate, french)} {per_year} ({basis})"


def basis_note(claim: Claim, today: date, language: str) -> str:
    """The sentence printed under the figures: how they were computed, with which table, and the
    periods whose rate is not published yet (claimed at the statutory rate, without a figure)."""
    french = language != "en"
    day = today.strftime("%d/%m/%Y") if french else today.isoformat()
    parts = []
    if french:
        parts.append(
            f"Pénalités de retard calculées au taux de {rate_text(claim, language)}, sur le principal "
            f"restant dû chaque jour, du lendemain de chaque échéance au {day} inclus"
        )
        if claim.regime != B2C:
            parts.append(
                "indemnité forfaitaire pour frais de recouvrement de 40\u00a0€ par facture "
                "(articles L441-10 et D441-5 du Code de commerce)"
            )
        if claim.table_date:
            parts.append(f"table des taux du {claim.table_date:%d/%m/%Y}")
        note = " ; ".join(parts) + "."
        if claim.missing:
            gaps = ", ".join(_half_year(h, True) for h in claim.missing)
            note += (
                f" Pour {gaps}, dont le taux n'est pas encore publié, les pénalités restent dues au taux "
                "légal et ne sont pas chiffrées ici."
            )
        return note
    parts.append(
        f"Late-payment interest computed at {rate_text(claim, language)} on the principal outstanding each "
        f"day, from the day after each due date through {day}"
    )
    if claim.regime != B2C:
        parts.append(
            "fixed compensation for recovery costs of EUR 40 per invoice"
            " (French Commercial Code L441-10, D441-5)"
        )
    if claim.table_date:
        parts.append(f"rate table of {claim.table_date.isoformat()}")
    note = "; ".join(parts) + "."
    if claim.missing:
        gaps = ", ".join(_half_year(h, False) for h in claim.missing)
        note += (
            f" For {gaps}, whose rate is not yet published, interest remains due at the statutory rate"
            " and is not figured here."
        )
    return note


def _half_year(half_year: HalfYear, french: bool) -> str:
    first = half_year.start.month == 1
    if french:
        return f"le {'premier' if first else 'second'} semestre {half_year.start.year}"
    return f"the {'first' if first else 'second'} half of {half_year.start.year}"
