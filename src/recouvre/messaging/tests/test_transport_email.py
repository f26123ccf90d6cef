"""The email transport against a real local SMTP server (aiosmtpd) and the `.eml` outbox."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from recouvre.messaging.transports.base import Attachment, Outcome, OutgoingMessage
from recouvre.messaging.transports.email.transport import EmailTransport, PhasedSmtpBackend
from recouvre.messaging.transports.registry import transport_for
from recouvre.testing.smtp import SmtpServer

# The fixture, made available to this module by name (an assignment, unlike an import, is not
# reported as shadowed by the test parameters that use it).

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

MESSAGE = OutgoingMessage(
    action_id=42,
    channel="email",
    recipient="compta@dupont-freres.fr",
    subject="Relance : facture F-2026-001 échue",
    body_text="Bonjour,\n\nLa facture F-2026-001 (1 200,00 €) est échue.\n.Ligne commençant par un point\n",
    body_html="<p>Bonjour,</p><p>La facture <b>F-2026-001</b> est échue.</p>",
    sender_name="Société Acme Industrie",
    sender_email="relances@acme.example",
    reply_to="comptabilite@acme.example",
    message_id="<action-42.recouvre@acme.example>",
    attachments=(Attachment("F-2026-001.pdf", "application/pdf", PDF),),
    headers=(("X-Recouvre-Action", "42"),),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def transport(smtp_server: SmtpServer) -> Iterator[EmailTransport]:
    transport = EmailTransport.from_url(smtp_server.url, timeout=2)
    yield transport
    transport.close()


def test_the_server_receives_the_message_exactly(smtp_server: SmtpServer, transport: EmailTransport) -> None:
    result = transport.send(MESSAGE)

    assert result.outcome is Outcome.DELIVERED
    assert result.detail.startswith("250 ")
    [received] = smtp_server.messages
    assert received.mail_from == "relances@acme.example"
    assert received.rcpt_tos == ("compta@dupont-freres.fr",)
    mail = received.message
    assert mail["Subject"] == "Relance : facture F-2026-001 échue"
    assert mail["From"] == "Société Acme Industrie <relances@acme.example>"
    assert mail["To"] == "compta@dupont-freres.fr"
    assert mail["Reply-To"] == "comptabilite@acme.example"
    assert mail["Message-ID"] == "<action-42.recouvre@acme.example>"
    assert mail["X-Recouvre-Action"] == "42"
    assert mail.get_body(("plain",)).get_content() == MESSAGE.body_text
    assert mail.get_body(("html",)).get_content().strip() == MESSAGE.body_html
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "F-2026-001.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_a_resend_of_the_same_action_carries_the_same_message_id(
    smtp_server: SmtpServer,
    transport: EmailTransport,
) -> None:
    assert transport.send(MESSAGE).delivered
    assert transport.send(MESSAGE).delivered

    assert [m.message["Message-ID"] for m in smtp_server.messages] == [
        "<action-42.recouvre@acme.example>"
    ] * 2


def test_without_a_message_id_one_is_derived_from_the_action(
    smtp_server: SmtpServer,
    transport: EmailTransport,
) -> None:
    message = dataclasses.replace(MESSAGE, message_id="")
    transport.send(message)
    transport.send(message)

    assert [m.message["Message-ID"] for m in smtp_server.messages] == [
        "<action-42.recouvre@acme.example>"
    ] * 2


def test_one_connection_carries_several_messages(smtp_server: SmtpServer, transport: EmailTransport) -> None:
    transport.send(MESSAGE)
    assert isinstance(transport.backend, PhasedSmtpBackend)
    connection = transport.backend.connection

    transport.send(dataclasses.replace(MESSAGE, recipient="autre@dupont-freres.fr"))

    assert connection is not None
    assert transport.backend.connection is connection
    assert len(smtp_server.messages) == 2


def test_a_refused_recipient_is_permanent_with_the_servers_words(
    smtp_server: SmtpServer,
    transport: EmailTransport,
) -> None:
    smtp_server.refuse("compta@dupont-freres.fr")

    result = transport.send(MESSAGE)

    assert result.outcome is Outcome.PERMANENT
    assert result.bad_recipient
    assert result.detail == "550 5.1.1 <compta@dupont-freres.fr>: Recipient address rejected: User unknown"
    assert smtp_server.messages == []


def test_after_a_refusal_the_connection_still_carries_the_next_message(
    smtp_server: SmtpServer,
    transport: EmailTransport,
) -> None:
    smtp_server.refuse("compta@dupont-freres.fr")
    transport.send(MESSAGE)

    result = transport.send(dataclasses.replace(MESSAGE, recipient="autre@dupont-freres.fr"))

    assert result.delivered
    assert [m.rcpt_tos for m in smtp_server.messages] == [("autre@dupont-freres.fr",)]


def test_a_deferred_recipient_is_transient(smtp_server: SmtpServer, transport: EmailTransport) -> None:
    smtp_server.defer("compta@dupont-freres.fr")

    result = transport.send(MESSAGE)

    assert result.outcome is Outcome.TRANSIENT
    assert not result.bad_recipient
    assert result.detail.startswith("451 4.3.0")


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        ("554 5.7.1 Message rejected as spam", Outcome.PERMANENT),
        ("452 4.3.1 Insufficient storage", Outcome.TRANSIENT),
    ],
)
def test_the_answer_to_the_content_decides(
    smtp_server: SmtpServer,
    transport: EmailTransport,
    reply: str,
    outcome: Outcome,
) -> None:
    smtp_server.answer_data_with(reply)

    result = transport.send(MESSAGE)

    assert result.outcome is outcome
    assert not result.bad_recipient
    assert result.detail == f"message refused: {reply}"


def test_a_connection_lost_after_the_content_is_unknown(
    smtp_server: SmtpServer,
    transport: EmailTransport,
) -> None:
    smtp_server.drop_after_data()

    result = transport.send(MESSAGE)

    assert result.outcome is Outcome.UNKNOWN
    assert len(smtp_server.messages) == 1  # it did leave: retrying would send it twice


def test_after_an_unknown_outcome_the_next_send_opens_a_new_connection(
    smtp_server: SmtpServer,
    transport: EmailTransport,
) -> None:
    smtp_server.drop_after_data()
    transport.send(MESSAGE)
    smtp_server.reset()

    assert transport.send(MESSAGE).delivered
    assert len(smtp_server.messages) == 1


def test_a_kept_connection_the_server_closed_meanwhile_is_reopened_once() -> None:
    with SmtpServer(idle_timeout=0.2) as server:
        transport = EmailTransport.from_url(server.url, timeout=2)
        assert transport.send(MESSAGE).delivered
        time.sleep(0.4)  # the server closes the idle connection the transport keeps

        result = transport.send(MESSAGE)
        transport.close()

    assert result.delivered
    assert len(server.messages) == 2


def test_nothing_listening_is_transient() -> None:
    transport = EmailTransport.from_url(f"smtp://127.0.0.1:{free_port()}", timeout=1)

    result = transport.send(MESSAGE)

    assert result.outcome is Outcome.TRANSIENT
    assert "cannot connect to 127.0.0.1" in result.detail


def test_smtps_to_a_server_without_tls_is_transient(smtp_server: SmtpServer) -> None:
    transport = EmailTransport.from_url(f"smtps://127.0.0.1:{smtp_server.port}", timeout=1)

    result = transport.send(MESSAGE)

    assert result.outcome is Outcome.TRANSIENT
    assert smtp_server.messages == []


def test_refused_credentials_are_permanent_and_never_shown() -> None:
    with SmtpServer(credentials=("relances", "s3cret")) as server:
        transport = EmailTransport.from_url(f"smtp://relances:wrong-pass@127.0.0.1:{server.port}", timeout=2)

        result = transport.send(MESSAGE)

    assert result.outcome is Outcome.PERMANENT
    assert not result.bad_recipient
    assert "refused the credentials: 535 5.7.8" in result.detail
    assert "wrong-pass" not in result.detail
    assert server.messages == []


@pytest.mark.parametrize(
    "address", ["jean.dupont", "jean@", "Jean <jean@dupont.fr>", "jean@dupont.fr\nBcc: x@y.fr", ""]
)
def test_an_invalid_address_is_permanent_without_connecting(address: str) -> None:
    # Nothing listens on that port: any attempt to connect would come back TRANSIENT.
    transport = EmailTransport.from_url(f"smtp://127.0.0.1:{free_port()}", timeout=1)

    result = transport.send(dataclasses.replace(MESSAGE, recipient=address))

    assert result.outcome is Outcome.PERMANENT
    assert result.bad_recipient
    assert isinstance(transport.backend, PhasedSmtpBackend)
    assert transport.backend.connection is None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"subject": "Relance\nBcc: tous@example.com"}, "Header values can't contain newlines"),
        ({"sender_email": "relances"}, "invalid sender address 'relances'"),
        ({"reply_to": "compta@"}, "invalid Reply-To address 'compta@'"),
    ],
)
def test_a_message_that_cannot_be_built_is_permanent_without_connecting(
    change: dict[str, str], words: str
) -> None:
    transport = EmailTransport.from_url(f"smtp://127.0.0.1:{free_port()}", timeout=1)

    result = transport.send(dataclasses.replace(MESSAGE, **change))

    assert result.outcome is Outcome.PERMANENT
    assert not result.bad_recipient
    assert words in result.detail


def test_the_default_outbox_writes_an_eml_file_and_counts_as_delivered(settings, tmp_path: Path) -> None:
    settings.EMAIL_BACKEND = "recouvre.common.eml_backend.EmlFileBackend"
    settings.EMAIL_OUTBOX_DIR = tmp_path / "outbox"
    transport = transport_for("email", {})
    assert transport is not None

    result = transport.send(MESSAGE)
    transport.close()

    assert result.outcome is Outcome.DELIVERED
    [written] = list((tmp_path / "outbox").glob("*.eml"))
    mail = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert mail["Message-ID"] == "<action-42.recouvre@acme.example>"
    assert mail["Subject"] == MESSAGE.subject


def test_the_organisations_email_url_takes_precedence(
    settings,
    tmp_path: Path,
    smtp_server: SmtpServer,
) -> None:
    settings.EMAIL_BACKEND = "recouvre.common.eml_backend.EmlFileBackend"
    settings.EMAIL_OUTBOX_DIR = tmp_path / "outbox"
    transport = transport_for("email", {"email_url": smtp_server.url})
    assert transport is not None

    assert transport.send(MESSAGE).delivered
    transport.close()

    assert len(smtp_server.messages) == 1
    assert not (tmp_path / "outbox").exists()


def test_the_projects_smtp_settings_go_through_the_phased_backend(settings, smtp_server: SmtpServer) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp_server.port, 2
    smtp_server.refuse("compta@dupont-freres.fr")
    transport = EmailTransport.from_settings()

    result = transport.send(MESSAGE)
    transport.close()

    assert isinstance(transport.backend, PhasedSmtpBackend)
    assert result.outcome is Outcome.PERMANENT
    assert result.bad_recipient


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://relances:s3cret@mail.example.com", "email_url must start with smtp:// or smtps://"),
        ("smtp://relances:s3cret@:25", "email_url has no host"),
        ("smtp://relances:s3cret@mail.example.com:port", "email_url has an invalid port"),
    ],
)
def test_a_malformed_email_url_is_named_without_its_password(url: str, words: str) -> None:
    with pytest.raises(ValueError, match=words) as raised:
        transport_for("email", {"email_url": url})

    assert "s3cret" not in str(raised.value)
