"""The signed payment plan as a PDF: an acknowledgement of debt (C. civ. 2240), so it names both
parties, the invoices and the total acknowledged, the schedule, and when and how it was signed.

Laid out by `templates/plan.html` beside this module (packaged like the other templates) through
Django's template engine, which escapes every value from the books, then WeasyPrint, in the
debtor's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import Context, Engine
from django.utils import timezone, translation

from recouvre.kernel.money import format_money
from recouvre.tenancy.domain.agency import agency_client_read

PARIS = ZoneInfo("Europe/Paris")
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Party:
    name: str
    lines: tuple[str, ...]
    siren: str = ""
    ref: str = ""


def _address(address: str, postcode: str, city: str) -> tuple[str, ...]:
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    town = f"{postcode} {city}".strip()
    return (*lines, town) if town else tuple(lines)


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def plan_context(plan: Any, organisation: Any, links: list[Any], instalments: list[Any]) -> dict[str, Any]:
    """What the template shows. `links` are the plan's PlanInvoice rows (with their invoice),
    `instalments` its Instalment rows; the plan carries its signature fields already."""
    debtor = plan.debtor
    language = debtor.language if debtor.language in LANGUAGES else "fr"

    def money(amount: Decimal) -> str:
        return format_money(amount, plan.currency, french=language == "fr")

    own = Party(
        organisation.name,
        _address(organisation.address, organisation.postcode, organisation.city),
        organisation.siren,
    )
    creditor, agency = own, None
    if organisation.is_agency:
        # An agency collects for its client: the debt is owed to the client (CPCE R124-4).
        client = agency_client_read(organisation.settings)
        creditor, agency = Party(client.name, client.address_lines), own
    signed_at = timezone.localtime(plan.signed_at, PARIS)
    return {
        "language": language,
        "plan_id": plan.pk,
        "creditor": creditor,
        "agency": agency,
        "debtor": Party(
            debtor.name, _address(debtor.address, debtor.postcode, debtor.city), debtor.siren, debtor.ref
        ),
        "invoices": [
            {
                "number": link.invoice.number,
                "issue_date": _day(link.invoice.issue_date),
                "due_date": _day(link.invoice.due_date),
                "amount": money(link.invoice.amount),
                "covered": money(link.amount),
            }
            for link in links
        ],
        "total": money(plan.total),
        "frequency": plan.frequency,
        "instalments": [
            {"number": line.number, "due_date": _day(line.due_date), "amount": money(line.amount)}
            for line in instalments
        ],
        "grace_days": plan.grace_days,
        "iban": " ".join(organisation.iban[i : i + 4] for i in range(0, len(organisation.iban), 4)),
        "bic": organisation.bic,
        "signed_day": _day(signed_at.date()),
        "signed_time": f"{signed_at:%H:%M}",
        "signature_method": plan.get_signature_method_display(),
        "signature_text": plan.signature_text,
    }


def plan_html(context: dict[str, Any]) -> str:
    source = resources.files(__package__).joinpath("templates/plan.html").read_text(encoding="utf-8")
    with translation.override(context["language"]):
        return Engine.get_default().from_string(source).render(Context(context))


def plan_pdf(plan: Any, organisation: Any, links: list[Any], instalments: list[Any]) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Nothing is fetched from outside: no text from an import can make the renderer read a file.
    fetcher = URLFetcher(allowed_protocols=("data",))
    page = HTML(
        string=plan_html(plan_context(plan, organisation, links, instalments)),
        base_url="data:,",
        url_fetcher=fetcher,
    )
    pdf: bytes | None = page.write_pdf()
    if pdf is None:
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


def plan_pdf_store(organisation_slug: str, plan_id: int, pdf: bytes) -> str:
    """Writes the PDF under DATA_DIR/documents/<organisation>/plans/ (whole or not at all) and
    returns its path relative to DATA_DIR."""
    relative = Path("documents") / organisation_slug / "plans" / f"plan-{plan_id}.pdf"
    target = Path(settings.DATA_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(pdf)
    partial.replace(target)
    return str(relative)
