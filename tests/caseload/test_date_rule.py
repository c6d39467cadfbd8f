"""The one date rule holds in code not yet written: templates show dates only through
the named formats of caseload/formats/en_GB/formats.py, and Python code writes
dates for people only through caseload.formats (human_date and friends).

Machine-readable forms are allowed where a machine reads them: ISO dates in
``<time datetime="...">`` attributes and URLs, and the Python lines listed in
MACHINE_DATES, each with why."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
NAMED = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
}
NAMED_TIME = {"TIME_FORMAT"}

# <time datetime="{{ x|date:'c' }}">, and ?before={{ x|date:'c'|urlencode }}: for machines.
MACHINE_IN_TEMPLATE = re.compile(
    r"""datetime="\{\{ [\w.]+\|date:'(?:c|Y-m-d)' \}\}"|\|date:'c'\|urlencode"""
)
FILTER = re.compile(r"""\|(date|time):\s*(["'])(.*?)\2""")
NOW_TAG = re.compile(r"""\{%\s*now\s+(["'])(.*?)\1""")

# Python that writes a date the machine way, and why that is right there.
MACHINE_DATES = {
    # A CSV file's dates: ISO 8601 in every column of every export.
    (
        "caseload/exports.py",
        'return timezone.localtime(value).replace(tzinfo=None).isoformat(timespec="minutes")',
    ),
    ("caseload/exports.py", "return value.isoformat()"),
    # The keyed hash of a referral sent through the API hashes its date of birth as ISO text.
    ("api/services.py", "return value.isoformat()"),
    # Encrypted date fields store ISO text.
    ("caseload/crypto.py", "return value.isoformat()"),
    ("caseload/fields.py", "return value.isoformat()"),
    # The hash chain of notes and its checkpoints: fixed machine forms, in UTC.
    (
        "notes/anchors.py",
        'return f"{FILE_PREFIX}{now.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}{FILE_SUFFIX}"',
    ),
    ("notes/anchors.py", '"created_at": now.astimezone(UTC).isoformat(),'),
    ("notes/models.py", '"contact_at": self.contact_at.astimezone(UTC).isoformat(),'),
    ("notes/models.py", '"recorded_at": self.recorded_at.astimezone(UTC).isoformat(),'),
    # An account event's stored details.
    ("accounts/services.py", "at=now.isoformat(),"),
    # A key for a flag, stored, never shown.
    ("priorities/models.py", 'return f"{deadline}:{due_on.isoformat()}"'),
    # A report's and a review pack's stored data; shown through human_iso_date / iso_date.
    ("reviews/services.py", '"period_start": period_start.isoformat(),'),
    ("reviews/services.py", '"period_end": period_end.isoformat(),'),
    ("reviews/selectors.py", '"target": outcome.target_date.isoformat(),'),
    ("reviews/selectors.py", '"last_contact": last_contact.isoformat() if last_contact else None,'),
}
# strftime, an f-string date format ({day:%d %b}), or isoformat().
PYTHON_DATE = re.compile(r"strftime\(|\{[^{}\n]*:%[-#]?[a-zA-Z]|(?<!from)isoformat\(")
# Not Caseload's own code, or code that types into forms rather than showing dates.
SKIP = {".venv", "node_modules", "tests", "migrations", "bench", "static", "staticfiles", "var"}


def _templates() -> list[Path]:
    return sorted(
        path
        for folder in [ROOT / "templates", *ROOT.glob("*/templates")]
        for path in folder.rglob("*")
        if path.suffix in {".html", ".txt"}
    )


def test_templates_show_dates_only_through_the_named_formats():
    found = []
    for path in _templates():
        text = MACHINE_IN_TEMPLATE.sub("", path.read_text())
        for name, _quote, given in FILTER.findall(text):
            allowed = NAMED if name == "date" else NAMED_TIME
            if given not in allowed:
                found.append(f"{path.relative_to(ROOT)}: |{name}:{given!r}")
        found += [f"{path.relative_to(ROOT)}: now {g!r}" for _q, g in NOW_TAG.findall(text)]
    assert found == []


def test_the_template_scan_sees_a_template_s_own_date_format():
    text = MACHINE_IN_TEMPLATE.sub("", '{{ a|date:"j M Y" }} {{ b|time:"H:i" }}')
    assert [g for _n, _q, g in FILTER.findall(text)] == ["j M Y", "H:i"]


def test_the_template_scan_covers_the_templates():
    assert len(_templates()) > 50


def _python_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not SKIP.intersection(path.relative_to(ROOT).parts)
        and path.relative_to(ROOT).parts[:2] != ("caseload", "formats")
    )


def test_python_writes_dates_for_people_only_through_caseload_formats():
    found = set()
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        for line in path.read_text().splitlines():
            if PYTHON_DATE.search(line):
                found.add((relative, line.strip()))
    assert sorted(found - MACHINE_DATES) == []


def test_the_list_of_machine_dates_holds_no_line_that_has_gone():
    present = {
        (path.relative_to(ROOT).as_posix(), line.strip())
        for path in _python_files()
        for line in path.read_text().splitlines()
    }
    assert sorted(MACHINE_DATES - present) == []


def test_the_python_scan_sees_the_ways_of_formatting_a_date():
    lines = [
        'f"due {day:%d/%m/%Y}"',
        'f"since {day:%-d %b}"',
        'day.strftime("%d %b")',
        "day.isoformat()",
    ]
    assert all(PYTHON_DATE.search(line) for line in lines)
    assert not PYTHON_DATE.search("date.fromisoformat(text)")
