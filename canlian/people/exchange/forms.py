"""The upload form of registry imports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.lib.forms import Form

ACCEPTED = (".xlsx", ".xls", ".ods", ".csv", ".txt")


class ImportForm(Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet of persons"),
        help_text=gettext_lazy(
            "Excel (.xlsx, .xls), WPS or LibreOffice (.ods) or CSV (UTF-8 or GBK). "
            "The first sheet is read; its first row names the columns."
        ),
        error_messages={
            "required": gettext_lazy("Choose a file to upload."),
            "empty": gettext_lazy("The file is empty."),
        },
        widget=forms.FileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(ACCEPTED):
            raise forms.ValidationError(
                _("The file must be .xlsx, .xls, .ods or .csv."), code="extension"
            )
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB. Split it into smaller files.")
                % {"limit": limit // (1024 * 1024)},
                code="size",
            )
        return upload
