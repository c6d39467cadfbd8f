"""Form rendering shared by every app: Bootstrap classes on every widget.

Django 5.2 already ties help text and errors to their field with
``aria-describedby`` and marks invalid fields with ``aria-invalid``.
"""

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates


class CaseloadBoundField(forms.BoundField):
    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(
            widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple
        ):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        existing = widget.attrs.get("class", "")
        classes = f"{existing} {css}".strip()
        if self.errors:
            classes += " is-invalid"
        attrs["class"] = classes
        return attrs


class CaseloadFormRenderer(DjangoTemplates):
    bound_field_class = CaseloadBoundField
