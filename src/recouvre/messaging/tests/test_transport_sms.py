"""The Brevo SMS transport against a local server playing Brevo's API, and the transport registry."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from recouvre.messaging.transports.base import Outcome, OutgoingMessage
from recouvre.messaging.transports.registry import transport_for
from recouvre.messaging.transports.sms.transport import BrevoSmsTransport
from recouvre.testing.fake_brevo import FakeBrevo

# The fixture, made available to this module by name (see test_transport_email.py).

MESSAGE = OutgoingMessage(
    action_id=42,
    channel="sms",
    recipient="+33612345678",
    body_text="Acme : votre facture F-2026-001 de 1200,00 EUR est echue. Merci de la regler.",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def transport_to(server: FakeBrevo, *, api_key: str | None = None) -> BrevoSmsTransport:
    return BrevoSmsTransport(
        api_key=server.api_key if api_key is None else api_key,
        sender="Acme",
        base_url=server.base_url,
        timeout=1,
        read_timeout=0.3,
    )


def test_the_request_is_what_brevo_expects(fake_brevo: FakeBrevo) -> None:
    result = transport_to(fake_brevo).send(MESSAGE)

    assert result.outcome is Outcome.DELIVERED
    [request] = fake_brevo.requests
    assert request.method == "POST"
    assert request.path == "/v3/transactionalSMS/send"
    assert request.headers["api-key"] == fake_brevo.api_key
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert request.json == {
        "sender": "Acme",
        "recipient": "33612345678",
        "content": MESSAGE.body_text,
        "type": "transactional",
        "unicodeEnabled": False,
        "tag": "recouvre-action-42",
    }


def test_delivered_carries_brevos_message_id(fake_brevo: FakeBrevo) -> None:
    transport = transport_to(fake_brevo)

    first, second = transport.send(MESSAGE), transport.send(MESSAGE)

    assert first.provider_ref == "1511882900176221"
    assert second.provider_ref == "1511882900176222"


@pytest.mark.parametrize(
    ("text", "unicode"),
    [
        ("Facture échue, à régler. Où ? Là !", False),  # é è à ù are in the GSM alphabet
        ("Votre créance reste à régler : merci de prendre contact avec Françoise.", True),  # ç is not
        ("Relance n° 2 : 40 € d'indemnité forfaitaire", True),
        ("Total : 120 €", False),  # € is in the GSM extension table
    ],
)
def test_text_outside_the_gsm_alphabet_is_sent_as_unicode(
    fake_brevo: FakeBrevo, text: str, unicode: bool
) -> None:
    transport_to(fake_brevo).send(dataclasses.replace(MESSAGE, body_text=text))

    [request] = fake_brevo.requests
    assert request.json["unicodeEnabled"] is unicode
    assert request.json["content"] == text


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (500, "internal_error", Outcome.TRANSIENT),
        (502, "bad_gateway", Outcome.TRANSIENT),
        (503, "service_unavailable", Outcome.TRANSIENT),
        (429, "too_many_requests", Outcome.TRANSIENT),
        (504, "gateway_timeout", Outcome.UNKNOWN),
        (402, "not_enough_credits", Outcome.PERMANENT),
        (404, "not_found", Outcome.PERMANENT),
    ],
)
def test_brevos_status_decides(fake_brevo: FakeBrevo, status: int, code: str, outcome: Outcome) -> None:
    fake_brevo.respond(status, code, "from the test")

    result = transport_to(fake_brevo).send(MESSAGE)

    assert result.outcome is outcome
    assert not result.bad_recipient
    assert f"{status} {code}: from the test" in result.detail


def test_a_number_brevo_refuses_is_a_bad_recipient(fake_brevo: FakeBrevo) -> None:
    fake_brevo.refuse_number("+33612345678")

    result = transport_to(fake_brevo).send(MESSAGE)

    assert result.outcome is Outcome.PERMANENT
    assert result.bad_recipient
    assert result.detail == "Brevo answered 400 invalid_parameter: Invalid recipient phone number"


def test_another_400_is_permanent_but_not_the_recipients_fault(fake_brevo: FakeBrevo) -> None:
    fake_brevo.respond(400, "invalid_parameter", "Invalid sender name")

    result = transport_to(fake_brevo).send(MESSAGE)

    assert result.outcome is Outcome.PERMANENT
    assert not result.bad_recipient


def test_a_refused_key_is_permanent_and_says_so(fake_brevo: FakeBrevo) -> None:
    result = transport_to(fake_brevo, api_key="xkeysib-revoked").send(MESSAGE)

    assert result.outcome is Outcome.PERMANENT
    assert not result.bad_recipient
    assert result.detail.startswith("Brevo refused the credentials (API key)")
    assert "401 unauthorized: Key not found" in result.detail
    assert "xkeysib-revoked" not in result.detail


def test_no_answer_after_the_request_was_sent_is_unknown(fake_brevo: FakeBrevo) -> None:
    fake_brevo.hang()

    result = transport_to(fake_brevo).send(MESSAGE)

    assert result.outcome is Outcome.UNKNOWN
    assert "timed out" in result.detail
    assert len(fake_brevo.requests) == 1  # Brevo had it: retrying could send it twice


def test_a_connection_closed_without_an_answer_is_unknown(fake_brevo: FakeBrevo) -> None:
    fake_brevo.close_without_answer()

    result = transport_to(fake_brevo).send(MESSAGE)

    assert result.outcome is Outcome.UNKNOWN
    assert len(fake_brevo.requests) == 1


def test_nothing_listening_is_transient() -> None:
    transport = BrevoSmsTransport(
        api_key="xkeysib-test", sender="Acme", base_url=f"http://127.0.0.1:{free_port()}", timeout=1
    )

    result = transport.send(MESSAGE)

    assert result.outcome is Outcome.TRANSIENT
    assert "cannot reach 127.0.0.1" in result.detail


@pytest.mark.parametrize(
    "number", ["0612345678", "33612345678", "+33 6 12 34 56 78", "+0612345678", "+331", ""]
)
def test_a_number_not_in_e164_is_permanent_without_calling_brevo(fake_brevo: FakeBrevo, number: str) -> None:
    result = transport_to(fake_brevo).send(dataclasses.replace(MESSAGE, recipient=number))

    assert result.outcome is Outcome.PERMANENT
    assert result.bad_recipient
    assert fake_brevo.requests == []


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"api_key": "", "sender": "Acme"}, "api_key"),
        ({"api_key": "k", "sender": "AcmeIndustrie"}, "sender"),  # 13 characters
        ({"api_key": "k", "sender": "Acme SA"}, "sender"),
    ],
)
def test_the_transport_refuses_a_bad_configuration(options: dict[str, str], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        BrevoSmsTransport(**options)


# -- the registry ---------------------------------------------------------------------------------


@pytest.mark.parametrize("organisation_settings", [{}, {"sms": None}, {"sms": {}}, {"sms": {"provider": ""}}])
def test_without_a_provider_there_is_no_sms_transport(organisation_settings: dict[str, object]) -> None:
    assert transport_for("sms", organisation_settings) is None


def test_the_registry_builds_the_brevo_transport(fake_brevo: FakeBrevo) -> None:
    sms = {
        "provider": "brevo",
        "api_key": fake_brevo.api_key,
        "sender": "Acme",
        "base_url": fake_brevo.base_url,
    }

    transport = transport_for("sms", {"sms": sms})

    assert isinstance(transport, BrevoSmsTransport)
    assert transport.send(MESSAGE).delivered
    assert fake_brevo.requests[0].json["sender"] == "Acme"


@pytest.mark.parametrize(
    ("sms", "words"),
    [
        (
            {"provider": "twilio", "api_key": "k", "sender": "Acme"},
            "sms.provider: unknown SMS provider 'twilio'",
        ),
        ({"provider": "brevo", "sender": "Acme"}, "sms.api_key is missing"),
        ({"provider": "brevo", "api_key": "xkeysib-secret", "sender": "Acme & Fils"}, "sms.sender"),
        (
            {"provider": "brevo", "api_key": "xkeysib-secret", "sender": "Acme", "base_url": "ftp://x"},
            "sms.base_url",
        ),
        (
            {"provider": "brevo", "api_key": "xkeysib-secret", "sender": "Acme", "timeout": "10"},
            "sms.timeout",
        ),
        ("brevo", "sms must be a mapping"),
    ],
)
def test_a_malformed_sms_setting_is_named_without_the_key(sms: object, words: str) -> None:
    with pytest.raises(ValueError, match=words) as raised:
        transport_for("sms", {"sms": sms})

    assert "xkeysib-secret" not in str(raised.value)


def test_an_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="channel: no transport for 'letter'"):
        transport_for("letter", {})
