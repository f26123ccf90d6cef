"""Organisations, users, memberships and API tokens: the writes, each in one transaction."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from recouvre.kernel.identifiers import normalise_email, normalise_siren
from recouvre.tenancy.enums import ROLE_RANK, Role
from recouvre.tenancy.models import ApiToken, Membership, Organisation, User

CLI_USER_EMAIL = "cli@recouvre.invalid"
IMPORT_USER_EMAIL = "import@recouvre.invalid"


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def organisation_create(
    *,
    name: str,
    siren: str = "",
    iban: str = "",
    bic: str = "",
    email: str = "",
    is_agency: bool = False,
) -> Organisation:
    """Creates a creditor organisation; identifiers are checked (SIREN Luhn, IBAN checksum)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Le nom est obligatoire.")})
    errors: dict[str, str] = {}
    if siren:
        try:
            siren = normalise_siren(siren)
        except ValueError as exc:
            errors["siren"] = str(exc)
    if iban:
        from schwifty import IBAN
        from schwifty.exceptions import SchwiftyException

        try:
            iban = str(IBAN(iban).compact)
        except SchwiftyException as exc:
            errors["iban"] = f"{iban!r} is not a valid IBAN ({exc})"
    if bic:
        from schwifty import BIC
        from schwifty.exceptions import SchwiftyException

        try:
            bic = str(BIC(bic).compact)
        except SchwiftyException as exc:
            errors["bic"] = f"{bic!r} is not a valid BIC ({exc})"
    if email:
        try:
            email = normalise_email(email)
        except ValueError as exc:
            errors["email"] = str(exc)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return Organisation.objects.create(
            name=name,
            slug=_unique_slug(name),
            siren=siren,
            iban=iban,
            bic=bic,
            email=email,
            is_agency=is_agency,
        )


def system_user(email: str = CLI_USER_EMAIL) -> User:
    """The built-in actor recorded when a command runs without `--as`."""
    user, _created = User.objects.get_or_create(
        email=email, defaults={"full_name": email.split("@")[0], "is_system": True, "is_active": False}
    )
    return user


def user_create(
    *, email: str, role: str, organisation: Organisation, password: str | None = None, full_name: str = ""
) -> tuple[User, bool]:
    """Creates a user (or reuses the one with that email) with a role in the organisation.
    Returns (user, invited): without a password an invitation to choose one is emailed."""
    try:
        email = normalise_email(email).lower()
    except ValueError as exc:
        raise ValidationError({"email": str(exc)}) from exc
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role (admin, manager, agent, viewer)"})
    if password is not None:
        from django.contrib.auth.password_validation import validate_password

        try:
            validate_password(password)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, password, full_name=full_name)
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
        if not created and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
    invited = password is None
    if invited:
        _send_invitation(user, organisation)
    return user, invited


def _send_invitation(user: User, organisation: Organisation) -> None:
    from django.conf import settings

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.BASE_URL + reverse("backoffice:password-reset-confirm", args=[uid, token])
    send_mail(
        subject=_("Invitation à rejoindre %(org)s sur recouvre") % {"org": organisation.name},
        message=_(
            "Bonjour,\n\nVous êtes invité(e) à rejoindre %(org)s sur recouvre.\n"
            "Choisissez votre mot de passe ici : %(link)s\n"
        )
        % {"org": organisation.name, "link": link},
        from_email=None,
        recipient_list=[user.email],
    )


def role_of(user: User, organisation: Organisation) -> str | None:
    membership = Membership.objects.filter(user=user, organisation=organisation).only("role").first()
    return membership.role if membership else None


def role_allows(role: str | None, minimum: str) -> bool:
    return role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: User, organisation: Organisation, name: str = "") -> tuple[ApiToken, str]:
    """Returns the token row and the clear key, which is never stored and shown only now."""
    if role_of(user, organisation) is None:
        raise ValidationError({"user": f"{user.email} has no role in {organisation.slug}"})
    key = "rcv_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, organisation=organisation, name=name, prefix=key[:12], key_hash=_hash_key(key)
    )
    return token, key


def api_token_authenticate(key: str) -> ApiToken | None:
    from django.utils import timezone

    token = (
        ApiToken.objects.select_related("user", "organisation")
        .filter(key_hash=_hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or role_of(token.user, token.organisation) is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
