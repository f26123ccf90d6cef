"""Benchmark of the letter channel's PDF rendering (messaging/letters).

    .venv/bin/python bench/letters.py [--letters N] [--no-batch] [--processes N] [--json]

1. Builds N realistic letters in memory (default 200): French debtors drawn from Faker (fr_FR), 1 to 60
   invoices so that letters run from 1 to 3 pages, two thirds reminders (principal only) and one
   third formal notices (registered, interest, indemnity, total, deadline), 3% in English, an IBAN
   and so an EPC QR code on each.
2. Renders them with one `LetterRenderer` (`render_letters`), timing the layout and the PDF
   writing apart: pages/s and letters/s. With --processes N, renders them again shared between N
   processes (one renderer each), as task workers side by side would.
3. The bound, in the same run: a minimal one-page HTML document with the same fonts (regular and
   bold) rendered N times with the same font configuration: WeasyPrint's fixed cost per
   document, which no letter layout can go below.
4. The daily print batch of the same letters (`build_print_batch`: the stored PDFs merged page for
   page with blank pages, one PDF, the CSV).
5. Prints one table and, with --json, one JSON line with the same figures.

A benchmark prints figures; it asserts nothing and is never run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

# After the sys.path line.
from recouvre.messaging.letters.batch import build_print_batch  # noqa: E402
from recouvre.messaging.letters.content import (  # noqa: E402
    LetterContent,
    LetterInvoice,
    LetterTotals,
    Party,
)
from recouvre.messaging.letters.render import LetterRenderer, write_pdf  # noqa: E402

REMINDER = (
    "Madame, Monsieur,",
    "Sauf erreur de notre part, les factures ci-dessous restent impayées à ce jour malgré nos précédents "
    "rappels. Nous vous remercions de bien vouloir procéder à leur règlement dans les meilleurs délais.",
    "Nous vous rappelons que tout retard de paiement donne lieu, de plein droit, à des pénalités de retard "
    "et à une indemnité forfaitaire de 40 euros pour frais de recouvrement par facture (articles L441-10 "
    "et D441-5 du Code de commerce).",
    "Si votre règlement a été effectué entre-temps, nous vous prions de ne pas tenir compte de ce courrier.",
    "Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.",
)
FORMAL_NOTICE = (
    "Madame, Monsieur,",
    "Malgré nos relances restées sans effet, les factures détaillées ci-dessous demeurent impayées.",
    "Par la présente, nous vous mettons en demeure de nous régler la somme totale indiquée, pénalités de "
    "retard et indemnité forfaitaire pour frais de recouvrement comprises, dans un délai de huit jours à "
    "compter de la réception de ce courrier.",
    "À défaut de règlement dans ce délai, nous saisirons la juridiction compétente, sans autre avis, d'une "
    "requête en injonction de payer, les frais de la procédure restant à votre charge.",
    "Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.",
)
ENGLISH = (
    "Dear Sir or Madam,",
    "According to our records, the invoices listed below remain unpaid despite our previous reminders.",
    "Please settle them without delay. Late payment bears interest and a fixed compensation of EUR 40 per"
    " invoice for recovery costs (French Commercial Code, L441-10).",
    "Yours faithfully,",
)


def make_letters(count: int, seed: int) -> list[LetterContent]:
    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    creditor = Party(
        name="Banc d'essai Distribution SAS",
        address_lines=("12 rue de la République", "69002 Lyon"),
        siren="552 100 554",
        vat_number="FR43552100554",
        email="recouvrement@banc-essai.fr",
        phone="04 72 00 00 00",
    )
    today = date(2026, 11, 23)
    letters = []
    for action_id in range(1, count + 1):
        formal = rng.random() < 1 / 3
        english = rng.random() < 0.03
        # Most letters list a few invoices; some debtors owe dozens (1 to 3 pages).
        invoice_count = rng.choices(
            (rng.randint(1, 6), rng.randint(7, 25), rng.randint(26, 60)), (70, 22, 8)
        )[0]
        invoices = []
        for i in range(invoice_count):
            issue = today - timedelta(days=rng.randint(40, 200))
            amount = Decimal(rng.randint(5_000, 900_000)) / 100
            open_amount = amount if rng.random() < 0.8 else (amount / 2).quantize(Decimal("0.01"))
            invoices.append(
                LetterInvoice(
                    f"FA{issue.year}-{action_id:05d}{i:03d}",
                    issue,
                    issue + timedelta(days=30),
                    amount,
                    open_amount,
                )
            )
        principal = sum((i.open_amount for i in invoices), Decimal("0"))
        interest = (principal * Decimal("0.12") * Decimal(45) / 365).quantize(Decimal("0.01"))
        indemnity = Decimal(40 * invoice_count)
        totals = (
            LetterTotals(principal, interest, indemnity, principal + interest + indemnity)
            if formal
            else LetterTotals(principal)
        )
        street = fake.street_address()
        extra = (f"Bâtiment {rng.choice('ABC')}",) if rng.random() < 0.2 else ()
        debtor = Party(
            name=fake.company(),
            address_lines=(*extra, street, f"{fake.postcode()} {fake.city().upper()}"),
            siren=f"{rng.randrange(10**8, 10**9)}",
        )
        paragraphs = ENGLISH if english else (FORMAL_NOTICE if formal else REMINDER)
        letters.append(
            LetterContent(
                action_id=action_id,
                language="en" if english else "fr",
                creditor=creditor,
                debtor=debtor,
                place="Lyon",
                letter_date=today,
                subject=("Final demand" if english else "Mise en demeure de payer")
                if formal
                else ("Unpaid invoices" if english else "Relance : factures impayées"),
                paragraphs=paragraphs,
                invoices=tuple(invoices),
                totals=totals,
                reference=f"REC-2026-{action_id:06d}",
                iban="FR7630006000011234567890189",
                bic="AGRIFRPP",
                portal_url=f"https://paiement.banc-essai.fr/p/{rng.getrandbits(64):016x}",
                registered=formal,
                deadline=today + timedelta(days=8) if formal else None,
                signature="Marie Dupont\nService recouvrement",
                details_position=len(paragraphs) - 1,
            )
        )
    return letters


def bench_render(letters: list[LetterContent]) -> dict[str, Any]:
    started = time.perf_counter()
    renderer = LetterRenderer()
    renderer.render(letters[0])  # the first letter loads the fonts: setup, not throughput
    setup = time.perf_counter() - started
    layout_s = write_s = 0.0
    pages = []
    pdfs = []
    cpu_started = time.process_time()
    for content in letters:
        t0 = time.perf_counter()
        document = renderer.layout(content)
        t1 = time.perf_counter()
        pdfs.append(write_pdf(document))
        write_s += time.perf_counter() - t1
        layout_s += t1 - t0
        pages.append(len(document.pages))
    cpu = time.process_time() - cpu_started
    return {
        "renderer": renderer,
        "pdfs": pdfs,
        "setup_seconds": setup,
        "layout_seconds": layout_s,
        "write_seconds": write_s,
        "seconds": layout_s + write_s,
        "cpu_seconds": cpu,
        "pages": sum(pages),
        "pages_histogram": {str(n): pages.count(n) for n in sorted(set(pages))},
        "mean_pdf_kb": sum(map(len, pdfs)) / len(pdfs) / 1024,
    }


_worker_renderer: LetterRenderer | None = None


def _start_worker() -> None:
    global _worker_renderer
    _worker_renderer = LetterRenderer()


def _render_share(letters: list[LetterContent]) -> int:
    assert _worker_renderer is not None
    return sum(_worker_renderer.render(content).page_count for content in letters)


def bench_processes(letters: list[LetterContent], processes: int) -> dict[str, Any]:
    """The same letters shared between processes, one renderer each: what a machine renders when the
    task workers that send letters run side by side. The time includes starting the processes."""
    import multiprocessing

    started = time.perf_counter()
    size = -(-len(letters) // processes)
    shares = [letters[i : i + size] for i in range(0, len(letters), size)]
    # spawn, not fork: Pango and GLib state must not be inherited from a parent that has rendered.
    with multiprocessing.get_context("spawn").Pool(processes, initializer=_start_worker) as pool:
        pages = sum(pool.map(_render_share, shares))
    return {"processes": processes, "seconds": time.perf_counter() - started, "pages": pages}


def bench_bound(renderer: LetterRenderer, count: int) -> dict[str, Any]:
    from weasyprint import CSS, HTML

    css = CSS(
        string='@page { size: A4 } html { font-family: "DejaVu Sans" }', font_config=renderer.font_config
    )
    page = "<!DOCTYPE html><p><b>Relance</b> facture FA2026-00001 : 1 234,56 €</p>"
    write_pdf(HTML(string=page).render(font_config=renderer.font_config, stylesheets=[css]))
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(count):
        write_pdf(HTML(string=page).render(font_config=renderer.font_config, stylesheets=[css]))
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "documents": count,
    }


def bench_batch(letters: list[LetterContent], pdfs: list[bytes], renderer: LetterRenderer) -> dict[str, Any]:
    started, cpu_started = time.perf_counter(), time.process_time()
    batch = build_print_batch(list(zip(letters, pdfs, strict=True)), batch_date=date(2026, 11, 23))
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "pages": batch.page_count,
        "sheets": batch.sheet_count,
        "pdf_mb": len(batch.pdf) / 1e6,
    }


def _code_state() -> dict[str, Any]:
    """The commit measured, and the letter channel's files that differ from it (others may be editing)."""

    def git(*argv: str) -> str:
        done = subprocess.run(["git", "-C", str(REPO), *argv], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "changed_since_commit": git(
            "status", "--porcelain", "--", "src/recouvre/messaging/letters"
        ).splitlines(),
    }


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = [" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--letters", type=int, default=200, help="letters to render (default 200)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--no-batch", action="store_true", help="skip the print batch step")
    parser.add_argument(
        "--processes", type=int, default=1, help="also render the letters shared between N processes"
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args(argv)
    if args.letters < 1:
        parser.error("--letters must be at least 1")

    print(f"building {args.letters} letters", file=sys.stderr, flush=True)
    letters = make_letters(args.letters, args.seed)
    render = bench_render(letters)
    bound = bench_bound(render["renderer"], args.letters)
    batch = None if args.no_batch else bench_batch(letters, render["pdfs"], render["renderer"])
    parallel = bench_processes(letters, args.processes) if args.processes > 1 else None
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    n = args.letters
    figures = {
        "letters": n,
        "pages": render["pages"],
        "pages_histogram": render["pages_histogram"],
        "pages_per_s": render["pages"] / render["seconds"],
        "letters_per_s": n / render["seconds"],
        "cpu_pages_per_s": render["pages"] / render["cpu_seconds"],
        "ms_per_letter": 1000 * render["seconds"] / n,
        "layout_ms_per_letter": 1000 * render["layout_seconds"] / n,
        "write_ms_per_letter": 1000 * render["write_seconds"] / n,
        "setup_seconds": render["setup_seconds"],
        "mean_pdf_kb": render["mean_pdf_kb"],
        "bound_ms_per_document": 1000 * bound["seconds"] / bound["documents"],
        "bound_documents_per_s": bound["documents"] / bound["seconds"],
        "ratio_letter_to_bound": render["seconds"] / bound["seconds"],
        "batch": batch,
        "processes": parallel,
        "peak_mb": peak_mb,
    }

    def row(step: str, pages: int | None, seconds: float, cpu_seconds: float | None) -> tuple[str, ...]:
        return (
            step,
            str(n),
            f"{pages / seconds:.1f}" if pages else "",
            f"{n / seconds:.1f}" if pages else "",
            f"{1000 * seconds / n:.0f}",
            f"{pages / cpu_seconds:.1f}" if pages and cpu_seconds else "",
            f"{seconds:.1f}",
            f"{cpu_seconds:.1f}" if cpu_seconds else "",
        )

    rows = [
        ("step", "N", "pages/s", "letters/s", "ms/letter", "CPU pages/s", "seconds", "CPU s"),
        row("render", render["pages"], render["seconds"], render["cpu_seconds"]),
        row("  layout", None, render["layout_seconds"], None),
        row("  write", None, render["write_seconds"], None),
        # The bound's documents are one page each: its pages/s is documents/s.
        row("bound", bound["documents"], bound["seconds"], bound["cpu_seconds"]),
    ]
    if batch:
        rows.append(row("batch", batch["pages"], batch["seconds"], batch["cpu_seconds"]))
    if parallel:
        rows.append(row(f"render x{parallel['processes']}", parallel["pages"], parallel["seconds"], None))
    print()
    print(
        f"Letters: {n} letters, {render['pages']} pages (letters by page count: {render['pages_histogram']}),"
        f" {render['mean_pdf_kb']:.0f} KB per PDF on average; setup {render['setup_seconds']:.2f} s"
    )
    print(_table(rows))
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        " (pages/s is wall clock; CPU pages/s is this process's CPU time)"
    )
    print(
        f"ratio render/bound = {figures['ratio_letter_to_bound']:.1f}; bound = a one-page minimal HTML"
        f" with the same fonts, rendered and written as many times; peak RSS {peak_mb:.0f} MB"
        + (f"; batch: {batch['pages']} pages with blanks, {batch['pdf_mb']:.1f} MB" if batch else "")
    )
    if args.json:
        machine = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            # Other work on the machine slows the wall clock: compare "CPU pages/s" across runs.
            "load_average": os.getloadavg(),
        }
        print(json.dumps({"bench": "letters", "code": _code_state(), "machine": machine, "results": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
