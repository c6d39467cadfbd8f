"""Everything Caseload writes into a CSV file or a PDF goes through here.

CSV: a cell a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``,
a tab or a carriage return first, also after leading spaces) is kept as text
by a leading apostrophe. Dates and times are written in ISO 8601, the same in
every column of every export (``2026-11-27``; ``2026-11-27T14:05`` in
Europe/London): the one place outside ``caseload.formats`` that writes a date. This applies to every cell whatever its source:
client data, but also staff names, team names, case types and criteria labels
that an admin typed.

PDF: ReportLab's ``Paragraph`` reads its text as markup (``<b>``,
``<img src=...>``, ``<a href=...>``), so a name such as ``<b>North & <i>``
would break the document, for good if it is stored, or make ReportLab open a
local file. Every value goes in escaped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.styles import PropertySet
from reportlab.platypus import Paragraph

# What spreadsheets treat as the start of a formula (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: Any) -> str:
    """One cell's text, safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        # A number we computed is shown as a number, negative or not.
        return str(value)
    text = str(value)
    if text.lstrip(" ")[:1] in _FORMULA_STARTS:
        return f"'{text}"
    return text


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV document, every cell passed through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def pdf_text(value: Any) -> str:
    """A value as ReportLab markup that shows it literally."""
    return escape("" if value is None else str(value))


def pdf_paragraph(text: Any, style: PropertySet) -> Paragraph:
    """A ReportLab paragraph showing ``text`` as plain text, never as markup."""
    return Paragraph(pdf_text(text), style)
