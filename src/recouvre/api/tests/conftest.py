"""Fixtures for the API tests: tokens per role, an authenticated client, a known portfolio.

The portfolio, on TODAY (2026-11-22):
  411ALPHA  A-1 due 2026-11-30 100.00 (not due)   A-2 due 2026-10-31 200.00 (22 days late)
            A-3 due 2026-09-15 300.00 (68 days late)
  411BETA   B-1 due 2026-07-01 400.00 (144 days)  B-2 due 2026-10-10 50.00 (43 days)
            FA2026/0007 due 2026-12-01 70.00 (not due; a number with a slash)
The other organisation has 411GAMMA/G-1 and its own A-1, which must never show through."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from recouvre.tenancy.domain.services import api_token_create

PORTFOLIO = (
    "invoice_number,debtor_ref,debtor_name,debtor_email,debtor_phone,issue_date,due_date,amount\n"
    "A-1,411ALPHA,Alpha SARL,compta@alpha.fr,+33612345678,2026-10-01,2026-11-30,100.00\n"
    "A-2,411ALPHA,,,,2026-09-01,2026-10-31,200.00\n"
    "A-3,411ALPHA,,,,2026-08-01,2026-09-15,300.00\n"
    "B-1,411BETA,Beta SA,,,2026-06-01,2026-07-01,400.00\n"
    "B-2,411BETA,,,,2026-09-01,2026-10-10,50.00\n"
    "FA2026/0007,411BETA,,,,2026-11-01,2026-12-01,70.00\n"
)
OTHER_PORTFOLIO = (
    "invoice_number,debtor_ref,debtor_name,issue_date,due_date,amount\n"
    "G-1,411GAMMA,Gamma SAS,2026-09-01,2026-10-01,1000.00\n"
    "A-1,411GAMMA,,2026-09-01,2026-10-01,999.00\n"
)


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Any) -> Any:
    settings.DATA_DIR = tmp_path
    # Users are created with a password by the shared fixture; the real hasher costs a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


@pytest.fixture
def make_key(make_user: Callable[..., Any]) -> Callable[..., str]:
    def make(organisation: Any, role: str = "manager", email: str | None = None) -> str:
        user = make_user(organisation, role, email=email)
        _token, key = api_token_create(user=user, organisation=organisation, name=f"test {role}")
        return key

    return make


class Api:
    """A test client speaking to /api/v1 with one bearer key."""

    def __init__(self, client: Client, key: str | None) -> None:
        self.client, self.key = client, key

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + path, params, headers=self._headers())

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        if json is not None:
            return self.client.post(
                "/api/v1" + path, json, content_type="application/json", headers=self._headers()
            )
        return self.client.post("/api/v1" + path, headers=self._headers(), **kwargs)


@pytest.fixture
def as_role(organisation: Any, make_key: Callable[..., str]) -> Callable[[str], Api]:
    def make(role: str) -> Api:
        return Api(Client(), make_key(organisation, role))

    return make


@pytest.fixture
def api(as_role: Callable[[str], Api]) -> Api:
    return as_role("manager")


@pytest.fixture
def portfolio(organisation: Any, other_organisation: Any, import_csv: Callable[..., Any]) -> Any:
    for org, text in ((organisation, PORTFOLIO), (other_organisation, OTHER_PORTFOLIO)):
        report = import_csv(org, text)
        assert report.ok, report.errors
    return organisation


def revoke(key: str) -> None:
    from recouvre.tenancy.models import ApiToken

    ApiToken.objects.filter(prefix=key[:12]).update(revoked_at=timezone.now())
