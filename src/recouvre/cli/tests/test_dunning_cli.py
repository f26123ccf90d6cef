"""cycle, actions, approve, dispute open/close, promise add and simulate as scripts see them (cli.md)."""

import json
from datetime import date, timedelta

import pytest

from recouvre.cli.main import main

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

D0 = date(2026, 11, 23)  # a Monday
DUE = D0 - timedelta(days=35)
CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_email;debtor_address;debtor_postcode;debtor_city;"
    "issue_date;due_date;amount\n"
    f"F-1;411A;Alpha SARL;compta@alpha.example;3 rue Haute;69003;Lyon;2026-09-01;{D0 - timedelta(days=3)};1200.00\n"
    f"F-2;411A;;;;;;2026-09-01;{D0 - timedelta(days=2)};300.00\n"
    f"F-3;411B;Bravo SA;;8 quai Bas;57000;Metz;2026-09-01;{DUE};500.00\n"
)


def run_json(capsys, *argv):
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    return code, json.loads(out.out) if out.out.strip() else None


@pytest.fixture
def portfolio(capsys, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    assert (
        run_json(capsys, "org", "create", "--name", "Acme", "--iban", "FR7630006000011234567890189")[0] == 0
    )
    path = tmp_path / "f.csv"
    path.write_text(CSV, encoding="utf-8")
    assert run_json(capsys, "import", "invoices", str(path))[0] == 0
    return path


def test_cycle_prints_its_figures_and_is_idempotent(capsys, portfolio):
    code, doc = run_json(capsys, "cycle", "--date", D0.isoformat())
    assert code == 0
    assert doc["date"] == D0.isoformat()
    assert (doc["planned"], doc["dispatched"], doc["awaiting_approval"], doc["tasks"]) == (2, 2, 0, 0)
    code, again = run_json(capsys, "cycle", "--date", D0.isoformat())
    assert (again["planned"], again["dispatched"]) == (0, 0)


def test_actions_lists_with_the_contract_keys_and_filters(capsys, portfolio):
    run_json(capsys, "cycle", "--date", D0.isoformat())
    code, listed = run_json(capsys, "actions", "--date", D0.isoformat())
    assert code == 0
    by_ref = {a["debtor_ref"]: a for a in listed}
    alpha = by_ref["411A"]
    assert {
        "id",
        "debtor_ref",
        "step",
        "channel",
        "status",
        "scheduled_for",
        "dispatched_at",
        "invoices",
        "amount_due",
    } <= set(alpha)
    assert (alpha["step"], alpha["channel"], alpha["status"]) == ("reminder_1", "email", "dispatched")
    assert alpha["invoices"] == ["F-1", "F-2"]
    assert alpha["amount_due"] == "1500.00"
    assert alpha["dispatched_at"].startswith(D0.isoformat())
    assert by_ref["411B"]["channel"] == "letter"  # no email: the reminder goes by post
    assert run_json(capsys, "actions", "--debtor", "411B")[1][0]["debtor_ref"] == "411B"
    assert run_json(capsys, "actions", "--status", "failed")[1] == []
    assert run_json(capsys, "actions", "--from", "2026-12-01", "--to", "2026-12-31")[1] == []
    code, doc = run_json(capsys, "actions", "--status", "sent")
    assert code == 1
    assert "status" in doc["error"]


def test_formal_notice_waits_for_approval_then_leaves_without_the_invoices_paid_since(capsys, portfolio):
    day = D0
    for _ in range(40):
        run_json(capsys, "cycle", "--date", day.isoformat())
        listed = run_json(capsys, "actions", "--status", "awaiting_approval", "--debtor", "411A")[1]
        if listed:
            break
        day += timedelta(days=1)
    [notice] = listed
    assert notice["step"] == "formal_notice"
    assert notice["channel"] == "registered_letter"
    # Nothing after it is planned while it waits.
    later = day + timedelta(days=30)
    run_json(capsys, "cycle", "--date", later.isoformat())
    steps = [a["step"] for a in run_json(capsys, "actions", "--debtor", notice["debtor_ref"])[1]]
    assert "litigation_review" not in steps
    if len(notice["invoices"]) > 1:
        paid = notice["invoices"][0]
        assert (
            run_json(
                capsys,
                "payment",
                "add",
                "--invoice",
                paid,
                "--amount",
                "1200.00",
                "--date",
                later.isoformat(),
            )[0]
            == 0
        )
    code, doc = run_json(capsys, "approve", str(notice["id"]))
    assert (code, doc) == (0, {"approved": [notice["id"]]})
    code, doc = run_json(capsys, "approve", str(notice["id"]))
    assert code == 1  # no longer waiting
    # The next dispatch pass sends it, on a business day (the next days may be holidays).
    for offset in range(1, 6):
        run_json(capsys, "cycle", "--date", (later + timedelta(days=offset)).isoformat())
        actions = run_json(capsys, "actions", "--debtor", notice["debtor_ref"])[1]
        sent = next(a for a in actions if a["step"] == "formal_notice")
        if sent["status"] != "planned":
            break
    assert sent["status"] == "dispatched", sent["reason"]
    assert sent["invoices"] == ["F-2"]  # approved with F-1 and F-2; F-1 was paid since
    assert sent["amount_due"] == "300.00"


def test_dispute_open_and_close(capsys, portfolio):
    code, doc = run_json(
        capsys, "dispute", "open", "--invoice", "F-3", "--reason", "quality", "--comment", "abîmé"
    )
    assert code == 0
    assert doc["invoice"] == "F-3"
    assert run_json(capsys, "dispute", "open", "--invoice", "F-3", "--reason", "quality")[0] == 1
    assert run_json(capsys, "dispute", "open", "--invoice", "NOPE", "--reason", "quality")[0] == 1
    code, doc = run_json(capsys, "dispute", "close", "--invoice", "F-3", "--outcome", "credit_note")
    assert code == 1
    assert "--amount" in doc["error"]
    code, doc = run_json(
        capsys, "dispute", "close", "--invoice", "F-3", "--outcome", "credit_note", "--amount", "100"
    )
    assert (code, doc["outcome"]) == (0, "credit_note")
    shown = run_json(capsys, "invoice", "show", "F-3")[1]
    assert (shown["open_amount"], shown["disputed"]) == ("400.00", False)
    run_json(capsys, "dispute", "open", "--invoice", "F-1", "--reason", "price")
    code, doc = run_json(capsys, "dispute", "close", "--invoice", "F-1", "--outcome", "invoice_cancelled")
    assert code == 0
    shown = run_json(capsys, "invoice", "show", "F-1")[1]
    assert (shown["status"], shown["open_amount"]) == ("cancelled", "0.00")


def test_a_promise_pauses_the_case(capsys, portfolio):
    code, doc = run_json(
        capsys,
        "promise",
        "add",
        "--debtor",
        "411B",
        "--date",
        "2026-11-27",
        "--amount",
        "500",
        "--on",
        D0.isoformat(),
    )
    assert code == 0
    assert doc["pause_until"] == "2026-12-01"  # Friday + 2 business days
    run_json(capsys, "cycle", "--date", D0.isoformat())
    assert run_json(capsys, "actions", "--debtor", "411B")[1] == []
    assert (
        run_json(
            capsys,
            "promise",
            "add",
            "--debtor",
            "411B",
            "--date",
            "2026-11-01",
            "--amount",
            "5",
            "--on",
            D0.isoformat(),
        )[0]
        == 1
    )
    assert (
        run_json(capsys, "promise", "add", "--debtor", "411B", "--date", "2026-12-01", "--amount", "-5")[0]
        == 1
    )


def test_simulate_changes_nothing(capsys, portfolio):
    code, doc = run_json(
        capsys, "simulate", "--from", D0.isoformat(), "--to", (D0 + timedelta(days=45)).isoformat()
    )
    assert code == 0
    assert doc["by_channel"].get("email", 0) >= 2
    assert doc["by_channel"].get("registered_letter", 0) >= 1
    assert float(doc["postage"]) > 0
    assert len(doc["days"]) == 46
    assert run_json(capsys, "actions")[1] == []  # nothing was written
    assert run_json(capsys, "simulate", "--from", "2026-12-01", "--to", "2026-11-01")[0] == 1
