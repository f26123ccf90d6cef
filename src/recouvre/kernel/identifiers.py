"""Identifiers of French and European business life: SIREN/SIRET, intra-EU VAT numbers, phone
numbers in E.164, email addresses, ISO country and currency codes.

The costly checks are cached: imports meet the same identifiers on every line of a debtor."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from stdnum import luhn
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

# Pragmatic: one @, no spaces, a dotted domain. Deliverability is learnt from bounces, not from a regex.
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}$")
_ISO_CURRENCY = re.compile(r"^[A-Z]{3}$")
_ISO_COUNTRY = re.compile(r"^[A-Z]{2}$")


@lru_cache(maxsize=8192)
def normalise_siren(text: str) -> str:
    """A SIREN (9 digits) from a SIREN or a SIRET (14 digits), both Luhn-checked."""
    compact = re.sub(r"[\s.\-]", "", text)
    if not compact.isdigit():
        raise ValueError(f"{text!r} is not a SIREN: digits only")
    if len(compact) == 14:
        try:
            fr_siret.validate(compact)
        except ValidationError as exc:
            raise ValueError(f"{text!r} is not a valid SIRET ({exc})") from exc
        return compact[:9]
    if len(compact) != 9:
        raise ValueError(f"{text!r} is not a SIREN: 9 digits (or a 14-digit SIRET) expected")
    try:
        fr_siren.validate(compact)
    except ValidationError as exc:
        raise ValueError(f"{text!r} is not a valid SIREN (check digit wrong)") from exc
    return compact


def siren_with_check_digit(first_eight: str) -> str:
    """Completes 8 digits into a valid SIREN; used to generate demo companies."""
    return first_eight + luhn.calc_check_digit(first_eight)


@lru_cache(maxsize=8192)
def normalise_vat(text: str) -> str:
    try:
        return str(eu_vat.validate(text))
    except ValidationError as exc:
        raise ValueError(f"{text!r} is not a valid intra-EU VAT number ({exc})") from exc


@lru_cache(maxsize=8192)
def normalise_phone(text: str, country: str = "FR") -> str:
    """E.164 form; a national number is read in the debtor's country."""
    try:
        number = phonenumbers.parse(text, country or "FR")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{text!r} is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{text!r} is not a valid phone number for {country or 'FR'}")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def format_phone(e164: str) -> str:
    """For people: `+33 6 12 34 56 78`; the stored form stays E.164."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


@lru_cache(maxsize=8192)
def is_mobile_phone(e164: str) -> bool:
    number = phonenumbers.parse(e164, None)
    kind = phonenumbers.number_type(number)
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def normalise_email(text: str) -> str:
    candidate = text.strip()
    if not _EMAIL.match(candidate):
        raise ValueError(f"{text!r} is not an email address")
    local, _, domain = candidate.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalise_currency(text: str) -> str:
    code = text.strip().upper()
    if not _ISO_CURRENCY.match(code):
        raise ValueError(f"{text!r} is not an ISO 4217 currency code (e.g. EUR)")
    return code


def normalise_country(text: str) -> str:
    code = text.strip().upper()
    if not _ISO_COUNTRY.match(code) or code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{text!r} is not an ISO 3166 alpha-2 country code (e.g. FR)")
    return code
