"""The data protection area's duties, in the order its home page and menu list them.

Each duty adds itself here with the name of its first page; the home page and
the area menu are drawn from this one list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Duty:
    key: str
    title: str
    summary: str
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


DUTIES: list[Duty] = [
    Duty(
        key="sar",
        title="Subject access requests",
        summary="Record a client's request for their data, meet its deadline, review each "
        "item (withhold or redact with the legal reason) and release an encrypted copy.",
        url_name="dataprotection:sar_list",
    ),
    Duty(
        "erasure",
        "Erasure requests",
        "Record a client's request to be erased and your decision: erase, refuse on a "
        "legal ground, or restrict processing instead.",
        "dataprotection:erasure_requests",
    ),
    Duty(
        "retention",
        "Retention and disposal",
        "Review the clients whose retention period has ended, approve their erasure, "
        "and place or lift legal holds.",
        "dataprotection:retention",
    ),
    Duty(
        "restriction",
        "Restriction of processing",
        "Freeze a client's record while a restriction applies, and add file notes to it.",
        "dataprotection:restrictions",
    ),
    Duty(
        key="audit",
        title="Who has seen what",
        summary=(
            "Who has seen a client or a case and what changed: every view, export, "
            "change and break-the-glass use, by person and date, as a page or a CSV file."
        ),
        url_name="dataprotection:audit",
    ),
    Duty(
        key="audit_person",
        title="A staff member's accesses",
        summary=(
            "Everything one member of staff saw or changed over a range of days, "
            "to look into a suspected misuse."
        ),
        url_name="dataprotection:audit_person",
    ),
    Duty(
        key="audit_break_glass",
        title="Break-the-glass uses",
        summary=(
            "Every use of break the glass with its reason and its review: awaiting, "
            "justified, or a concern, who reviewed it and when."
        ),
        url_name="dataprotection:audit_break_glass",
    ),
]
