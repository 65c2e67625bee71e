from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


class OrgImportForm(forms.Form):
    """The organisation workbook to upload; its content is checked by the import itself."""

    file = forms.FileField(
        label=_("Organisation workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large; the limit is %(limit)s.")
                % {"limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
            )
        return upload
