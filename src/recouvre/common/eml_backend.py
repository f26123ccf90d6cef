"""The embedded email transport: each message becomes one `.eml` file under the data directory's
`outbox/`, readable by any mail client, so the product can be tried without an SMTP server."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        directory = Path(settings.EMAIL_OUTBOX_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
            partial = directory / (name + ".part")
            partial.write_bytes(message.message().as_bytes())
            partial.rename(directory / name)  # a reader never sees half a message
            sent += 1
        return sent
