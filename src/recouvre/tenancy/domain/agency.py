"""The creditor an agency organisation collects for (CPCE R124-4 2°): its name and address, kept in
`Organisation.settings["agency"]`. One creditor per organisation for now: an agency working for
several creditors holds one organisation per creditor, and its people are members of each.

Pure: no Django."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AgencyClient:
    name: str
    address_lines: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return bool(self.name.strip()) and bool(self.address_lines)


def agency_client_read(data: Mapping[str, Any] | None) -> AgencyClient:
    group = (data or {}).get("agency")
    group = group if isinstance(group, Mapping) else {}
    address = str(group.get("client_address") or "")
    lines = tuple(line.strip() for line in address.splitlines() if line.strip())
    return AgencyClient(name=str(group.get("client_name") or "").strip(), address_lines=lines)


def agency_client_write(data: Mapping[str, Any] | None, client: AgencyClient) -> dict[str, Any]:
    """The settings with the client replaced; every other key left as it was."""
    written = dict(data or {})
    written["agency"] = {
        "client_name": client.name.strip(),
        "client_address": "\n".join(client.address_lines),
    }
    return written
