"""Which payment provider an organisation's debtors pay through online, if any.

Read from the organisation's settings, `payments`: `{"provider": "mollie", "api_key": "...",
"base_url": optional, "timeout": optional seconds, "read_timeout": optional seconds}`; without an
`api_key` there, the project's `RECOUVRE_MOLLIE_API_KEY` (and `RECOUVRE_MOLLIE_BASE_URL`) from the
environment. No key anywhere, or `"provider": ""`: no provider, online payment is off and the portal
offers only the transfer. A malformed setting raises ValueError naming the key; messages never repeat
an API key. Pure: the caller passes the settings and the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from recouvre.selfservice.providers import mollie
from recouvre.selfservice.providers.base import PaymentProvider

PROVIDERS = ("mollie",)
ENV_KEY = "RECOUVRE_MOLLIE_API_KEY"
ENV_BASE_URL = "RECOUVRE_MOLLIE_BASE_URL"


@dataclass(frozen=True)
class ProviderConfig:
    provider: str
    api_key: str
    base_url: str
    timeout: float = 5.0
    read_timeout: float = 20.0


def provider_config(
    organisation_settings: Mapping[str, Any], environ: Mapping[str, str]
) -> ProviderConfig | None:
    payments = organisation_settings.get("payments") or {}
    if not isinstance(payments, Mapping):
        raise ValueError("payments must be a mapping with a provider")
    provider = payments.get("provider", "mollie")
    if not provider:
        return None  # switched off for this organisation, whatever the project provides
    if provider not in PROVIDERS:
        raise ValueError(
            f"payments.provider: unknown payment provider {provider!r} (known: {', '.join(PROVIDERS)})"
        )
    api_key = payments.get("api_key")
    if api_key is not None and not isinstance(api_key, str):
        raise ValueError("payments.api_key must be a string")
    if api_key:
        base_url = payments.get("base_url") or mollie.DEFAULT_BASE_URL
    else:
        api_key = environ.get(ENV_KEY, "").strip()
        base_url = payments.get("base_url") or environ.get(ENV_BASE_URL, "") or mollie.DEFAULT_BASE_URL
    if not api_key:
        return None
    if not isinstance(base_url, str) or not base_url.startswith(("https://", "http://")):
        raise ValueError(f"payments.base_url must be an http(s) URL (got {base_url!r})")
    timeouts: dict[str, float] = {}
    for key, default in (("timeout", 5.0), ("read_timeout", 20.0)):
        value = payments.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"payments.{key} must be a positive number of seconds (got {value!r})")
        timeouts[key] = float(value)
    return ProviderConfig(provider=provider, api_key=api_key, base_url=base_url, **timeouts)


def provider_for(
    organisation_settings: Mapping[str, Any], environ: Mapping[str, str]
) -> PaymentProvider | None:
    """The organisation's provider, or None when online payment is off. Nothing is contacted."""
    config = provider_config(organisation_settings, environ)
    if config is None:
        return None
    return mollie.MollieProvider(
        api_key=config.api_key,
        base_url=config.base_url,
        timeout=config.timeout,
        read_timeout=config.read_timeout,
    )
