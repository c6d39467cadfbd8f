"""The client's copy: a ZIP holding a readable PDF and a JSON file of the same items,
with the DPO's withholdings and redactions applied. Every value goes into the PDF
escaped (``caseload.exports.pdf_paragraph``), never read as markup."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import SimpleDocTemplate, Spacer

# Machine dates in the JSON file are written as every export writes them (ISO 8601).
from caseload.exports import csv_cell, pdf_paragraph
from caseload.formats import human_date, human_datetime
from dataprotection.models import SubjectAccessRequest
from dataprotection.sar_selectors import SECTIONS, SarItem, document_file_name, sar_items
from documents.models import Document
from documents.selectors import document_content

PROGRESS_EVERY = 50


def export_document(
    *,
    request: SubjectAccessRequest,
    now: datetime,
    progress: Callable[[int, int], None],
    items: list[SarItem] | None = None,
) -> dict[str, Any]:
    """What is released, as data: the request, and each section's released items."""
    if items is None:
        items = sar_items(request=request)
    total = len(items)
    progress(0, total)
    by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind, _ in SECTIONS}
    for done, item in enumerate(items, start=1):
        released = item.released()
        if released is not None:
            by_kind[item.kind].append(released)
        if done % PROGRESS_EVERY == 0:
            progress(done, total)
    progress(total, total)
    return {
        "request": {
            "reference": request.reference,
            "client_reference": request.client.reference,
            "received_on": csv_cell(request.received_on),
            "due_on": csv_cell(request.effective_due_on),
            "prepared_at": csv_cell(now),
        },
        "sections": [
            {"kind": kind, "heading": heading, "items": by_kind[kind]}
            for kind, heading in SECTIONS
            if by_kind[kind]
        ],
    }


def export_pdf(document: dict[str, Any], *, request: SubjectAccessRequest, now: datetime) -> bytes:
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=A4, title=f"Subject access {request.reference}")
    styles = getSampleStyleSheet()
    story: list[Any] = [
        pdf_paragraph("Your personal data held by Caseload", styles["Title"]),
        pdf_paragraph(
            f"Subject access request {request.reference}, received on "
            f"{human_date(request.received_on)}, prepared on {human_datetime(now)}. "
            "Some information may have been withheld or redacted where the law allows; "
            "where text was redacted this is said beside it.",
            styles["Normal"],
        ),
    ]
    for section in document["sections"]:
        story += [Spacer(1, 12), pdf_paragraph(section["heading"], styles["Heading2"])]
        for item in section["items"]:
            story.append(pdf_paragraph(item["title"], styles["Heading4"]))
            for pair in [*item["facts"], *item["text"]]:
                label = f"{pair['label']}: " if pair["label"] else ""
                story.append(pdf_paragraph(f"{label}{pair['value']}", styles["Normal"]))
    pdf.build(story)
    return buffer.getvalue()


def export_zip(
    *,
    request: SubjectAccessRequest,
    now: datetime,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> bytes:
    """The ZIP of the release: ``subject-access-<ref>.pdf`` and ``.json``."""
    items = sar_items(request=request)
    document = export_document(request=request, now=now, progress=progress, items=items)
    buffer = io.BytesIO()
    stem = f"subject-access-{request.reference}"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.pdf", export_pdf(document, request=request, now=now))
        archive.writestr(
            f"{stem}.json", json.dumps(document, indent=2, ensure_ascii=False).encode()
        )
        for attached, content in _released_files(items):
            archive.writestr(document_file_name(attached), content)
    return buffer.getvalue()


def _released_files(items: list[SarItem]) -> Iterator[tuple[Document, bytes]]:
    """The files of the documents released whole: a withheld document's file is left out,
    and so is a redacted one's (a file cannot be redacted here; its text item says what
    was released)."""
    for item in items:
        if item.kind != "document" or not isinstance(item.source, Document):
            continue
        if item.decision is not None:
            continue
        yield item.source, document_content(item.source)
