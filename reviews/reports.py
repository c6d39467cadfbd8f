"""The downloadable forms of a caseload review report: CSV and PDF, from its stored data."""

from __future__ import annotations

import csv
import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reviews.models import CaseloadReport, CaseloadReview, ReviewDecision

COLUMNS = [
    ("adviser", "Adviser"),
    ("open", "Open"),
    ("red", "Red"),
    ("amber", "Amber"),
    ("green", "Green"),
    ("unassessed", "Not assessed"),
    ("load", "Load"),
    ("capacity", "Capacity"),
    ("stalled", "Stalled"),
    ("overdue_actions", "Overdue actions"),
    ("assessment_due", "Assessments due"),
    ("opened", "Opened"),
    ("closed", "Closed"),
    ("breached", "Breached"),
    ("approaching", "Approaching"),
]


def _cell(row: dict, key: str) -> str:
    value = row.get(key)
    if isinstance(value, list):
        return " ".join(value)
    return "" if value is None else str(value)


def report_csv(report: CaseloadReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in COLUMNS])
    for row in report.data["advisers"]:
        writer.writerow([_cell(row, key) for key, _ in COLUMNS])
    return out.getvalue()


def report_pdf(report: CaseloadReport) -> bytes:
    data = report.data
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), title=f"Caseload review report {data['period_start']}"
    )
    styles = getSampleStyleSheet()
    header = [label for key, label in COLUMNS if key not in ("breached", "approaching")] + [
        "Breached"
    ]
    rows = [
        [_cell(row, key) for key, _ in COLUMNS if key not in ("breached", "approaching")]
        + [str(len(row["breached"]))]
        for row in data["advisers"]
    ]
    table = Table([header, *rows], repeatRows=1)
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
        Paragraph("Caseload review report", styles["Title"]),
        Paragraph(
            f"Supervisor: {data['supervisor']}. Teams: {', '.join(data['teams'])}. "
            f"Week of {data['period_start']} to {data['period_end']}.",
            styles["Normal"],
        ),
        Spacer(1, 12),
        table,
    ]
    document.build(story)
    return buffer.getvalue()


def _text(value: str) -> str:
    """A typed value safe for a spreadsheet: one starting like a formula is kept as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def review_csv_export(
    review: CaseloadReview, pack: list[dict[str, Any]], decisions: dict[int, ReviewDecision]
) -> str:
    """A caseload review as CSV: one row per case with its decision, then the reflection."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Caseload review", review.adviser.display_name, review.get_status_display()])
    writer.writerow(["Started", f"{review.started_at:%d/%m/%Y}"])
    if review.signed_off_at:
        writer.writerow(
            [
                "Signed off",
                f"{review.signed_off_at:%d/%m/%Y}",
                review.signed_off_by.display_name if review.signed_off_by else "",
            ]
        )
    writer.writerow([])
    writer.writerow(
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
        if decision is not None and decision.change_event_id:
            change = decision.change_event.summary
        elif decision is not None and decision.change_assessment_id:
            change = f"Priority set to {decision.change_assessment.get_level_display()}"
        writer.writerow(
            [
                item["reference"],
                item["case_type"],
                item["level"] or "not assessed",
                item["last_contact"] or "",
                "" if item["days_since_contact"] is None else item["days_since_contact"],
                "; ".join(f"{o['status']} {o['progress']}%" for o in item["outcomes"]),
                "; ".join(item["obstacles"]),
                item["overdue_actions"],
                "; ".join(item["flags"]),
                "yes" if item["assessment_due"] else "no",
                decision.get_decision_display() if decision else "",
                _text(decision.comment) if decision else "",
                _text(change),
            ]
        )
    writer.writerow([])
    writer.writerow(["Factors affecting the caseload", "; ".join(review.factors)])
    for label, value in (
        ("More about the factors", review.factors_note),
        ("Improvements identified", review.improvements),
        ("Agreed actions for the adviser", review.adviser_actions),
        ("Agreed actions for the supervisor", review.supervisor_actions),
        ("Supervisor's comment", review.supervisor_comment),
    ):
        writer.writerow([label, _text(value)])
    return out.getvalue()
