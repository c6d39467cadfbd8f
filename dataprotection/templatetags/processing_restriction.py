"""The banner every page showing a client or their case carries while processing of the
client's data is restricted: ``{% processing_restriction_banner client_id %}``."""

from __future__ import annotations

from typing import Any

from django import template

from dataprotection.selectors import processing_restriction_of

register = template.Library()


@register.inclusion_tag("dataprotection/erasure/_restriction_banner.html")
def processing_restriction_banner(client_id: int | None) -> dict[str, Any]:
    restriction = processing_restriction_of(client_id) if client_id else None
    return {"restriction": restriction}
