"""GET /reports/aging: the same document as `recouvre report aging --json`."""

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_aging_buckets_for_the_known_portfolio(portfolio, as_role):
    response = as_role("viewer").get("/reports/aging", date="2026-11-22")
    assert response.status_code == 200
    assert response.json() == {
        "date": "2026-11-22",
        "buckets": {
            "not_due": "170.00",
            "1-30": "200.00",
            "31-60": "50.00",
            "61-90": "300.00",
            "91+": "400.00",
        },
        "total": "1120.00",
        "unallocated_credit": "0.00",
    }


def test_aging_as_of_an_earlier_day_and_after_a_payment(portfolio, api):
    api.post("/payments", {"debtor": "411BETA", "amount": "450.00", "date": "2026-11-20"})
    now = api.get("/reports/aging", date="2026-11-22").json()
    assert (now["buckets"]["91+"], now["buckets"]["31-60"], now["total"]) == ("0.00", "0.00", "670.00")
    # On 2026-09-01 only invoices issued by then count, the payment had not come, and B-1 was 62 days late.
    before = api.get("/reports/aging", date="2026-09-01").json()
    assert before["buckets"] == {
        "not_due": "550.00",
        "1-30": "0.00",
        "31-60": "0.00",
        "61-90": "400.00",
        "91+": "0.00",
    }


def test_aging_date_must_be_iso(portfolio, api):
    response = api.get("/reports/aging", date="22/11/2026")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "date"
