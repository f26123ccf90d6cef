"""GET /invoices and /invoices/{number}."""

from datetime import date

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def numbers(response):
    assert response.status_code == 200, response.content
    return [i["invoice"] for i in response.json()["items"]]


def test_list_is_ordered_by_due_date_and_filtered(portfolio, api):
    assert numbers(api.get("/invoices")) == ["B-1", "A-3", "B-2", "A-2", "A-1", "FA2026/0007"]
    assert numbers(api.get("/invoices", debtor="411BETA")) == ["B-1", "B-2", "FA2026/0007"]
    assert numbers(api.get("/invoices", overdue="true")) == ["B-1", "A-3", "B-2", "A-2"]
    assert numbers(api.get("/invoices", due_before="2026-10-01")) == ["B-1", "A-3"]
    assert numbers(api.get("/invoices", due_after="2026-11-01")) == ["A-1", "FA2026/0007"]
    assert numbers(api.get("/invoices", due_after="2026-09-15", due_before="2026-11-30")) == ["B-2", "A-2"]
    page = api.get("/invoices", limit=2, offset=2).json()
    assert (page["count"], [i["invoice"] for i in page["items"]]) == (6, ["B-2", "A-2"])


def test_status_filter_follows_payments(portfolio, api):
    assert numbers(api.get("/invoices", status="paid")) == []
    api.post("/payments", {"invoice": "B-2", "amount": "50.00", "date": "2026-11-20"})
    assert numbers(api.get("/invoices", status="paid")) == ["B-2"]
    assert "B-2" not in numbers(api.get("/invoices", overdue="true"))


def test_bad_filter_is_422_naming_it(portfolio, api):
    response = api.get("/invoices", status="lost")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"
    response = api.get("/invoices", due_before="31/12/2026")
    assert response.json()["errors"][0]["field"] == "due_before"


def test_list_item_fields(portfolio, api):
    from recouvre.api.common import today

    item = api.get("/invoices", debtor="411ALPHA", due_before="2026-10-01").json()["items"][0]
    # The list reads invoices as of today: the days overdue count from the real date.
    assert item == {
        "invoice": "A-3",
        "debtor_ref": "411ALPHA",
        "document_type": "invoice",
        "amount": "300.00",
        "open_amount": "300.00",
        "currency": "EUR",
        "issue_date": "2026-08-01",
        "due_date": "2026-09-15",
        "status": "open",
        "disputed": False,
        "days_overdue": (today() - date(2026, 9, 15)).days,
    }


def test_detail_matches_invoice_show(portfolio, api):
    response = api.get("/invoices/A-2", date="2026-11-22")
    assert response.status_code == 200
    body = response.json()
    for key, value in {
        "invoice": "A-2",
        "debtor_ref": "411ALPHA",
        "amount": "200.00",
        "open_amount": "200.00",
        "due_date": "2026-10-31",
        "status": "open",
        "disputed": False,
        "days_overdue": 22,
    }.items():
        assert body[key] == value, key
    # B2B: five years from the due date (french-law.md).
    assert body["prescription_date"].startswith("2031-")


def test_detail_as_of_an_earlier_day_ignores_later_payments(portfolio, api):
    api.post("/payments", {"invoice": "A-2", "amount": "200.00", "date": "2026-11-20"})
    assert api.get("/invoices/A-2").json()["status"] == "paid"
    before = api.get("/invoices/A-2", date="2026-11-19").json()
    assert (before["open_amount"], before["status"]) == ("200.00", "open")


def test_invoice_numbers_with_a_slash(portfolio, api):
    response = api.get("/invoices/FA2026/0007")
    assert response.status_code == 200
    assert response.json()["amount"] == "70.00"
    assert api.get("/invoices/NOPE").status_code == 404
