"""Working a dispute until it closes (issue 6): who is in charge, the notes the creditor's people
leave one another, the documents either side brings, and telling the debtor how it ended.

Opening and closing stay in services.py (the CLI, the API, the back office and the imports call
them). Each change here is recorded on the debtor's timeline and in the audit trail, in the same
transaction as the change. Role checks belong to the interfaces that call these."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recouvre.audit.domain.services import audit_record
from recouvre.disputes.domain.notice import OutcomeFacts, outcome_notice
from recouvre.disputes.domain.services import DisputeError
from recouvre.disputes.domain.sniffing import MAX_BYTES, file_kind
from recouvre.disputes.enums import DisputeSource, DisputeStatus
from recouvre.disputes.models import Dispute, DisputeAttachment, DisputeNote
from recouvre.tenancy.domain.services import role_allows, role_of
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

NOTE_MAX = 5000
# The same note by the same person this recently is a second click, not a second note.
DOUBLE_CLICK = timedelta(minutes=10)
NAME_MAX = 255
# The ways a debtor can have been told an outcome (dunning.md's channels, and the debtor's portal).
TOLD_CHANNELS = ("email", "letter", "registered_letter", "sms", "call", "portal")
OWNER_MINIMUM_ROLE = "agent"


class AttachmentRefused(DisputeError):
    """The file is not kept; the message says why, in words for the person who sent it."""


class Uploaded(Protocol):
    name: str | None

    def read(self, size: int = -1, /) -> bytes: ...


def _record(dispute: Dispute, *, kind: str, actor: Any, summary: str, data: dict[str, Any]) -> None:
    event_record(
        organisation=dispute.organisation,
        debtor_id=dispute.debtor_id,
        invoice_id=dispute.invoice_id,
        kind=kind,
        actor=actor,
        summary=summary,
        data={"dispute_id": dispute.pk, **data},
    )


def _audit(
    dispute: Dispute, *, actor: Any, action: str, object_type: str, object_id: Any, changes: Any
) -> None:
    audit_record(
        organisation=dispute.organisation,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        debtor_id=dispute.debtor_id,
        changes=changes,
    )


def dispute_assign(*, dispute: Dispute, owner: Any | None, actor: Any) -> bool:
    """Puts `owner` (None: nobody) in charge of an open dispute. Returns whether anything changed: a
    second click assigns nobody twice."""
    if owner is not None and not role_allows(role_of(owner, dispute.organisation), OWNER_MINIMUM_ROLE):
        raise DisputeError(
            _("%(person)s ne traite pas les litiges de cette organisation.") % {"person": owner}
        )
    owner_id = owner.pk if owner is not None else None
    with transaction.atomic():
        locked = Dispute.objects.select_for_update(of=("self",)).select_related("invoice").get(pk=dispute.pk)
        if locked.status != DisputeStatus.OPEN:
            raise DisputeError(_("Ce litige est clos : il n'est plus attribué."))
        if locked.owner_id == owner_id:
            return False
        before = locked.owner_id
        locked.owner_id = owner_id
        locked.save(update_fields=["owner"])
        dispute.owner_id = owner_id
        name = str(owner) if owner is not None else ""
        number = locked.invoice.number
        _record(
            locked,
            kind=EventKind.DISPUTE_ASSIGNED,
            actor=actor,
            summary=f"Litige sur {number} confié à {name}"
            if name
            else f"Litige sur {number} sans responsable",
            data={"invoice": number, "owner_id": owner_id, "owner": name, "previous_owner_id": before},
        )
        _audit(
            locked,
            actor=actor,
            action="update",
            object_type="dispute",
            object_id=locked.pk,
            changes={"owner_id": [before, owner_id]},
        )
    return True


def dispute_note_add(*, dispute: Dispute, text: str, actor: Any) -> DisputeNote:
    """An internal note on the dispute. Its text stays out of the timeline and the audit trail,
    which other pages show: it is read on the dispute's page only."""
    text = text.strip()
    if not text:
        raise DisputeError(_("La note est vide."))
    if len(text) > NOTE_MAX:
        raise DisputeError(_("Une note tient en %(max)d caractères au plus.") % {"max": NOTE_MAX})
    with transaction.atomic():
        # Locked: two submissions of one form run one after the other and the second finds the first.
        Dispute.objects.select_for_update().filter(pk=dispute.pk).values_list("pk", flat=True).first()
        same = DisputeNote.objects.filter(
            dispute=dispute, author=actor, text=text, created_at__gte=timezone.now() - DOUBLE_CLICK
        ).first()
        if same is not None:
            return same
        note = DisputeNote.objects.create(
            organisation=dispute.organisation, dispute=dispute, author=actor, text=text
        )
        _record(
            dispute,
            kind=EventKind.DISPUTE_NOTE,
            actor=actor,
            summary=f"Note interne sur le litige de {dispute.invoice.number}",
            data={"invoice": dispute.invoice.number, "note_id": note.pk},
        )
        _audit(
            dispute,
            actor=actor,
            action="create",
            object_type="dispute_note",
            object_id=note.pk,
            changes={"dispute_id": dispute.pk, "length": len(text)},
        )
    return note


def attachment_folder(organisation_id: int, dispute_id: int) -> Path:
    return Path(settings.DATA_DIR) / "attachments" / str(organisation_id) / "disputes" / str(dispute_id)


def attachment_path(attachment: DisputeAttachment) -> Path:
    return attachment_folder(attachment.organisation_id, attachment.dispute_id) / attachment.stored_name


def _display_name(name: str | None, extension: str) -> str:
    # Only the last part of what the client sent (a browser may send a whole path), without the
    # characters that would break a download header.
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>')
    return base.strip()[:NAME_MAX] or f"piece-jointe.{extension}"


