"""Bearer tokens, roles, and the organisation scope every operation runs in."""

import pytest
from django.test import Client, RequestFactory

from recouvre.api.app import api as ninja_api
from recouvre.api.auth import ApiTokenAuth
from recouvre.api.tests.conftest import Api, revoke
from recouvre.audit.models import AuditEntry

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_no_token_is_401_with_a_json_error():
    response = Client().get("/api/v1/debtors")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer rcv_not-a-real-key", "Basic dXNlcjpwYXNz", "Bearer "])
def test_bad_token_is_401(db, header):
    response = Client().get("/api/v1/debtors", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_token_is_401(organisation, make_key):
    key = make_key(organisation, "viewer")
    assert Api(Client(), key).get("/debtors").status_code == 200
    revoke(key)
    response = Api(Client(), key).get("/debtors")
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid or revoked API token"}


def test_token_of_a_deactivated_user_is_401(organisation, make_key):
    from recouvre.tenancy.models import User

    key = make_key(organisation, "viewer", email="gone@example.fr")
    User.objects.filter(email="gone@example.fr").update(is_active=False)
    assert Api(Client(), key).get("/debtors").status_code == 401


def test_every_operation_requires_a_token(db):
    schema = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    checked = 0
    for path, operations in schema["paths"].items():
        url = path.replace("{batch_id}", "1").replace("{ref}", "X").replace("{number}", "X")
        for method in operations:
            response = getattr(Client(), method)(url)
            assert response.status_code == 401, (method, url)
            checked += 1
    assert checked >= 11


def test_authentication_refuses_to_run_outside_the_scoped_operation(db):
    request = RequestFactory().get("/api/v1/debtors", headers={"Authorization": "Bearer x"})
    with pytest.raises(RuntimeError, match="unscoped"):
        ApiTokenAuth()(request)


def test_an_unexpected_error_is_a_json_500(organisation, make_key, monkeypatch, caplog):
    from recouvre.api.routers import reports

    def broken(day):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(reports, "aged_balance", broken)
    response = Api(Client(), make_key(organisation, "viewer")).get("/reports/aging")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    assert "boom" in caplog.text


def test_viewer_reads_but_cannot_record_a_payment(portfolio, as_role):
    viewer = as_role("viewer")
    assert viewer.get("/debtors").status_code == 200
    response = viewer.post("/payments", {"invoice": "A-2", "amount": "10.00", "date": "2026-11-20"})
    assert response.status_code == 403
    assert "agent" in response.json()["detail"]
    assert viewer.get("/invoices/A-2").json()["open_amount"] == "200.00"


def test_agent_records_payments_but_cannot_import(portfolio, as_role):
    agent = as_role("agent")
    response = agent.post("/payments", {"invoice": "A-2", "amount": "10.00", "date": "2026-11-20"})
    assert response.status_code == 201
    upload = agent.post("/imports?wait=true", data={"file": _csv_file()})
    assert upload.status_code == 403
    assert "manager" in upload.json()["detail"]


def _csv_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.csv", b"invoice_number,debtor_ref,debtor_name,issue_date,due_date,amount\n")


def test_a_token_never_sees_another_organisation(portfolio, other_organisation, make_key):
    mine = Api(Client(), make_key(portfolio, "viewer"))
    refs = [d["ref"] for d in mine.get("/debtors").json()["items"]]
    assert refs == ["411ALPHA", "411BETA"]
    numbers = {i["invoice"] for i in mine.get("/invoices", limit=500).json()["items"]}
    assert "G-1" not in numbers
    assert mine.get("/debtors/411GAMMA").status_code == 404
    assert mine.get("/debtors/411GAMMA/timeline").status_code == 404
    assert mine.get("/invoices/G-1").status_code == 404
    assert mine.get("/invoices", debtor="411GAMMA").json()["count"] == 0
    assert mine.get("/debtors", q="G-1").json()["count"] == 0
    # Both organisations number an invoice A-1: each token reads its own.
    assert mine.get("/invoices/A-1").json()["amount"] == "100.00"
    theirs = Api(Client(), make_key(other_organisation, "viewer"))
    assert theirs.get("/invoices/A-1").json()["amount"] == "999.00"
    assert theirs.get("/debtors/411ALPHA").status_code == 404
    assert theirs.get("/reports/aging", date="2026-11-22").json()["total"] == "1999.00"


def test_payment_cannot_target_another_organisations_invoice(portfolio, api):
    response = api.post("/payments", {"invoice": "G-1", "amount": "10.00", "date": "2026-11-20"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "invoice"
    response = api.post("/payments", {"debtor": "411GAMMA", "amount": "10.00", "date": "2026-11-20"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "debtor"


def test_reading_a_debtor_is_audited(portfolio, api):
    assert api.get("/debtors/411ALPHA").status_code == 200
    entry = AuditEntry.objects.with_scopes_disabled().get(object_type="debtor")
    assert (entry.action, entry.channel, entry.debtor.ref) == ("view", "api", "411ALPHA")
    assert entry.actor.email == "manager@acme-industrie.example"
    assert entry.organisation == portfolio


def test_the_scope_ends_with_the_request(portfolio, api):
    from django_scopes import get_scope

    from recouvre.audit.domain.context import current_channel

    assert api.get("/debtors/411ALPHA").status_code == 200
    assert not get_scope().get("_enabled")
    assert current_channel() == "system"
