"""Reading numbers and dates out of requests, the one way every view does it.

Text from a URL or a form is untrusted: ``str.isdigit`` and ``int`` accept
digits from every script (``"²"``, ``"٣"``), ``int`` also accepts signs,
spaces and underscores, and ``parse_datetime`` raises on out-of-range values
such as ``2026-99-99T00:00``. These helpers accept only plain ASCII digits
that fit a database id, and answer bad input with 400, never 500.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.core.exceptions import BadRequest
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")
# The largest value a PostgreSQL bigint (and so any of our ids) can hold.
MAX_ID = 2**63 - 1


def parse_id(text: str | None) -> int | None:
    """``text`` as a positive id if it is nothing but ASCII digits that fit an id, else None."""
    if text is None or not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def query_id(params: QueryDict, name: str) -> int | None:
    """An optional id parameter: None when absent or empty, 400 when it is not an id."""
    text = params.get(name, "")
    if text == "":
        return None
    value = parse_id(text)
    if value is None:
        raise BadRequest(f"The {name} parameter is not a valid number.")
    return value


def query_datetime(params: QueryDict, name: str) -> datetime | None:
    """An optional date-and-time parameter (ISO 8601; without an offset, in the site's
    zone), returned in UTC: None when absent or empty, 400 when it is not one."""
    text = params.get(name, "")
    if text == "":
        return None
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        raise BadRequest(f"The {name} parameter is not a valid date and time.")
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts, and
        # a value that is out of range once in UTC is refused here, not by the database.
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadRequest(f"The {name} parameter is not a valid date and time.") from None
