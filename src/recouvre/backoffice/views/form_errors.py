"""A service's refusals by field, put on the form that was posted."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms


def put_errors(form: forms.Form, errors: Mapping[str, str | list[str]]) -> None:
    """Each message next to its field; one about a field the form does not show (or "__all__") goes
    above the form."""
    for field, messages in errors.items():
        form.add_error(field if field in form.fields else None, messages)
