from __future__ import annotations

from typing import Any

from recouvre.audit.domain.context import current_channel
from recouvre.audit.models import AuditEntry


def audit_record(
    *,
    organisation: Any,
    actor: Any,
    action: str,
    object_type: str,
    channel: str | None = None,
    object_id: object = "",
    debtor_id: int | None = None,
    changes: dict[str, Any] | None = None,
    path: str = "",
    ip: str | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        action=action,
        channel=channel or current_channel(),
        object_type=object_type,
        object_id=str(object_id),
        debtor_id=debtor_id,
        changes=changes or {},
        path=path[:300],
        ip=ip,
    )
