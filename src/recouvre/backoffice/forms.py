from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm


class ResetOrInvitationForm(PasswordResetForm):
    """Django sends reset links only to users with a usable password. Here an unusable password means
    "invited, has not chosen one yet", so such a person who lost the invitation can ask for a new
    link. Built-in actors (the command line, imports) never receive one."""

    def get_users(self, email: str) -> Iterator[Any]:
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True, is_system=False)
        return iter(users)
