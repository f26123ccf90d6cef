"""Which transport a message of a channel leaves through, from the organisation's settings.

Organisation settings read here (cli.md):
- `email_url`: `smtp://user:password@host:port` or `smtps://…`; takes precedence over the
  project's transport (RECOUVRE_EMAIL_URL, or the `.eml` outbox when that is empty);
- `sms`: `{"provider": "brevo", "api_key": "...", "sender": "Acme", "base_url": optional,
  "timeout": optional seconds, "read_timeout": optional seconds}`; absent, empty or without a
  provider means no SMS provider: `transport_for` returns None and the caller cancels the action
  ("no SMS provider").

A malformed setting raises ValueError naming the key (`email_url`, `sms.sender`, …); messages never
repeat a password or an API key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from recouvre.messaging.transports.base import Transport, TransportConfig
from recouvre.messaging.transports.email.transport import EmailTransport, smtp_options
from recouvre.messaging.transports.sms import brevo
from recouvre.messaging.transports.sms.transport import BrevoSmsTransport

SMS_PROVIDERS = ("brevo",)


def transport_config(channel: str, organisation_settings: Mapping[str, Any]) -> TransportConfig | None:
    """The resolved and checked configuration, without connecting anywhere (also usable to
    validate settings as they are saved)."""
    if channel == "email":
        url = organisation_settings.get("email_url") or ""
        if not url:
            return TransportConfig(kind="project")
        if not isinstance(url, str):
            raise ValueError("email_url must be a string")
        try:
            smtp_options(url)
        except ValueError as exc:
            raise ValueError(f"email_url {exc}") from None
        return TransportConfig(kind="smtp", options={"url": url})
    if channel == "sms":
        return _sms_config(organisation_settings.get("sms"))
    raise ValueError(f"channel: no transport for {channel!r} (email, sms)")


def transport_for(channel: str, organisation_settings: Mapping[str, Any]) -> Transport | None:
    """The transport for `channel` ("email" or "sms"), or None when the organisation has no SMS
    provider. Nothing is opened until the first send; the caller calls `close()` when done."""
    config = transport_config(channel, organisation_settings)
    if config is None:
        return None
    if config.kind == "project":
        return EmailTransport.from_settings()
    if config.kind == "smtp":
        return EmailTransport.from_url(config.options["url"])
    options = config.options
    return BrevoSmsTransport(
        api_key=options["api_key"],
        sender=options["sender"],
        base_url=options["base_url"],
        timeout=float(options["timeout"]),
        read_timeout=float(options["read_timeout"]),
    )


def _sms_config(sms: Any) -> TransportConfig | None:
    if not sms:
        return None
    if not isinstance(sms, Mapping):
        raise ValueError("sms must be a mapping with a provider")
    provider = sms.get("provider")
    if not provider:
        return None
    if provider not in SMS_PROVIDERS:
        raise ValueError(
            f"sms.provider: unknown SMS provider {provider!r} (known: {', '.join(SMS_PROVIDERS)})"
        )
    api_key = sms.get("api_key")
    if not api_key or not isinstance(api_key, str):
        raise ValueError("sms.api_key is missing")
    sender = sms.get("sender")
    if not isinstance(sender, str) or not brevo.SENDER.fullmatch(sender):
        raise ValueError(
            f"sms.sender must be up to 11 letters and digits, or up to 15 digits (got {sender!r})"
        )
    base_url = sms.get("base_url") or brevo.DEFAULT_BASE_URL
    if not isinstance(base_url, str) or not base_url.startswith(("https://", "http://")):
        raise ValueError(f"sms.base_url must be an http(s) URL (got {base_url!r})")
    options = {"provider": provider, "api_key": api_key, "sender": sender, "base_url": base_url}
    for key, default in (("timeout", 10.0), ("read_timeout", 30.0)):
        value = sms.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"sms.{key} must be a positive number of seconds (got {value!r})")
        options[key] = str(value)
    return TransportConfig(kind=provider, options=options)
