from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from departments.directory import directory_refusal


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


class LoginForm(AuthenticationForm):
    """The login form; when the directory refused or could not be asked, it says so instead of "wrong password"."""

    def clean(self) -> dict:
        try:
            return super().clean()
        except forms.ValidationError:
            refusal = directory_refusal(self.request)
            if refusal:
                raise forms.ValidationError(refusal, code="directory") from None
            raise
