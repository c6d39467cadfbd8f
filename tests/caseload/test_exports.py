"""CSV and PDF exports: no cell runs as a formula, no name is read as PDF markup."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from caseload.exports import csv_cell, csv_text, pdf_text
from reviews.services import report_generate, review_start
from tests.conftest import client_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
MONDAY = dt.date(2026, 11, 16)


@pytest.mark.parametrize(
    "typed",
    ["=1+1", "+44 113", "-2+3", "@SUM(A1)", "\tx", "\rx", "\nx", "  =HYPERLINK(x)"],
)
def test_a_cell_that_starts_like_a_formula_is_kept_as_text(typed):
    assert csv_cell(typed) == f"'{typed}"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("North", "North"),
        ("", ""),
        (None, ""),
        (-3, "-3"),
        (Decimal("-1.5"), "-1.5"),
        (True, "yes"),
    ],
)
def test_ordinary_text_and_our_own_numbers_are_written_as_they_are(value, shown):
    assert csv_cell(value) == shown


def test_every_cell_of_a_csv_document_is_neutralised():
    rows = list(csv.reader(io.StringIO(csv_text([["=A1", "ok"], [-1, "@B2"]]))))

    assert rows == [["'=A1", "ok"], ["-1", "'@B2"]]


def test_pdf_text_shows_markup_literally():
    assert pdf_text('<img src="/etc/passwd"/> & <b>') == (
        '&lt;img src="/etc/passwd"/&gt; &amp; &lt;b&gt;'
    )


def _sources() -> list[Path]:
    skip = {".venv", "node_modules", "tests", "migrations", ".git"}
    return [
        path
        for path in ROOT.rglob("*.py")
        if not skip & set(path.relative_to(ROOT).parts) and path != ROOT / "caseload" / "exports.py"
    ]


def test_no_module_but_the_exports_module_writes_csv_or_builds_pdf_paragraphs():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if re.search(r"csv\.(writer|DictWriter)|\bParagraph\(", path.read_text())
    ]

    assert offenders == []


def test_admin_set_names_in_a_report_csv_cannot_run_as_formulas(alice, carol, north):
    alice.first_name = "=HYPERLINK(evil)"
    alice.save()
    CaseFactory(assigned_to=alice)
    report, _ = report_generate(supervisor=carol, period_start=MONDAY)

    response = client_for(carol).get(reverse("reviews:report_csv", args=[report.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(evil) Adams" in names
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_staff_names_in_a_review_csv_cannot_run_as_formulas(alice, carol):
    alice.first_name = "@cmd"
    alice.save()
    CaseFactory(assigned_to=alice)
    review = review_start(adviser=alice, started_by=alice)

    response = client_for(carol).get(reverse("reviews:review_csv", args=[review.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][1] == "'@cmd Adams"


@pytest.mark.parametrize(
    "team_name", ["<b>North & <i>", '<img src="/etc/passwd"/>', '<a href="file:///x">North</a>']
)
def test_a_report_for_a_team_whose_name_holds_markup_renders_as_a_pdf(
    alice, carol, north, team_name
):
    north.name = team_name
    north.save()
    CaseFactory(assigned_to=alice)
    report, _ = report_generate(supervisor=carol, period_start=MONDAY)

    response = client_for(carol).get(reverse("reviews:report_pdf", args=[report.pk]))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_a_supervisor_whose_name_holds_markup_still_gets_a_pdf(alice, carol):
    carol.first_name = "<font size=99>Carol &"
    carol.save()
    CaseFactory(assigned_to=alice)
    report, _ = report_generate(supervisor=carol, period_start=MONDAY)

    response = client_for(carol).get(reverse("reviews:report_pdf", args=[report.pk]))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
