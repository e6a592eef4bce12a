from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from wuye.core.forms import BaseForm, style_fields
from wuye.core.importing.access import projects_for
from wuye.core.importing.reading import EXTENSIONS


class UploadForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("Workbook"),
        help_text=_("An Excel workbook (.xlsx or .xls) or CSV file: our template or your own export."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def __init__(self, *args, user, spec, current_project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for(user, spec)
        if current_project is not None and not self.is_bound:
            self.initial.setdefault("project", current_project.pk)
        style_fields(self)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx or .xls) or a CSV file."))
        return upload


class MappingForm(BaseForm):
    """One dropdown per column of the user's sheet, plus the sheet and header row."""

    sheet = forms.ChoiceField(label=_("Sheet"), required=False)
    header_row = forms.IntegerField(label=_("Header row"), min_value=1, max_value=50)

    def __init__(self, *args, batch, spec, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        self.spec = spec
        self.fields["sheet"].choices = [(s, s) for s in batch.sheet_names]
        self.initial.setdefault("sheet", batch.sheet)
        self.initial.setdefault("header_row", batch.header_row)
        choices = [("", _("— ignore this column —"))] + [(f.name, f.label) for f in spec.fields]
        mapping = batch.column_mapping
        self.columns = []
        for index, header in enumerate(batch.headers):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or get_column_letter(index + 1), choices=choices, required=False
            )
            self.fields[name].widget.attrs.update(
                {"class": "form-select form-select-sm", "data-column": str(index)}
            )
            self.initial.setdefault(name, mapping.get(index, ""))
            samples = batch.samples[index] if index < len(batch.samples) else []
            self.columns.append(
                {"letter": get_column_letter(index + 1), "header": header, "samples": samples, "name": name}
            )

    def bound_columns(self):
        for column in self.columns:
            yield {**column, "field": self[column["name"]]}

    def mapping(self) -> dict[int, str]:
        return {
            int(name.removeprefix("col_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("col_") and value
        }