def dispute_attachment_add(
    *, organisation: Any, dispute: Dispute, uploaded: Uploaded, actor: Any | None, source: str
) -> DisputeAttachment:
    """Keeps a document for the dispute; `actor` None means the debtor sent it. Refused when it is
    over 10 MB or not a PDF, an image, a text or an office document by its content. The same file
    sent twice to one dispute is kept once."""
    if source not in DisputeSource.values:
        raise DisputeError(f"{source!r} is not a dispute source ({', '.join(DisputeSource.values)})")
    if dispute.organisation_id != organisation.pk:
        raise DisputeError("the dispute belongs to another organisation")
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise AttachmentRefused(
            _("Le fichier dépasse %(max)d Mo : envoyez une version plus légère.")
            % {"max": MAX_BYTES // 2**20}
        )
    if not data:
        raise AttachmentRefused(_("Le fichier est vide."))
    kind = file_kind(data, uploaded.name or "")
    if kind is None:
        raise AttachmentRefused(
            _(
                "Ce type de fichier n'est pas accepté : seuls les PDF, images PNG ou JPEG, textes et "
                "documents bureautiques (Word, Excel, PowerPoint, OpenDocument, sans macros) le sont."
            )
        )
    digest = hashlib.sha256(data).hexdigest()
    stored_name = f"{uuid.uuid4().hex}.{kind.extension}"
    folder = attachment_folder(organisation.pk, dispute.pk)
    with transaction.atomic():
        Dispute.objects.select_for_update().filter(pk=dispute.pk).values_list("pk", flat=True).first()
        same = DisputeAttachment.objects.filter(dispute=dispute, sha256=digest).first()
        if same is not None:
            return same
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / stored_name
        path.write_bytes(data)
        # The file first, so that no row ever points to nothing; if recording fails, it goes too.
        try:
            attachment = DisputeAttachment.objects.create(
                organisation=organisation,
                dispute=dispute,
                stored_name=stored_name,
                original_name=_display_name(uploaded.name, kind.extension),
                content_type=kind.content_type,
                size=len(data),
                sha256=digest,
                uploaded_by=actor,
                source=source,
            )
            who = "" if actor is not None else " (envoyée par le débiteur)"
            _record(
                dispute,
                kind=EventKind.DISPUTE_ATTACHMENT,
                actor=actor,
                summary=f"Pièce jointe au litige de {dispute.invoice.number} : "
                f"{attachment.original_name}{who}",
                data={
                    "invoice": dispute.invoice.number,
                    "attachment_id": attachment.pk,
                    "name": attachment.original_name,
                    "size": attachment.size,
                    "sha256": digest,
                    "source": source,
                    "by_debtor": actor is None,
                },
            )
            _audit(
                dispute,
                actor=actor,
                action="create",
                object_type="dispute_attachment",
                object_id=attachment.pk,
                changes={"dispute_id": dispute.pk, "name": attachment.original_name, "sha256": digest},
            )
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return attachment


def dispute_outcome_notice(dispute: Dispute) -> tuple[str, str]:
    """(subject, body) telling the debtor how its dispute ended, in the debtor's language (fr or en).
    The caller sends it (the outbox) and then calls `dispute_debtor_told`."""
    if dispute.status != DisputeStatus.CLOSED:
        raise DisputeError(f"the dispute on invoice {dispute.invoice.number} is not closed")
    invoice = dispute.invoice
    invoice.refresh_from_db(fields=["open_amount"])
    facts = OutcomeFacts(
        language=dispute.debtor.language,
        outcome=dispute.outcome,
        invoice_number=invoice.number,
        invoice_date=invoice.issue_date,
        opened_on=dispute.opened_on,
        creditor=dispute.organisation.name,
        currency=invoice.currency,
        open_amount=invoice.open_amount,
        credited=dispute.credit_note.amount if dispute.credit_note_id else None,
    )
    return outcome_notice(facts)


def dispute_debtor_told(*, dispute: Dispute, channel: str, actor: Any = None) -> Dispute:
    """Records that the debtor was told the outcome through `channel`; the dispute no longer waits
    for its notice. Telling again (another channel) is recorded again."""
    if channel not in TOLD_CHANNELS:
        raise DisputeError(f"{channel!r} is not a way to tell a debtor ({', '.join(TOLD_CHANNELS)})")
    with transaction.atomic():
        locked = Dispute.objects.select_for_update(of=("self",)).select_related("invoice").get(pk=dispute.pk)
        if locked.status != DisputeStatus.CLOSED:
            raise DisputeError(
                f"the dispute on invoice {locked.invoice.number} is not closed: no outcome to tell"
            )
        locked.debtor_to_tell = False
        locked.debtor_told_at = timezone.now()
        locked.save(update_fields=["debtor_to_tell", "debtor_told_at"])
        dispute.debtor_to_tell, dispute.debtor_told_at = locked.debtor_to_tell, locked.debtor_told_at
        number = locked.invoice.number
        _record(
            locked,
            kind=EventKind.DEBTOR_TOLD,
            actor=actor,
            summary=f"Débiteur informé de l'issue du litige sur {number} ({channel})",
            data={"invoice": number, "outcome": locked.outcome, "channel": channel},
        )
        _audit(
            locked,
            actor=actor,
            action="update",
            object_type="dispute",
            object_id=locked.pk,
            changes={"debtor_told": channel},
        )
    return dispute


def disputes_to_tell() -> Any:
    """Closed disputes whose debtor has not been told the outcome yet (in the current scope)."""
    return Dispute.objects.filter(status=DisputeStatus.CLOSED, debtor_to_tell=True).select_related(
        "invoice", "debtor", "credit_note"
    )
