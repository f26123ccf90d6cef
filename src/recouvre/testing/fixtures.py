"""Shared pytest fixtures: organisations, users with roles, an active organisation scope, and a
helper that imports CSV text through the real import service."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

TODAY = date(2026, 11, 22)


@pytest.fixture
def organisation(db: Any) -> Any:
    from recouvre.tenancy.domain.services import organisation_create

    return organisation_create(name="Acme Industrie", siren="732829320", iban="FR7630006000011234567890189")


@pytest.fixture
def other_organisation(db: Any) -> Any:
    from recouvre.tenancy.domain.services import organisation_create

    return organisation_create(name="Bêta Services")


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from recouvre.tenancy.domain.services import user_create

    def make(
        organisation: Any, role: str = "manager", email: str | None = None, password: str = "correct-horse-42"
    ) -> Any:
        user, _invited = user_create(
            email=email or f"{role}@{organisation.slug}.example",
            role=role,
            organisation=organisation,
            password=password,
        )
        return user

    return make


@pytest.fixture
def manager(organisation: Any, make_user: Callable[..., Any]) -> Any:
    return make_user(organisation, "manager")


@pytest.fixture
def in_scope(organisation: Any) -> Iterator[Any]:
    """Runs the test inside the organisation's scope, as a request or a command would."""
    with scope(organisation=organisation):
        yield organisation


@pytest.fixture
def unscoped() -> Iterator[None]:
    with scopes_disabled():
        yield


@pytest.fixture
def import_csv(db: Any) -> Callable[..., Any]:
    """import_csv(org, text, **options) -> ImportReport, through the real service."""
    from recouvre.imports.domain.services import invoices_import
    from recouvre.tenancy.domain.services import system_user

    def run(
        organisation: Any, text: str | bytes, *, today: date = TODAY, encoding: str = "utf-8", **options: Any
    ) -> Any:
        data = text if isinstance(text, bytes) else text.encode(encoding)
        with scope(organisation=organisation):
            return invoices_import(
                organisation=organisation,
                stream=io.BytesIO(data),
                file_name=options.pop("file_name", "test.csv"),
                actor=options.pop("actor", None) or system_user(),
                today=today,
                **options,
            )

    return run
