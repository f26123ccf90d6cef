"""`recouvre portal link` prints a debtor's working portal link; `portal revoke` stops every link sent."""

import json

import pytest
from django.test import Client

from recouvre.cli.main import main

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;amount\n"
    "B-1;411B;Bravo SA;B2B;2026-10-01;2026-10-31;1000,00\n"
)


def test_a_link_opens_the_portal_until_revoked(capsys, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.BASE_URL = "http://testserver"
    assert main(["org", "create", "--name", "Acme Industrie"]) == 0
    path = tmp_path / "factures.csv"
    path.write_text(CSV, encoding="utf-8")
    assert main(["import", "invoices", str(path), "--date", "2026-11-20"]) == 0
    capsys.readouterr()
    assert main(["portal", "link", "--debtor", "411B", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["valid_days"] == 90
    path_only = document["url"].removeprefix("http://testserver")
    assert Client().get(path_only).status_code == 200
    assert main(["portal", "revoke", "--debtor", "411B"]) == 0
    assert Client().get(path_only).status_code == 403
    assert main(["portal", "link", "--debtor", "NOPE"]) == 1
