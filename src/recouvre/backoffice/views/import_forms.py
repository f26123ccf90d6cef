"""The import pages' forms (views/imports.py): the upload, and the mapping of the file's columns
with the options of the import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recouvre.imports.domain.column_mapping import IGNORE, header_key, missing_required
from recouvre.imports.enums import CsvColumn


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV des factures"),
        help_text=gettext_lazy(
            "Export CSV (séparateur « ; » ou « , »), UTF-8 ou Windows-1252, une ligne par facture."
        ),
    )


class MappingForm(forms.Form):
    """One choice per column of the file, then the options of the import."""

    save_as = forms.CharField(
        label=gettext_lazy("Enregistrer cette correspondance sous le nom (facultatif)"),
        max_length=100,
        required=False,
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Simulation : vérifier tout le fichier sans rien enregistrer"), required=False
    )
    complete = forms.BooleanField(
        label=gettext_lazy(
            "Le fichier liste toutes les factures ouvertes : solder celles qui n'y figurent pas"
        ),
        required=False,
    )

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [(IGNORE, _("— Ne pas importer —")), *CsvColumn.choices]
        for index, name in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=name or _("(colonne sans nom)"), choices=choices, required=False
            )

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{index}"] for index in range(len(self.headers))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: dict[str, str] = {}
        for index in range(len(self.headers)):
            column = data.get(f"col_{index}", IGNORE)
            if column and column in chosen:
                self.add_error(
                    f"col_{index}",
                    _("« %(column)s » est déjà choisie pour la colonne « %(other)s ».")
                    % {"column": CsvColumn(column).label, "other": chosen[column]},
                )
            elif column:
                chosen[column] = self.headers[index]
        missing = missing_required(self.mapping())
        if missing:
            self.add_error(
                None,
                _("Colonnes obligatoires sans correspondance : %(columns)s.")
                % {"columns": ", ".join(str(CsvColumn(c).label) for c in missing)},
            )
        return data

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            header_key(name): data.get(f"col_{index}", IGNORE)
            for index, name in enumerate(self.headers)
            if header_key(name)
        }
