"""The packaged default texts (`messaging/defaults/messages.<language>.toml`) and the choice of the
variant that fits a debtor. PURE: no Django; the organisation's own edits are layered on top by
`messaging.domain.templates`.

Variant fallback order (`choose_variant`), first available wins:
- `B2C` debtor: `b2c` only. Never the B2B `standard` text: it claims the 40 EUR indemnity and
  L441-10 penalties, which a consumer does not owe (and charging a consumer recovery fees is an
  offence), so a missing consumer text is an error, not a fallback.
- `PUBLIC` debtor: `public`, then `standard`. The payer profile is ignored: public bodies pay through
  an administrative circuit, and their wording (intérêts moratoires) matters more than the tone.
- `B2B` debtor: `good` or `late` according to the profile, then `standard`.

Language: the texts exist in `fr` and `en`; any other language, or a text missing in the language
asked for, falls back to `fr`, the product's reference language."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

# Channel implied by each code, in the order the default scenario uses them. `<code>_letter` is the
# paper version of an email step, sent when the debtor has no email address (see `postal_code`).
CHANNELS: Mapping[str, str] = {
    "courtesy": "email",
    "reminder_1": "email",
    "reminder_2": "email",
    "courtesy_letter": "letter",
    "reminder_1_letter": "letter",
    "reminder_2_letter": "letter",
    "sms": "sms",
    "call": "call",
    "letter": "letter",
    "formal_notice": "registered_letter",
    "litigation_review": "task",
    # Notices outside the ladder (dunning/domain/notices.py): how the debtor's dispute ended, and the
    # reminder a few days before each instalment of a signed payment plan.
    "dispute_outcome": "email",
    "dispute_outcome_letter": "letter",
    "plan_instalment": "email",
    "plan_instalment_letter": "letter",
}
CODES: tuple[str, ...] = tuple(CHANNELS)
VARIANTS: tuple[str, ...] = ("standard", "b2c", "public", "good", "late")
LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
DEBTOR_TYPES: tuple[str, ...] = ("B2B", "B2C", "PUBLIC")
PROFILES: tuple[str, ...] = ("standard", "good", "late")


@dataclass(frozen=True)
class DefaultTemplate:
    subject: str  # "" for an SMS; the task title for a call or a litigation review
    body: str


class NoVariant(LookupError):
    """No text fits this debtor (e.g. a consumer and no `b2c` text): refuse rather than send B2B wording."""


def supported_language(language: str) -> str:
    """The language the texts will be in: the one asked for when it has texts, else `fr`."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@functools.cache
def _catalogue(language: str) -> Mapping[str, Mapping[str, DefaultTemplate]]:
    source = resources.files("recouvre.messaging").joinpath("defaults", f"messages.{language}.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    catalogue: dict[str, dict[str, DefaultTemplate]] = {}
    for code, variants in data.items():
        if code not in CHANNELS:
            raise ValueError(f"messages.{language}.toml: unknown message code {code!r}")
        catalogue[code] = {}
        for variant, entry in variants.items():
            if variant not in VARIANTS:
                raise ValueError(f"messages.{language}.toml: unknown variant {code}.{variant}")
            # TOML multi-line strings start and end with a newline for readability; it is not content.
            catalogue[code][variant] = DefaultTemplate(
                subject=entry.get("subject", "").strip(), body=entry["body"].strip()
            )
    return catalogue


def postal_code(code: str) -> str:
    """The code of the text to print when the step `code` goes by post: its paper version
    (`<code>_letter`, e.g. `reminder_1_letter`) when there is one, else `code` itself (a step written
    for paper already, such as `letter` or `formal_notice`, or a code with no paper version)."""
    candidate = f"{code}_letter"
    return candidate if CHANNELS.get(candidate) == "letter" else code


def default_variants(code: str, language: str) -> tuple[str, ...]:
    """Variants with a packaged text for this code, in the language used (see `supported_language`),
    plus those only French has, since `default_template` falls back to French for them."""
    found = set(_catalogue(supported_language(language)).get(code, {}))
    found |= set(_catalogue(DEFAULT_LANGUAGE).get(code, {}))
    return tuple(v for v in VARIANTS if v in found)


def default_template(code: str, variant: str, language: str) -> DefaultTemplate | None:
    """The packaged text, in `language` when it exists there, else in French; None when neither has it."""
    for lang in dict.fromkeys((supported_language(language), DEFAULT_LANGUAGE)):
        template = _catalogue(lang).get(code, {}).get(variant)
        if template is not None:
            return template
    return None


def default_language(code: str, variant: str, language: str) -> str:
    """The language `default_template` actually returns for these arguments."""
    lang = supported_language(language)
    return lang if variant in _catalogue(lang).get(code, {}) else DEFAULT_LANGUAGE


def variant_preferences(*, debtor_type: str, profile: str) -> tuple[str, ...]:
    """The variants to try, best first (the order documented at the top of this module)."""
    if debtor_type not in DEBTOR_TYPES:
        raise ValueError(f"unknown debtor type {debtor_type!r}; expected one of {', '.join(DEBTOR_TYPES)}")
    if profile not in PROFILES:
        raise ValueError(f"unknown payer profile {profile!r}; expected one of {', '.join(PROFILES)}")
    if debtor_type == "B2C":
        return ("b2c",)
    if debtor_type == "PUBLIC":
        return ("public", "standard")
    return (profile, "standard") if profile != "standard" else ("standard",)


def choose_variant(available_variants: Iterable[str], *, debtor_type: str, profile: str) -> str:
    """The first of `variant_preferences` in `available_variants`; raises `NoVariant` when none is.
    `debtor_type` is "B2B", "B2C" or "PUBLIC"; `profile` is "standard", "good" or "late"."""
    available = set(available_variants)
    preferences = variant_preferences(debtor_type=debtor_type, profile=profile)
    for variant in preferences:
        if variant in available:
            return variant
    raise NoVariant(
        f"no text for a {debtor_type} debtor: tried {', '.join(preferences)}, "
        f"available {', '.join(sorted(available)) or 'none'}"
    )
