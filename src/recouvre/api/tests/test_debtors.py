"""GET /debtors, /debtors/{ref}, /debtors/{ref}/timeline."""

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_list_searches_and_paginates_with_a_total(portfolio, api):
    body = api.get("/debtors").json()
    assert body["count"] == 2
    alpha = body["items"][0]
    assert (alpha["ref"], alpha["name"], alpha["open_amount"], alpha["open_invoices"]) == (
        "411ALPHA",
        "Alpha SARL",
        "600.00",
        3,
    )
    page = api.get("/debtors", limit=1, offset=1).json()
    assert (page["count"], page["limit"], page["offset"]) == (2, 1, 1)
    assert [d["ref"] for d in page["items"]] == ["411BETA"]
    assert [d["ref"] for d in api.get("/debtors", q="beta").json()["items"]] == ["411BETA"]
    # An invoice number finds its debtor.
    assert [d["ref"] for d in api.get("/debtors", q="A-3").json()["items"]] == ["411ALPHA"]


def test_pagination_bounds_are_validated(portfolio, api):
    response = api.get("/debtors", limit=0)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"
    assert api.get("/debtors", limit=501).status_code == 422
    assert api.get("/debtors", offset=-1).json()["errors"][0]["field"] == "offset"


def test_detail_has_contacts_balance_and_aged_buckets(portfolio, api):
    response = api.get("/debtors/411ALPHA", date="2026-11-22")
    assert response.status_code == 200
    body = response.json()
    assert body["ref"] == "411ALPHA"
    assert body["open_amount"] == "600.00"
    assert body["overdue_amount"] == "500.00"
    assert body["unallocated_credit"] == "0.00"
    assert {(c["kind"], c["value"], c["valid"]) for c in body["contacts"]} == {
        ("email", "compta@alpha.fr", True),
        ("phone", "+33612345678", True),
    }
    assert body["aged_balance"] == {
        "date": "2026-11-22",
        "buckets": {"not_due": "100.00", "1-30": "200.00", "31-60": "0.00", "61-90": "300.00", "91+": "0.00"},
        "total": "600.00",
    }


def test_unknown_debtor_is_404_with_a_json_error(portfolio, api):
    response = api.get("/debtors/411NOBODY")
    assert response.status_code == 404
    assert response.json() == {"detail": "no debtor '411NOBODY'"}


def test_timeline_lists_the_debtors_events_newest_first(portfolio, api):
    api.post("/payments", {"invoice": "A-2", "amount": "20.00", "date": "2026-11-21", "reference": "VIR 1"})
    body = api.get("/debtors/411ALPHA/timeline").json()
    assert body["debtor_ref"] == "411ALPHA"
    assert body["count"] == len(body["items"]) >= 2
    newest = body["items"][0]
    assert (newest["kind"], newest["invoice"]) == ("payment_recorded", "A-2")
    assert newest["data"]["amount"] == "20.00"
    assert newest["actor"] == "manager@acme-industrie.example"
    assert newest["occurred_at"].endswith("+01:00")
    only = api.get("/debtors/411ALPHA/timeline", kind="payment_recorded").json()
    assert only["count"] == 1
    beta = api.get("/debtors/411BETA/timeline").json()
    assert all(e["kind"] != "payment_recorded" for e in beta["items"])
