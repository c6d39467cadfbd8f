"""``{% form_token %}``: the hidden field that lets a form's work be done once (see
``caseload.web.submit_once``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from caseload.web import FORM_TOKEN, form_token_for

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context: dict[str, Any]) -> SafeString:
    """A hidden field with the form's token: kept when the form comes back with errors."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FORM_TOKEN, form_token_for(context["request"])
    )
