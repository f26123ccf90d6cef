"""Who works in an organisation: inviting a person with a role, changing a role, removing a member.

Only an admin manages members, and an organisation always keeps at least one admin: the last one
can be neither demoted nor removed. Tenancy sits below the audit app in the layers, so the caller
hands its audit recorder in (`audit=audit_record`); it is called inside the change's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from recouvre.kernel.identifiers import normalise_email
from recouvre.tenancy.domain.services import role_allows, role_of, user_create
from recouvre.tenancy.enums import Role
from recouvre.tenancy.models import Membership, Organisation, User

AuditRecorder = Callable[..., Any]


class MembershipNotFound(LookupError):
    """No such member in this organisation (never was, or already removed)."""


def members_of(organisation: Organisation) -> list[Membership]:
    """People first by role (admins first), then by email; built-in actors are not people."""
    rank = {Role.ADMIN: 0, Role.MANAGER: 1, Role.AGENT: 2, Role.VIEWER: 3}
    members = (
        Membership.objects.filter(organisation=organisation, user__is_system=False)
        .select_related("user")
        .order_by("user__email")
    )
    return sorted(members, key=lambda m: rank.get(Role(m.role), 9))


def _require_admin(actor: Any, organisation: Organisation) -> None:
    if not role_allows(role_of(actor, organisation), Role.ADMIN):
        raise PermissionDenied


def _locked_membership(organisation: Organisation, membership_id: int) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(organisation=organisation, pk=membership_id, user__is_system=False)
        .first()
    )
    if membership is None:
        raise MembershipNotFound(membership_id)
    return membership


def _other_admins(organisation: Organisation, membership: Membership) -> int:
    # Every admin row locked: two admins demoting each other at once cannot both succeed.
    admins = list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in admins if pk != membership.pk)


def member_invite(
    *, organisation: Organisation, email: str, role: str, actor: Any, audit: AuditRecorder
) -> Membership:
    """Gives `email` a role here and mails an invitation to choose a password (tenancy's
    invitation). A person who is already a member is refused: their role is changed on their row."""
    _require_admin(actor, organisation)
    try:
        email = normalise_email(email).lower()
    except ValueError as exc:
        raise ValidationError({"email": _("Cette adresse e-mail n'est pas valide.")}) from exc
    if role not in Role.values:
        raise ValidationError({"role": _("Rôle inconnu.")})
    with transaction.atomic():
        if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
            raise ValidationError({"email": _("Cette personne est déjà membre de l'organisation.")})
        if User.objects.filter(email__iexact=email, is_system=True).exists():
            raise ValidationError({"email": _("Cette adresse est réservée.")})
        user, _invited = user_create(email=email, role=role, organisation=organisation)
        membership = Membership.objects.get(organisation=organisation, user=user)
        audit(
            organisation=organisation,
            actor=actor,
            action="create",
            object_type="membership",
            object_id=membership.pk,
            changes={"email": email, "role": role, "invited": True},
        )
    return membership


def membership_role_change(
    *, organisation: Organisation, membership_id: int, role: str, actor: Any, audit: AuditRecorder
) -> Membership:
    """Sets a member's role; giving the role they already have changes and records nothing."""
    _require_admin(actor, organisation)
    with transaction.atomic():
        # Looked up first: another organisation's member is "not found", whatever the role asked.
        membership = _locked_membership(organisation, membership_id)
        if role not in Role.values:
            raise ValidationError({"role": _("Rôle inconnu.")})
        if membership.role == role:
            return membership
        if membership.role == Role.ADMIN and not _other_admins(organisation, membership):
            raise ValidationError({"role": _("L'organisation doit garder au moins un administrateur.")})
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit(
            organisation=organisation,
            actor=actor,
            action="update",
            object_type="membership",
            object_id=membership.pk,
            changes={"email": membership.user.email, "role": [before, role]},
        )
    return membership


def membership_remove(
    *, organisation: Organisation, membership_id: int, actor: Any, audit: AuditRecorder
) -> str:
    """Removes a member from this organisation (their account and other memberships stay); returns
    their email. Raises MembershipNotFound when already removed."""
    _require_admin(actor, organisation)
    with transaction.atomic():
        membership = _locked_membership(organisation, membership_id)
        if membership.role == Role.ADMIN and not _other_admins(organisation, membership):
            raise ValidationError({"role": _("L'organisation doit garder au moins un administrateur.")})
        email = membership.user.email
        audit(
            organisation=organisation,
            actor=actor,
            action="delete",
            object_type="membership",
            object_id=membership.pk,
            changes={"email": email, "role": membership.role},
        )
        membership.delete()
    return email
