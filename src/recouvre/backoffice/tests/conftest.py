from datetime import date

import pytest

from recouvre.testing.fixtures import TODAY

# Two debtors in the main organisation, one of them with paid, disputed, future and late invoices;
# amounts chosen so that the French form has a thousands separator.
ACME_CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_siren;debtor_email;debtor_phone;debtor_address;"
    "debtor_postcode;debtor_city;debtor_segment;issue_date;due_date;amount;open_amount;paid_date;disputed\n"
    "F-2026-001;411DUPONT;Dupont Industrie;732829320;compta@dupont.example;0612345678;12 rue des Lilas;"
    "69003;Lyon;PME;2026-08-01;2026-09-30;1234.56;;;\n"
    "F-2026-002;411DUPONT;;;;;;;;;2026-11-01;2026-12-31;500.00;;;\n"
    "F-2026-003;411DUPONT;;;;;;;;;2026-06-01;2026-07-01;300.00;0;2026-07-15;\n"
    "F-2026-004;411DUPONT;;;;;;;;;2026-09-01;2026-10-01;80.00;;;oui\n"
    "F-2026-010;411MARTIN;Martin & Fils;;;;;;;;2026-10-01;2026-10-31;99.90;;;\n"
)
OTHER_CSV = (
    "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\n"
    "S-777;411SECRET;Secret Bêta SARL;2026-01-01;2026-02-01;4321.00\n"
)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Pages read the books as of today in Paris; tests pin that day to the fixtures' TODAY."""
    import importlib
    import pkgutil

    import recouvre.backoffice.views as views

    # Every view module that reads "today" (they import `paris_today` by name).
    for info in pkgutil.iter_modules(views.__path__):
        module = importlib.import_module(f"{views.__name__}.{info.name}")
        if hasattr(module, "paris_today"):
            monkeypatch.setattr(module, "paris_today", lambda: TODAY)
    return TODAY


@pytest.fixture
def books(organisation, other_organisation, import_csv):
    assert import_csv(organisation, ACME_CSV).ok
    assert import_csv(other_organisation, OTHER_CSV).ok
    return organisation


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return client
