"""The demo's debtors: French companies, a few consumers, public bodies and EU customers, each with
identifiers that pass the import's checks and a payment behaviour profile. Pure and deterministic:
everything is drawn from the `random.Random` and the seeded Faker passed in."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from stdnum.iso7064 import mod_11_10

from recouvre.demo import places
from recouvre.imports.domain.csv_rows import DEBTOR_COLUMNS
from recouvre.kernel.identifiers import normalise_phone, siren_with_check_digit

GOOD, OCCASIONAL, HABITUAL, DISPUTER, STOPPER = "good", "occasional", "habitual", "disputer", "stopper"
PROFILE_SHARES = {GOOD: 0.38, OCCASIONAL: 0.30, HABITUAL: 0.16, DISPUTER: 0.08, STOPPER: 0.08}
# "foreign" is a B2B customer in Belgium or Germany, invoiced in English.
KIND_SHARES = {"B2B": 0.87, "B2C": 0.08, "PUBLIC": 0.03, "foreign": 0.02}
SEGMENT_SHARES = {"TPE": 0.45, "PME": 0.35, "ETI": 0.14, "GE": 0.06}
# How many invoices a debtor receives relative to others; the generator draws debtors by weight.
ACTIVITY = {"TPE": 0.6, "PME": 1.0, "ETI": 2.0, "GE": 3.5, "B2C": 0.25, "PUBLIC": 1.5}
LEGAL_FORMS = {
    "TPE": (("SARL", 35), ("EURL", 20), ("SASU", 20), ("SAS", 15), ("SCI", 10)),
    "PME": (("SAS", 50), ("SARL", 40), ("SA", 10)),
    "ETI": (("SAS", 60), ("SA", 40)),
    "GE": (("SA", 60), ("SAS", 30), ("SE", 10)),
}
TERMS_B2B = (
    ("30 jours fin de mois", 30),
    ("45 jours fin de mois", 20),
    ("30 jours", 20),
    ("45 jours", 10),
    ("60 jours date de facture", 20),
)


@dataclass(slots=True)
class DemoDebtor:
    ref: str
    kind: str  # B2B, B2C or PUBLIC
    segment: str
    profile: str
    terms: str
    weight: float
    columns: dict[str, str]  # the debtor_* cells, repeated on each of its lines as accounting exports do
    vat_divisor: Decimal  # TTC / HT: 1.2, 1.085 overseas, 1 for EU reverse charge
    recurring_cents: int | None = None  # a monthly subscription billed at a fixed amount
    stop: date | None = None  # a stopper pays nothing falling due from this day on


def spread(count: int, shares: dict[str, float], rng: random.Random, every_from: int = 5) -> list[str]:
    """Exactly-proportioned labels in random order; from `every_from` items on, every label gets at
    least one, so that a small portfolio still shows each behaviour."""
    counts = {label: int(count * share) for label, share in shares.items()}
    by_remainder = sorted(shares, key=lambda label: count * shares[label] - counts[label], reverse=True)
    for label in by_remainder[: count - sum(counts.values())]:
        counts[label] += 1
    if count >= max(every_from, len(shares)):
        for label in shares:
            if counts[label] == 0:
                largest = max(counts, key=lambda k: counts[k])
                counts[largest] -= 1
                counts[label] = 1
    labels = [label for label, n in counts.items() for _ in range(n)]
    rng.shuffle(labels)
    return labels


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")


def vat_fr(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _valid_phone(rng: random.Random, make: Any, country: str) -> str:
    """Draws until the number is one the import accepts; "" if the range keeps refusing."""
    for _ in range(30):
        candidate = make()
        try:
            normalise_phone(candidate, country)
        except ValueError:
            continue
        return str(candidate)
    return ""


def _pairs(rng: random.Random, n: int) -> str:
    return " ".join(f"{rng.randrange(100):02d}" for _ in range(n))


def _phone(rng: random.Random, city: places.City, mobile: bool) -> str:
    if city.zone in places.OVERSEAS_PHONES:
        landline, cell = places.OVERSEAS_PHONES[city.zone]
        prefix = cell if mobile else landline
        return _valid_phone(rng, lambda: f"+{city.zone} {prefix} {_pairs(rng, 3)}", "FR")
    if mobile:
        return _valid_phone(rng, lambda: f"0{rng.choice('67')} {_pairs(rng, 4)}", "FR")
    return f"{places.FICTION_LANDLINES[city.zone]} {_pairs(rng, 2)}"


class DebtorFactory:
    def __init__(self, rng: random.Random, fake: Any) -> None:
        self.rng = rng
        self.fake = fake
        self.refs: set[str] = set()
        self.sirens: set[str] = set()
        self.cities = places.CITIES
        self.city_weights = [c.weight for c in places.CITIES]

    def build(self, count: int) -> list[DemoDebtor]:
        kinds = spread(count, KIND_SHARES, self.rng, every_from=20)
        profiles = spread(count, PROFILE_SHARES, self.rng)
        segments = iter(spread(kinds.count("B2B"), SEGMENT_SHARES, self.rng))
        debtors: list[DemoDebtor] = []
        for kind, profile in zip(kinds, profiles, strict=True):
            if kind == "B2B":
                siblings = [d for d in debtors[-50:] if d.kind == "B2B" and d.columns["debtor_siren"]]
                segment = next(segments)
                if siblings and self.rng.random() < 0.03:
                    debtor = self.branch(self.rng.choice(siblings), profile)
                else:
                    debtor = self.company(segment, profile)
            elif kind == "B2C":
                debtor = self.person(profile)
            elif kind == "PUBLIC":
                debtor = self.public_body(profile)
            else:
                debtor = self.foreign(profile)
            debtor.weight *= self.rng.lognormvariate(0, 0.6)
            if self.rng.random() < 0.15:
                debtor.recurring_cents = round(self.rng.lognormvariate(5.5, 0.8) * 100)
            debtors.append(debtor)
        return debtors

    # -- identifiers -----------------------------------------------------------------------------
    def ref(self, key: str) -> str:
        base = "411" + re.sub(r"[^A-Z]", "", ascii_fold(key).upper())[:10]
        ref, n = base, 2
        while ref in self.refs:
            ref, n = f"{base}{n}", n + 1
        self.refs.add(ref)
        return ref

    def siren(self, prefix: str = "") -> str:
        while True:
            head = prefix or self.rng.choice("3456789")
            siren = siren_with_check_digit(head + _digits(self.rng, 8 - len(head)))
            if siren not in self.sirens:
                self.sirens.add(siren)
                return siren

    def city(self) -> places.City:
        return self.rng.choices(self.cities, weights=self.city_weights)[0]

    def street(self, company: bool) -> str:
        street = str(self.fake.street_address())
        if company and self.rng.random() < 0.25:
            return f"{self.rng.choice(places.SITE_LINES)} / {street}"
        return street

    def columns(self, **cells: str) -> dict[str, str]:
        row = dict.fromkeys(COLUMN_NAMES, "")
        row.update(cells)
        return row

    # -- kinds of debtor -------------------------------------------------------------------------
    def company(self, segment: str, profile: str) -> DemoDebtor:
        rng, surname = self.rng, str(self.fake.last_name())
        form = _pick(rng, LEGAL_FORMS[segment])
        if form == "SCI":
            core = rng.choice((f"SCI {surname}", f"SCI {rng.choice(places.SCI_NAMES)}"))
            name, key = core, core.removeprefix("SCI ")
        else:
            core = self.company_core(segment, surname)
            name, key = f"{core} {form}", surname if surname in core else core
        city = self.city()
        siren = self.siren()
        domain = f"{slug(core)}.{places.EMAIL_TLD}"
        emails = []
        if rng.random() < 0.88:
            emails.append(f"{rng.choice(places.ACCOUNTS_MAILBOXES)}@{domain}")
            if rng.random() < 0.15:
                first, last = slug(self.fake.first_name()), slug(self.fake.last_name())
                emails.append(f"{first[0]}.{last}@{domain}")
        reachable = rng.random() > 0.02
        phone = _phone(rng, city, mobile=rng.random() < 0.2) if reachable and rng.random() < 0.9 else ""
        terms = _pick(rng, TERMS_B2B)
        if segment == "GE" and rng.random() < 0.6:
            terms = "60 jours date de facture"  # large accounts impose the longest legal term
        cells = self.columns(
            debtor_ref=self.ref(key),
            debtor_name=name,
            debtor_type="B2B",
            debtor_segment=segment,
            debtor_siren=siren,
            debtor_vat=vat_fr(siren) if form != "SCI" or rng.random() < 0.3 else "",
            debtor_email=",".join(emails) if reachable else "",
            debtor_phone=phone,
            debtor_address=self.street(company=True),
            debtor_postcode=city.postcode,
            debtor_city=city.name,
            debtor_country="FR",
            debtor_language="fr",
        )
        return self.debtor(cells, "B2B", segment, profile, terms, city)

    def company_core(self, segment: str, surname: str) -> str:
        rng = self.rng
        if segment == "TPE":
            return f"{rng.choice(places.TRADES)} {surname}"
        if segment == "PME":
            other = str(self.fake.last_name())
            trade, sector = rng.choice(places.TRADES), rng.choice(places.SECTORS)
            return rng.choice(
                (f"{trade} {surname}", f"{surname} et Fils", f"{surname} {other}", f"{surname} {sector}")
            )
        acronym = "".join(rng.choice(places.ACRONYM_SYLLABLES) for _ in range(rng.randint(2, 3)))
        sector = rng.choice(places.SECTORS)
        return rng.choice((f"Groupe {surname}", f"{acronym} {sector}", f"{surname} {sector}"))

    def branch(self, parent: DemoDebtor, profile: str) -> DemoDebtor:
        """A second account for another establishment of a company already in the books: same SIREN,
        its own ref and address, as ledgers keep one account per site."""
        city = self.city()
        cells = dict(parent.columns)
        cells.update(
            debtor_ref=self.ref(parent.ref[3:]),
            debtor_name=f"{parent.columns['debtor_name']} ({city.name})",
            debtor_address=self.street(company=True),
            debtor_postcode=city.postcode,
            debtor_city=city.name,
            debtor_phone=_phone(self.rng, city, mobile=False),
        )
        return self.debtor(cells, "B2B", parent.segment, profile, parent.terms, city)

    def person(self, profile: str) -> DemoDebtor:
        rng = self.rng
        first, last = str(self.fake.first_name()), str(self.fake.last_name())
        city = self.city()
        email = ""
        if rng.random() < 0.8:
            email = f"{slug(first)}.{slug(last)}{rng.choice(('', str(rng.randint(1, 99))))}"
            email = f"{email}@{rng.choice(places.PERSONAL_MAIL_DOMAINS)}"
        roll = rng.random()
        phone = _phone(rng, city, mobile=roll < 0.7) if roll < 0.85 else ""
        cells = self.columns(
            debtor_ref=self.ref(last + first[0]),
            debtor_name=f"{first} {last}",
            debtor_type="B2C",
            debtor_email=email,
            debtor_phone=phone,
            debtor_address=self.street(company=False),
            debtor_postcode=city.postcode,
            debtor_city=city.name,
            debtor_country="FR",
            debtor_language="fr",
        )
        return self.debtor(cells, "B2C", "", profile, "30 jours", city)

    def public_body(self, profile: str) -> DemoDebtor:
        rng = self.rng
        city = rng.choice(
            [c for c in self.cities if c.name != "Paris" and c.zone in places.FICTION_LANDLINES]
        )
        department = city.postcode[:2]
        kind, prefix, host, terms = rng.choice(
            (
                ("Commune de", "21", "mairie", "30 jours"),
                ("Centre hospitalier de", "26", "ch", "50 jours"),
                ("Syndicat intercommunal des eaux de", "25", "siea", "30 jours"),
            )
        )
        town_hall = f"{rng.randint(1, 40)}, place de l'Hôtel de Ville"
        # Public bodies receive invoices through Chorus Pro; not all publish an accounts mailbox.
        email = f"comptabilite@{host}-{slug(city.name)}.{places.EMAIL_TLD}" if rng.random() < 0.7 else ""
        cells = self.columns(
            debtor_ref=self.ref(f"{host}{city.name}"),
            debtor_name=f"{kind} {city.name}".replace(" de Le ", " du "),
            debtor_type="PUBLIC",
            debtor_segment=rng.choice(("PME", "ETI")),
            debtor_siren=self.siren(prefix + department),
            debtor_email=email,
            debtor_phone=_phone(rng, city, mobile=False),
            debtor_address=town_hall if prefix == "21" else self.street(company=False),
            debtor_postcode=city.postcode,
            debtor_city=city.name,
            debtor_country="FR",
            debtor_language="fr",
        )
        return self.debtor(cells, "PUBLIC", cells["debtor_segment"], profile, terms, city)

    def foreign(self, profile: str) -> DemoDebtor:
        rng = self.rng
        city = rng.choice(places.FOREIGN_CITIES)
        country = city.country
        surname = rng.choice(places.FOREIGN_SURNAMES[country])
        core = f"{surname} {rng.choice(places.FOREIGN_ACTIVITIES[country])}"
        if country == "BE":
            number = f"0{rng.randint(2000000, 9999999)}"
            vat = f"BE{number}{97 - int(number) % 97:02d}"
            local = 8 - len(city.area_code)
        else:
            number = str(rng.randint(10_000_000, 99_999_999))  # a German VAT number never starts with 0
            vat = f"DE{number}{mod_11_10.calc_check_digit(number)}"
            local = 10 - len(city.area_code)
        code = "32" if country == "BE" else "49"
        cells = self.columns(
            debtor_ref=self.ref(surname),
            debtor_name=f"{core} {rng.choice(places.FOREIGN_FORMS[country])}",
            debtor_type="B2B",
            debtor_segment=rng.choice(("PME", "ETI")),
            debtor_vat=vat,
            debtor_email=f"accounts@{slug(core)}.{places.EMAIL_TLD}",
            debtor_phone=_valid_phone(
                rng, lambda: f"+{code} {city.area_code} {_digits(rng, local)}", country
            ),
            debtor_address=f"{rng.choice(places.FOREIGN_STREETS[country])} {rng.randint(1, 180)}",
            debtor_postcode=city.postcode,
            debtor_city=city.name,
            debtor_country=country,
            debtor_language="en",
        )
        debtor = self.debtor(cells, "B2B", cells["debtor_segment"], profile, "30 jours", None)
        debtor.vat_divisor = Decimal(1)  # intra-EU reverse charge: no French VAT on the invoice
        return debtor

    def debtor(
        self,
        cells: dict[str, str],
        kind: str,
        segment: str,
        profile: str,
        terms: str,
        city: places.City | None,
    ) -> DemoDebtor:
        overseas = city is not None and city.zone in places.OVERSEAS_PHONES
        return DemoDebtor(
            ref=cells["debtor_ref"],
            kind=kind,
            segment=segment,
            profile=profile,
            terms=terms,
            weight=ACTIVITY[kind if kind != "B2B" else segment],
            columns=cells,
            vat_divisor=Decimal(places.OVERSEAS_VAT_DIVISOR if overseas else "1.2"),
        )


COLUMN_NAMES: tuple[str, ...] = DEBTOR_COLUMNS
