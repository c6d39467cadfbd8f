"""Dates and times as people read them, everywhere Caseload writes one outside a
template: notification texts, email bodies, badges, the review pack, reports.

The rule itself lives in ``caseload/formats/en_GB/formats.py`` (Django's
``FORMAT_MODULE_PATH``); templates use the ``date`` and ``time`` filters with
its named formats, and Python code uses these helpers, never ``strftime`` or an
f-string format. An aware date-time is shown in Caseload's time zone
(Europe/London). CSV files hold ISO 8601 instead (``caseload.exports.csv_cell``),
which spreadsheets read as dates.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone
from django.utils.formats import date_format, time_format


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def human_date(value: date | None) -> str:
    """A date as people read it: ``27 Nov 2026`` (a date-time: its day in London); ""
    for none, as the ``date`` filter gives."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return date_format(value, "DATE_FORMAT")


def human_time(value: datetime | time) -> str:
    """A time of day as people read it, in London: ``14:05``."""
    if isinstance(value, datetime):
        value = _local(value)
    return time_format(value, "TIME_FORMAT")


def human_datetime(value: datetime) -> str:
    """A moment as people read it, in London: ``27 Nov 2026, 14:05``."""
    return date_format(_local(value), "DATETIME_FORMAT")


def human_iso_date(text: str) -> str:
    """A date stored as ISO text (in a report's or a pack's saved data), for people."""
    return human_date(date.fromisoformat(text))
