"""``{% absolute_url 'name' arg ... %}``: a full address from CASELOAD_BASE_URL, for
links in emails (see ``caseload.links``)."""

from __future__ import annotations

from typing import Any

from django import template

from caseload.links import absolute_reverse

register = template.Library()


@register.simple_tag
def absolute_url(name: str, *args: Any, **kwargs: Any) -> str:
    """The full address of the URL named ``name``."""
    return absolute_reverse(name, *args, **kwargs)
