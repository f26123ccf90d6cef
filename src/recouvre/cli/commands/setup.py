"""migrate, org create, user create, token create."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from recouvre.audit.domain.services import audit_record
from recouvre.cli.context import EXIT_OK, CommandError, acting_user, emit, organisation_scope


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def migrate(args: Any) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
    applied = [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]
    emit(
        args,
        {"applied": applied},
        f"{len(applied)} migration(s) applied" if applied else "database up to date",
    )
    return EXIT_OK


def org_create(args: Any) -> int:
    from recouvre.tenancy.domain.services import organisation_create

    actor = acting_user(args.as_email)
    try:
        with transaction.atomic():
            org = organisation_create(
                name=args.name,
                siren=args.siren,
                iban=args.iban,
                bic=args.bic,
                email=args.email,
                is_agency=args.agency,
            )
            audit_record(
                organisation=org,
                actor=actor,
                action="create",
                object_type="organisation",
                object_id=org.pk,
                changes={"name": org.name, "slug": org.slug, "is_agency": org.is_agency},
            )
    except ValidationError as exc:
        raise CommandError(_validation_message(exc)) from None
    emit(args, {"slug": org.slug, "id": org.pk}, f"organisation {org.name} created (slug: {org.slug})")
    return EXIT_OK


def user_create(args: Any) -> int:
    from recouvre.tenancy.domain.services import user_create as create

    with organisation_scope(args.org) as org:
        actor = acting_user(args.as_email)
        try:
            user, invited = create(
                email=args.email,
                role=args.role,
                organisation=org,
                password=args.password,
                full_name=args.name,
            )
        except ValidationError as exc:
            raise CommandError(_validation_message(exc)) from None
        # Who gave whom which role: the access rights are part of the audit trail.
        audit_record(
            organisation=org,
            actor=actor,
            action="update",
            object_type="membership",
            object_id=user.pk,
            changes={"email": user.email, "role": args.role, "invited": invited},
        )
    text = f"user {user.email} is {args.role} of {org.slug}" + (" (invitation sent)" if invited else "")
    emit(args, {"id": user.pk, "email": user.email, "role": args.role, "invited": invited}, text)
    return EXIT_OK


def token_create(args: Any) -> int:
    from recouvre.tenancy.domain.services import api_token_create
    from recouvre.tenancy.models import User

    with organisation_scope(args.org) as org:
        actor = acting_user(args.as_email)
        user = User.objects.filter(email=args.email.strip().lower()).first()
        if user is None:
            raise CommandError(f"no user with email {args.email}")
        try:
            token, key = api_token_create(user=user, organisation=org, name=args.name)
        except ValidationError as exc:
            raise CommandError(_validation_message(exc)) from None
        audit_record(
            organisation=org,
            actor=actor,
            action="create",
            object_type="api_token",
            object_id=token.pk,
            changes={"user": user.email, "prefix": token.prefix},
        )
    emit(args, {"id": token.pk, "token": key, "email": user.email}, f"API token (shown once): {key}")
    return EXIT_OK
