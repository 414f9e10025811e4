from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_SIZE = 50 * 1024 * 1024


class ZoneImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV with the columns code, name, name_ar, parent_code, level_name, population (UTF-8, "
                    "separated by “;” or “,”), or a GeoJSON FeatureCollection with the same properties."),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".csv,.txt,.geojson,.json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_SIZE:
            raise forms.ValidationError(
                _("The file is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_SIZE)}
            )
        return upload
