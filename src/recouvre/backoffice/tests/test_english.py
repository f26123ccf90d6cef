"""The interface speaks French by default and English on request: the English catalogue is complete
(no entry left empty or fuzzy, which Django would show in French) and the main pages speak English."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

import recouvre

CATALOGUE = Path(recouvre.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries(flag: str) -> list[str]:
    result = subprocess.run(
        ["msgattrib", flag, "--no-wrap", str(CATALOGUE)], capture_output=True, text=True, check=True
    )
    return [line for line in result.stdout.splitlines() if line.startswith("msgid ") and line != 'msgid ""']


@pytest.mark.skipif(
    shutil.which("msgattrib") is None, reason="gettext's msgattrib is missing (make installs gettext)"
)
@pytest.mark.parametrize("flag", ["--untranslated", "--only-fuzzy"])
def test_every_entry_of_the_english_catalogue_is_translated(flag):
    assert _entries(flag) == []


@pytest.mark.integration
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "english", "french"),
    [
        ("home", "Today", "Aujourd"),
        ("debtor-list", "Portfolio", "Portefeuille"),
        ("worklist", "Calls", "Appels"),
        ("import-list", "Invoice imports", "Imports de factures"),
        ("settings", "Settings", "Paramètres"),
    ],
)
def test_the_main_pages_speak_english_when_asked(signed_in, books, name, english, french):
    signed_in.post(reverse("backoffice:set_language"), {"language": "en", "next": "/"})
    page = signed_in.get(reverse(f"backoffice:{name}")).content.decode()
    assert english in page
    assert french not in page.replace("Français", "")
