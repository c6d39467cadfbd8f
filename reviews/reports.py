"""A caseload review report's table, and its downloads (CSV and PDF), from its stored data."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from caseload.exports import csv_text, pdf_paragraph
from caseload.formats import human_iso_date
from reviews.models import CaseloadReport, CaseloadReview, ReviewDecision
from reviews.selectors import FIGURES

# The report's columns: the dashboard's figures under their one set of labels, then
# the load and the week's movement. Breached and approaching hold case references.
COLUMNS = [
    ("adviser", "Adviser"),
    *FIGURES.items(),
    ("load", "Load"),
    ("capacity", "Capacity"),
    ("load_percent", "Load %"),
    ("opened", "Opened"),
    ("closed", "Closed"),
]


# The columns of the trend against earlier weeks.
TREND_COLUMNS = [
    ("open", FIGURES["open"]),
    ("red", FIGURES["red"]),
    ("stalled", FIGURES["stalled"]),
]
TREND_COLUMNS += [(key, label) for key, label in COLUMNS if key in ("opened", "closed")]


def _count(value: Any) -> str:
    """A value as a table shows it: a list of case references as how many there are."""
    if isinstance(value, list):
        return str(len(value))
    return "" if value is None else str(value)


def report_table(data: dict[str, Any]) -> dict[str, Any]:
    """The report's tables as cells of text, for its page and its PDF: the header, a row
    per adviser, the totals, and the trend against earlier weeks."""
    return {
        "header": [label for _, label in COLUMNS],
        "rows": [[_count(row.get(key)) for key, _ in COLUMNS] for row in data["advisers"]],
        "totals": [
            "All advisers",
            *(_count(data["totals"].get(key)) for key, _ in COLUMNS[1:]),
        ],
        "trend_header": ["Week of", *(label for _, label in TREND_COLUMNS)],
        "trend": [
            [
                human_iso_date(week["period_start"]),
                *(_count(week.get(key)) for key, _ in TREND_COLUMNS),
            ]
            for week in data["trend"]
        ]
        + [["This week", *(_count(data["totals"].get(key)) for key, _ in TREND_COLUMNS)]],
    }


def _cell(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return value


def report_csv(report: CaseloadReport) -> str:
    return csv_text(
        [
            [label for _, label in COLUMNS],
            *([_cell(row, key) for key, _ in COLUMNS] for row in report.data["advisers"]),
        ]
    )


def report_pdf(report: CaseloadReport) -> bytes:
    data = report.data
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=f"Caseload review report, week of {human_iso_date(data['period_start'])}",
    )
    styles = getSampleStyleSheet()
    table_data = report_table(data)
    # Table cells given as plain strings are drawn as they are, never read as
    # markup; only Paragraphs parse it, and they all go through pdf_paragraph.
    table = Table([table_data["header"], *table_data["rows"]], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    story = [
        pdf_paragraph("Caseload review report", styles["Title"]),
        pdf_paragraph(
            f"Supervisor: {data['supervisor']}. Teams: {', '.join(data['teams'])}. "
            f"Week of {human_iso_date(data['period_start'])} to "
            f"{human_iso_date(data['period_end'])}.",
            styles["Normal"],
        ),
        Spacer(1, 12),
        table,
    ]
    document.build(story)
    return buffer.getvalue()


def review_csv_export(
    review: CaseloadReview, pack: list[dict[str, Any]], decisions: dict[int, ReviewDecision]
) -> str:
    """A caseload review as CSV: one row per case with its decision, then the reflection."""
    rows: list[list[Any]] = []
    rows.append(["Caseload review", review.adviser.display_name, review.get_status_display()])
    rows.append(["Started", timezone.localdate(review.started_at)])
    if review.signed_off_at:
        rows.append(
            [
                "Signed off",
                timezone.localdate(review.signed_off_at),
                review.signed_off_by.display_name if review.signed_off_by else "",
            ]
        )
    rows.append([])
    rows.append(
        [
            "Case",
            "Type",
            "Level",
            "Last contact",
            "Days since contact",
            "Outcomes",
            "Open obstacles",
            "Overdue actions",
            "Flags",
            "Assessment due",
            "Decision",
            "Comment",
            "Change made",
        ]
    )
    for item in pack:
        decision = decisions.get(item["case_id"])
        change = ""
        if decision is not None and decision.change_event is not None:
            change = decision.change_event.summary
        elif decision is not None and decision.change_assessment is not None:
            change = f"Priority set to {decision.change_assessment.get_level_display()}"
        rows.append(
            [
                item["reference"],
                item["case_type"],
                item["level"] or "not assessed",
                date.fromisoformat(item["last_contact"]) if item["last_contact"] else "",
                "" if item["days_since_contact"] is None else item["days_since_contact"],
                "; ".join(f"{o['status']} {o['progress']}%" for o in item["outcomes"]),
                "; ".join(item["obstacles"]),
                item["overdue_actions"],
                "; ".join(item["flags"]),
                "yes" if item["assessment_due"] else "no",
                decision.get_decision_display() if decision else "",
                decision.comment if decision else "",
                change,
            ]
        )
    rows.append([])
    rows.append(["Factors affecting the caseload", "; ".join(review.factors)])
    for label, value in (
        ("More about the factors", review.factors_note),
        ("Improvements identified", review.improvements),
        ("Agreed actions for the adviser", review.adviser_actions),
        ("Agreed actions for the supervisor", review.supervisor_actions),
        ("Supervisor's comment", review.supervisor_comment),
    ):
        rows.append([label, value])
    return csv_text(rows)
