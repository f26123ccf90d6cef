"""Which text a message uses: the organisation's edited wording when there is one, else the packaged
default; and the one way to save an edited wording. Callers run inside the organisation's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction

from recouvre.audit.domain.services import audit_record
from recouvre.messaging.domain.placeholders import template_errors
from recouvre.messaging.domain.template_defaults import (
    CODES,
    LANGUAGES,
    VARIANTS,
    choose_variant,
    default_language,
    default_template,
    default_variants,
    supported_language,
)
from recouvre.messaging.models import MessageTemplate


class TemplateInvalid(ValueError):
    """An edited text that cannot be saved; `messages` lists every problem, for a form to show."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__(" ".join(messages))


@dataclass(frozen=True)
class ResolvedTemplate:
    subject: str
    body: str
    source: Literal["organisation", "default"]
    variant: str
    language: str


def template_resolve(
    *, organisation: Any, code: str, debtor_type: str, profile: str, language: str
) -> ResolvedTemplate:
    """The text to send. The variant is chosen (`template_defaults.choose_variant`) among the packaged
    variants and those the organisation wrote itself, so an organisation may add e.g. a `public`
    courtesy e-mail. Raises `template_defaults.NoVariant` when no text fits the debtor."""
    if code not in CODES:
        raise ValueError(f"unknown message code {code!r}")
    lang = supported_language(language)
    edited = {
        row.variant: row
        for row in MessageTemplate.objects.filter(organisation=organisation, code=code, language=lang)
    }
    variant = choose_variant(
        set(default_variants(code, lang)) | set(edited), debtor_type=debtor_type, profile=profile
    )
    row = edited.get(variant)
    if row is not None:
        return ResolvedTemplate(row.subject, row.body, "organisation", variant, lang)
    default = default_template(code, variant, lang)
    if default is None:  # choose_variant only returns variants that exist; kept for type narrowing
        raise LookupError(f"no default text for {code}/{variant}")
    return ResolvedTemplate(
        default.subject, default.body, "default", variant, default_language(code, variant, lang)
    )


def template_save(
    *, organisation: Any, code: str, variant: str, language: str, subject: str, body: str, actor: Any
) -> MessageTemplate:
    """Creates or replaces the organisation's wording of one text. Raises `TemplateInvalid` with every
    problem found (unknown code/variant/language, unknown placeholder, unbalanced braces, empty body)."""
    problems: list[str] = []
    if code not in CODES:
        problems.append(f"Message inconnu « {code} ».")
    if variant not in VARIANTS:
        problems.append(f"Variante inconnue « {variant} » ; variantes possibles : {', '.join(VARIANTS)}.")
    if language not in LANGUAGES:
        problems.append(f"Langue non prise en charge « {language} ».")
    if not body.strip():
        problems.append("Le texte du message est vide.")
    problems += [f"Objet : {m}" for m in template_errors(subject)]
    problems += [f"Texte : {m}" for m in template_errors(body)]
    if problems:
        raise TemplateInvalid(problems)

    with transaction.atomic():
        template, created = MessageTemplate.objects.update_or_create(
            organisation=organisation,
            code=code,
            variant=variant,
            language=language,
            defaults={"subject": subject.strip(), "body": body.strip(), "updated_by": _user_or_none(actor)},
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="create" if created else "update",
            object_type="message_template",
            object_id=template.pk,
            changes={"code": code, "variant": variant, "language": language},
        )
    return template


def template_reset(*, organisation: Any, code: str, variant: str, language: str, actor: Any) -> bool:
    """Drops the organisation's wording so that the packaged default applies again (a variant with no
    packaged text disappears). False when there was nothing to drop (a second click). The audit entry
    keeps the dropped text, so that a reset by mistake can be typed back."""
    with transaction.atomic():
        row = (
            MessageTemplate.objects.select_for_update()
            .filter(organisation=organisation, code=code, variant=variant, language=language)
            .first()
        )
        if row is None:
            return False
        audit_record(
            organisation=organisation,
            actor=actor,
            action="delete",
            object_type="message_template",
            object_id=row.pk,
            changes={
                "code": code,
                "variant": variant,
                "language": language,
                "subject": row.subject,
                "body": row.body,
            },
        )
        row.delete()
    return True


def _user_or_none(actor: Any) -> Any:
    # The system user of background jobs may be unsaved; only a stored user can be referenced.
    return actor if actor is not None and getattr(actor, "pk", None) else None
