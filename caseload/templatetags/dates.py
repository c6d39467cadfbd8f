"""``{{ text|iso_date|date }}``: a date stored as ISO text (in a report's or a review
pack's saved data) turned back into a date, for the ``date`` filter to show."""

from __future__ import annotations

from datetime import date

from django import template

register = template.Library()


@register.filter
def iso_date(text: str | None) -> date | None:
    """The date ``text`` names (``2026-11-27``), or None for none."""
    return date.fromisoformat(text) if text else None
