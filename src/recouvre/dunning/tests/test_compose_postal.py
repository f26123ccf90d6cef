"""An e-mail step sent by post, for a debtor without an e-mail address, prints the paper text."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.tests.support import actions, line, load, run_day

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_a_reminder_without_an_email_address_is_a_letter_written_for_paper(
    organisation, import_csv, settings, tmp_path: Path
):
    settings.DATA_DIR = tmp_path
    load(import_csv, organisation, line("F-1", "C1", date(2026, 11, 20), "1200.00"))  # no e-mail address
    _plan, sent = run_day(organisation, date(2026, 11, 23))
    assert sent.letters == 1
    [letter] = actions(organisation, channel="letter")
    assert (letter.step, letter.status) == ("reminder_1", ActionStatus.DISPATCHED)
    assert letter.body.startswith("Madame, Monsieur,")
    assert "tableau ci-dessous" in letter.body
    assert "ne pas tenir compte de ce courrier" in letter.body
    assert not re.search(r"e-?mail|ce message", letter.body, re.I)
    assert "1\u00a0200,00" in letter.body  # the total, French format
    assert (tmp_path / letter.document).read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (
            ("Madame, Monsieur,", "Les factures figurant dans le tableau ci-dessous restent dues.", "Merci."),
            2,
        ),
        (("Madame, Monsieur,", "Nous restons dans l'attente :", "Merci."), 2),
        (
            (
                "Madame, Monsieur,",
                "Votre compte présente un retard.",
                "Veuillez agréer, Madame, Monsieur, ...",
            ),
            2,
        ),
        (("Dear Sir or Madam,", "Your account is overdue.", "Yours faithfully,"), 2),
        (("Texte libre.", "Sans formule."), None),
    ],
)
def test_the_invoice_table_of_a_letter_goes_where_the_text_announces_it(paragraphs, expected) -> None:
    from recouvre.dunning.domain.compose import details_position

    assert details_position(paragraphs) == expected


def test_the_organisations_sender_address_and_phone_from_its_settings(
    organisation, import_csv, settings, tmp_path: Path
):
    """The settings page's sender address goes on emails, its phone on the letterhead."""
    from django.core import mail

    settings.DATA_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    organisation.settings = {"sender_email": "relances@acme.example", "phone": "+33 4 72 00 00 00"}
    organisation.email = "compta@acme.example"
    organisation.save()
    load(
        import_csv,
        organisation,
        line("F-1", "C1", date(2026, 11, 20), "1200.00", email="dette@client.example"),
        line("F-2", "C2", date(2026, 11, 20), "300.00"),
    )
    run_day(organisation, date(2026, 11, 23))
    [email] = actions(organisation, channel="email")
    assert email.status == ActionStatus.DISPATCHED
    [sent] = mail.outbox
    assert "relances@acme.example" in sent.from_email
    assert sent.reply_to == ["compta@acme.example"]
    [letter] = actions(organisation, channel="letter")
    assert letter.letter["creditor"]["phone"] == "+33 4 72 00 00 00"
