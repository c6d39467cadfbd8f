"""The "Who has seen this" link on a client's and a case's page, for those who may follow it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from cases.models import Case, Client
from dataprotection import audit_access

register = template.Library()


@register.simple_tag(takes_context=True)
def who_has_seen_link(context: dict[str, Any], subject: Client | Case) -> str:
    """A link to the trail of ``subject`` if the signed-in person may read it, else nothing."""
    user = context["request"].user
    if isinstance(subject, Client):
        if not audit_access.client_trail_allowed(user, subject):
            return ""
        url = reverse("dataprotection:audit_client", args=[subject.pk])
    else:
        if not audit_access.case_trail_allowed(user, subject):
            return ""
        url = reverse("dataprotection:audit_case", args=[subject.pk])
    return format_html('<a class="btn btn-outline-secondary" href="{}">Who has seen this</a>', url)
