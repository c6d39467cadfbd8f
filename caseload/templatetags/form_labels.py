"""How a field's label says whether it may be left empty: derived from the field, once."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

OPTIONAL_MARK = mark_safe(' <span class="text-body-secondary">(optional)</span>')


@register.filter
def optional_mark(field: BoundField) -> SafeString | str:
    """The mark after the label of a field that may be left empty, "(optional)"; nothing
    after a required one. A single checkbox never gets it: unticked is an answer too."""
    if field.field.required or field.widget_type == "checkbox":
        return ""
    return OPTIONAL_MARK
