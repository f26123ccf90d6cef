"""The command line as scripts see it (shared/spec/cli.md): JSON documents, exit statuses."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.cli.main import main
from recouvre.ledger.models import Invoice
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;amount;open_amount\n"
    "F-1;411A;Alpha;B2B;2026-01-01;2026-02-01;100,00;\n"
    "F-2;411A;;;2026-09-01;2026-10-31;200,00;150,00\n"
    "F-3;411B;Bravo;;2026-11-01;2026-12-01;1 000,50;\n"
)


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    return code, json.loads(out), err


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "factures.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.fixture
def org(capsys):
    code, doc, _ = run_json(capsys, "org", "create", "--name", "Acme Industrie", "--siren", "732829320")
    assert code == 0
    return doc


def test_org_create(capsys, org):
    assert org["slug"] == "acme-industrie"
    assert isinstance(org["id"], int)


def test_org_create_refuses_bad_siren(capsys):
    code, doc, err = run_json(capsys, "org", "create", "--name", "X", "--siren", "123")
    assert code == 1
    assert "siren" in doc["error"]
    assert "siren" in err


def test_user_create_with_password_and_by_invitation(capsys, org, settings, tmp_path):
    settings.EMAIL_OUTBOX_DIR = tmp_path
    settings.EMAIL_BACKEND = "recouvre.common.eml_backend.EmlFileBackend"
    code, doc, _ = run_json(
        capsys,
        "user",
        "create",
        "--email",
        "m@acme.fr",
        "--role",
        "manager",
        "--password",
        "correct-horse-42",
    )
    assert (code, doc["email"], doc["invited"]) == (0, "m@acme.fr", False)
    code, doc, _ = run_json(capsys, "user", "create", "--email", "v@acme.fr", "--role", "viewer")
    assert (code, doc["invited"]) == (0, True)
    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_import_then_reimport(capsys, org, csv_file):
    code, doc, _ = run_json(capsys, "import", "invoices", str(csv_file), "--date", "2026-11-22")
    assert code == 0
    assert (doc["created"], doc["updated"], doc["unchanged"], doc["errors"]) == (3, 0, 0, [])
    code, doc, _ = run_json(capsys, "import", "invoices", str(csv_file))
    assert (code, doc["created"], doc["unchanged"]) == (0, 0, 3)


def test_import_refused_lists_line_column_message_and_exits_1(capsys, org, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV + "F-4;411B;;;2026-11-01;2026-10-01;12,3,4;\n", encoding="utf-8")
    code, doc, _ = run_json(capsys, "import", "invoices", str(bad))
    assert code == 1
    assert doc["errors"] == [
        {
            "line": 5,
            "column": "due_date",
            "message": "due date 01/10/2026 is before the issue date 01/11/2026",
        },
        {
            "line": 5,
            "column": "amount",
            "message": "'12,3,4' is not an amount (expected e.g. 1234.56, 1234,56 or 1 234,56, two decimals at most)",
        },
    ]
    assert doc["created"] == 0
    with scope(organisation=_org()):
        assert Invoice.objects.count() == 0


def test_import_dry_run_and_text_output(capsys, org, csv_file):
    code, out, _ = run(capsys, "import", "invoices", str(csv_file), "--dry-run")
    assert code == 0
    assert out.strip() == "factures.csv: 3 created, 0 updated, 0 unchanged (dry run: nothing written)"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x00\x01\x02binary", "binary"), (b"a;b;c\n1;2;3\n", "not a header")],
)
def test_unreadable_files_exit_1_without_traceback(capsys, org, tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    code, out, err = run(capsys, "import", "invoices", str(path))
    assert code == 1
    assert message in out
    assert "Traceback" not in out + err


def test_missing_file_and_unknown_actor_exit_1(capsys, org, csv_file):
    assert run(capsys, "import", "invoices", "/nonexistent.csv")[0] == 1
    code, _, err = run(capsys, "import", "invoices", str(csv_file), "--as", "ghost@acme.fr")
    assert code == 1
    assert "no user" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["payment", "add", "--amount", "10"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_payment_add_on_invoice_and_on_debtor(capsys, org, csv_file, make_user):
    run(capsys, "import", "invoices", str(csv_file))
    code, doc, _ = run_json(
        capsys,
        "payment",
        "add",
        "--invoice",
        "F-1",
        "--amount",
        "40,00",
        "--date",
        "2026-11-02",
        "--reference",
        "VIR-1",
    )
    assert code == 0
    assert (doc["invoice"], doc["open_amount"]) == ("F-1", "60.00")
    code, doc, _ = run_json(
        capsys, "payment", "add", "--debtor", "411A", "--amount", "100", "--date", "2026-11-03"
    )
    assert doc["debtor"] == "411A"
    assert doc["allocations"] == [
        {"invoice": "F-1", "amount": "60.00"},
        {"invoice": "F-2", "amount": "40.00"},
    ]
    user = make_user(_org(), "agent", email="agent@acme.fr")
    run(
        capsys,
        "payment",
        "add",
        "--invoice",
        "F-3",
        "--amount",
        "1",
        "--date",
        "2026-11-03",
        "--as",
        "agent@acme.fr",
    )
    with scope(organisation=_org()):
        assert Event.objects.filter(kind="payment_recorded").first().actor == user
        entry = AuditEntry.objects.filter(object_type="payment").first()
        assert (entry.actor, entry.action, entry.channel, entry.changes["invoice"]) == (
            user,
            "create",
            "cli",
            "F-3",
        )
        assert (
            AuditEntry.objects.filter(object_type="import_batch", action="import", channel="cli").count() == 1
        )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--invoice", "F-9", "--amount", "1", "--date", "2026-11-02"], "no invoice F-9"),
        (["--debtor", "411Z", "--amount", "1", "--date", "2026-11-02"], "no debtor 411Z"),
        (["--invoice", "F-1", "--amount", "abc", "--date", "2026-11-02"], "--amount"),
        (["--invoice", "F-1", "--amount", "-3", "--date", "2026-11-02"], "--amount"),
        (["--invoice", "F-1", "--amount", "1", "--date", "02/11/2026"], "--date"),
    ],
)
def test_payment_add_refusals(capsys, org, csv_file, argv, message):
    run(capsys, "import", "invoices", str(csv_file))
    code, _, err = run(capsys, "payment", "add", *argv)
    assert code == 1
    assert message in err


def test_report_aging_json(capsys, org, csv_file):
    # Imported on the day the aged balance is read: the payment the import infers from F-2's open
    # amount is dated that day.
    run(capsys, "import", "invoices", str(csv_file), "--date", "2026-11-22")
    code, doc, _ = run_json(capsys, "report", "aging", "--date", "2026-11-22")
    assert code == 0
    assert doc["date"] == "2026-11-22"
    assert doc["buckets"] == {
        "not_due": "1000.50",
        "1-30": "150.00",
        "31-60": "0.00",
        "61-90": "0.00",
        "91+": "100.00",
    }
    assert doc["total"] == "1250.50"


def test_invoice_show(capsys, org, csv_file):
    run(capsys, "import", "invoices", str(csv_file), "--date", "2026-11-22")
    code, doc, _ = run_json(capsys, "invoice", "show", "F-2", "--date", "2026-11-22")
    assert code == 0
    assert {
        k: doc[k]
        for k in (
            "invoice",
            "debtor_ref",
            "amount",
            "open_amount",
            "due_date",
            "status",
            "disputed",
            "prescription_date",
        )
    } == {
        "invoice": "F-2",
        "debtor_ref": "411A",
        "amount": "200.00",
        "open_amount": "150.00",
        "due_date": "2026-10-31",
        "status": "open",
        "disputed": False,
        # The import saw a part-payment without its date: it does not interrupt limitation.
        "prescription_date": "2031-10-31",
    }


def test_org_required_when_several_exist(capsys, org, csv_file):
    run(capsys, "org", "create", "--name", "Other")
    code, _, err = run(capsys, "import", "invoices", str(csv_file))
    assert code == 1
    assert "--org" in err
    assert run(capsys, "import", "invoices", str(csv_file), "--org", "other")[0] == 0


def _org():
    from recouvre.tenancy.models import Organisation

    return Organisation.objects.get(slug="acme-industrie")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_console_script_end_to_end(tmp_path, csv_file):
    """The installed `recouvre` script on a fresh SQLite data directory, as a cron job would run it."""
    script = Path(sys.executable).parent / "recouvre"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "RECOUVRE_DATA_DIR": str(tmp_path / "data")
    }

    def call(*argv):
        return subprocess.run(
            [str(script), *argv], capture_output=True, text=True, env=env, timeout=120, check=False
        )

    migrated = call("migrate", "--json")
    assert migrated.returncode == 0, migrated.stderr
    assert "ledger.0001_initial" in json.loads(migrated.stdout)["applied"]
    assert call("org", "create", "--name", "Acme").returncode == 0
    imported = call("import", "invoices", str(csv_file), "--date", "2026-11-22", "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["created"] == 3
    aging = call("report", "aging", "--date", "2026-11-22", "--json")
    assert json.loads(aging.stdout)["total"] == "1250.50"
    assert call("report", "aging", "--bogus").returncode == 2
    assert (tmp_path / "data" / "recouvre.sqlite3").exists()


def test_setup_commands_take_as_and_are_audited(capsys, org):
    run(
        capsys,
        "user",
        "create",
        "--email",
        "boss@acme.fr",
        "--role",
        "admin",
        "--password",
        "correct-horse-42",
    )
    code, doc, _ = run_json(
        capsys,
        "user",
        "create",
        "--email",
        "a@acme.fr",
        "--role",
        "agent",
        "--password",
        "correct-horse-42",
        "--as",
        "boss@acme.fr",
    )
    assert code == 0
    with scope(organisation=_org()):
        entry = AuditEntry.objects.get(object_type="membership", object_id=str(doc["id"]))
    assert (entry.actor.email, entry.channel, entry.changes["role"]) == ("boss@acme.fr", "cli", "agent")
    assert run(capsys, "token", "create", "--email", "a@acme.fr", "--as", "nobody@acme.fr")[0] == 1
