"""In a real browser: a manager imports a CSV whose columns carry French names, maps them, and finds the
debtors in the portfolio."""

from __future__ import annotations

import pytest
from django_scopes import scope

from recouvre.backoffice.tests.browser.conftest import log_in
from recouvre.ledger.models import Invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# A French accounting export: none of the canonical column names, amounts and dates the French way.
EXPORT = (
    "N° facture;Code client;Client;Date facture;Date d'échéance;Montant TTC\n"
    "FA-1001;411LUMIERE;Lumière & Co;01/09/2026;01/10/2026;2 400,00\n"
    "FA-1002;411LUMIERE;Lumière & Co;15/10/2026;14/11/2026;600,50\n"
    "FA-1003;411ORME;Orme Bâtiment SAS;01/11/2026;31/12/2026;1 000,00\n"
)


def test_import_a_csv_with_french_column_names(page, organisation, manager, tmp_path):
    export = tmp_path / "export-compta.csv"
    export.write_text(EXPORT, encoding="utf-8")
    log_in(page, manager.email)
    page.get_by_role("link", name="Imports").click()
    page.get_by_label("Fichier CSV des factures").set_input_files(str(export))
    page.get_by_role("button", name="Envoyer et vérifier").click()
    page.wait_for_load_state("networkidle")
    # The columns are recognised by their French names; the first lines are read as the import will.
    assert page.get_by_role("heading", level=1).inner_text().startswith("Vérifier l'import")
    assert "Lumière & Co" in page.locator("[aria-labelledby=preview-title]").inner_text()
    page.get_by_role("button", name="Importer", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "Le fichier a été importé." in page.get_by_role("status").first.inner_text()
    with scope(organisation=organisation):
        numbers = sorted(Invoice.objects.values_list("number", flat=True))
        assert numbers == ["FA-1001", "FA-1002", "FA-1003"]
        assert str(Invoice.objects.get(number="FA-1002").amount) == "600.50"
