"""The downloadable forms of a caseload review report: CSV and PDF, from its stored data."""

from __future__ import annotations

import csv
import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reviews.models import CaseloadReport

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
