"""What Caseload holds about one client, item by item, for a subject access request.

``sar_items`` is the one list the review page, the item page and the release file are
drawn from, so what the DPO reviewed is what is released. Every query is filtered by
the client (or their cases), so nothing of another client can come in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models

from caseload.formats import human_date, human_datetime
from cases.models import (
    CLIENT_FIELDS,
    BreakGlassAccess,
    Case,
    CaseDeadline,
    CaseEvent,
    CaseShare,
    Client,
    ConsentRecord,
    Obstacle,
    Outcome,
    OutcomeProgress,
    Referral,
)
from cases.selectors import clients_matching
from dataprotection.models import SubjectAccessItem, SubjectAccessRequest
from dataprotection.trail import client_trail
from documents.models import Document
from documents.selectors import subject_documents
from notes.models import Action, CaseNote
from notifications.models import Notification
from priorities.models import Assessment, DeadlineFlag

# The sections of the review page and of the release, in order: (kind, heading).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("client", "Your record"),
    ("consent", "Consents"),
    ("case", "Cases"),
    ("event", "Case history"),
    ("note", "Case notes and their corrections"),
    ("document", "Documents"),
    ("assessment", "Priority assessments and their rationale"),
    ("action", "Actions"),
    ("outcome", "Outcomes"),
    ("progress", "Progress towards outcomes"),
    ("obstacle", "Obstacles"),
    ("referral", "Referrals"),
    ("share", "Shares with colleagues"),
    ("deadline", "Deadlines"),
    ("flag", "Deadline flags"),
    ("break_glass", "Emergency access (break the glass)"),
    ("notification", "Notifications to staff about your cases"),
    ("access_log", "Who accessed your record"),
)
KINDS = frozenset(kind for kind, _ in SECTIONS)


@dataclass
class SarItem:
    """One item held about the client: facts (dates, statuses) and free text.

    A redaction replaces the free text with the DPO's redacted version; the facts stay.
    """

    kind: str
    object_id: int
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    text: list[tuple[str, str]] = field(default_factory=list)
    third_party: bool = False
    source: models.Model | None = None
    decision: SubjectAccessItem | None = None

    @property
    def key(self) -> str:
        """The item's anchor on the review page."""
        return f"{self.kind}-{self.object_id}"

    @property
    def plain_text(self) -> str:
        """The free text as one block, the starting point of a redaction."""
        return "\n".join(f"{label}: {value}" if label else value for label, value in self.text)

    def released(self) -> dict[str, Any] | None:
        """What the client gets of this item: None when withheld, the redacted text when
        redacted, else everything."""
        decision = self.decision
        if decision is not None and decision.decision == SubjectAccessItem.Decision.WITHHOLD:
            return None
        text = self.text
        redacted = decision is not None and decision.decision == SubjectAccessItem.Decision.REDACT
        if redacted:
            text = [("Text (redacted)", decision.redacted_text)]  # type: ignore[union-attr]
        return {
            "kind": self.kind,
            "title": self.title,
            "facts": [{"label": label, "value": value} for label, value in self.facts],
            "text": [{"label": label, "value": value} for label, value in text],
            "redacted": redacted,
        }


def _str(value: object) -> str:
    return "" if value is None else str(value)


def _text(obj: models.Model, *names: str) -> list[tuple[str, str]]:
    """The non-empty free-text fields of ``obj`` with their labels."""
    pairs = []
    for name in names:
        value = getattr(obj, name)
        if value not in (None, ""):
            label = str(getattr(obj._meta.get_field(name), "verbose_name", name))
            pairs.append((label[:1].upper() + label[1:], _str(value)))
    return pairs


def _who(user: Any) -> str:
    return user.display_name if user is not None else "Caseload"


def _client_item(client: Client) -> SarItem:
    text = []
    for name in CLIENT_FIELDS:
        value = getattr(client, name)
        if name == "date_of_birth":
            value = human_date(value) if value else ""
        elif name == "vulnerabilities":
            value = ", ".join(client.vulnerability_labels)
        if value:
            label = str(getattr(Client._meta.get_field(name), "verbose_name", name))
            text.append((label[:1].upper() + label[1:], _str(value)))
    return SarItem(
        "client",
        client.pk,
        f"Client record {client.reference}",
        facts=[("Reference", client.reference), ("Recorded on", human_date(client.created_at))],
        text=text,
        source=client,
    )


def _case_items(case: Case) -> SarItem:
    return SarItem(
        "case",
        case.pk,
        f"Case {case.reference}",
        facts=[
            ("Type", case.case_type.name),
            ("Status", case.get_status_display()),
            ("Opened on", human_date(case.opened_on)),
            ("Closed on", human_date(case.closed_on)),
            ("Reason for closing", case.get_closure_reason_display()),
            ("Team", _str(case.team.name if case.team else "")),
            ("Adviser", _who(case.assigned_to) if case.assigned_to else "Not allocated"),
            ("Priority level", case.level or "Not assessed"),
        ],
        text=_text(case, "presenting_issue", "closure_outcome"),
        source=case,
    )


def document_file_name(document: Document) -> str:
    """Where a released document's file is in the release ZIP."""
    return f"documents/{document.download_name}"


def _document_items(client: Client, *, cases: dict[int, Case]) -> list[SarItem]:
    """The client's documents (documents app): what they are, their name and description;
    the release ZIP holds each released one's file (``sar_export``)."""
    found = []
    for document in subject_documents(client):
        if document.note is not None:
            note_case = cases.get(document.note.case_id or 0)
            where = f"note {document.note.sequence} on {note_case.reference if note_case else ''}"
        elif document.case_id is not None:
            where = cases[document.case_id].reference if document.case_id in cases else "a case"
        else:
            where = "your record"
        found.append(
            SarItem(
                "document",
                document.pk,
                f"{document.get_kind_display()} attached to {where}",
                facts=[
                    ("Added on", human_datetime(document.uploaded_at)),
                    ("Added by", _who(document.uploaded_by)),
                    ("Size in bytes", str(document.size)),
                    ("File in this release", document_file_name(document)),
                ],
                text=_text(document, "original_name", "description"),
                source=document,
            )
        )
    return found


def sar_items(*, request: SubjectAccessRequest) -> list[SarItem]:
    """Every item Caseload holds about the request's client, in ``SECTIONS`` order, each
    with the DPO's decision on it (if any)."""
    client = Client.objects.select_related("data_key").get(pk=request.client_id)
    items: list[SarItem] = [_client_item(client)]
    for consent in ConsentRecord.objects.filter(client=client).order_by("given_on", "pk"):
        consent.client = client
        items.append(
            SarItem(
                "consent",
                consent.pk,
                f"Consent given on {human_date(consent.given_on)}",
                facts=[
                    ("Scope", consent.get_scope_display()),
                    ("How it was recorded", consent.get_method_display()),
                    ("Withdrawn on", human_date(consent.withdrawn_on)),
                ],
                text=_text(consent, "shared_with", "details"),
                source=consent,
            )
        )
    cases = list(
        Case.objects.filter(client=client)
        .select_related("case_type", "team", "assigned_to")
        .order_by("pk")
    )
    by_id = {case.pk: case for case in cases}
    for case in cases:
        case.client = client
        items.append(_case_items(case))

    def of_cases(queryset: models.QuerySet[Any], *related: str) -> Iterable[Any]:
        for obj in queryset.filter(case_id__in=by_id).select_related(*related):
            obj.case = by_id[obj.case_id]
            yield obj

    for event in of_cases(CaseEvent.objects.order_by("at", "pk"), "actor"):
        items.append(
            SarItem(
                "event",
                event.pk,
                f"{event.get_kind_display()} on {event.case.reference}",
                facts=[("When", human_datetime(event.at)), ("By", _who(event.actor))],
                text=[("", event.summary), *_text(event, "detail")],
                source=event,
            )
        )
    notes = list(of_cases(CaseNote.objects.order_by("case_id", "sequence"), "author"))
    sequence_of = {note.pk: note.sequence for note in notes}
    for note in notes:
        facts = [
            ("How", note.get_channel_display()),
            ("Contact on", human_datetime(note.contact_at)),
            ("Written on", human_datetime(note.recorded_at)),
            ("Written by", _who(note.author)),
        ]
        if note.corrects_id:
            facts.append(("Corrects", f"note {sequence_of.get(note.corrects_id, '')}"))
        if note.no_further_action:
            facts.append(("No further action", "yes"))
        items.append(
            SarItem(
                "note",
                note.pk,
                f"{'Correction' if note.corrects_id else 'Note'} {note.sequence} on "
                f"{note.case.reference}",
                facts=facts,
                text=_text(
                    note,
                    "present",
                    "facts",
                    "opinion",
                    "actions_taken",
                    "next_steps",
                    "no_further_action_reason",
                    "correction_reason",
                ),
                third_party=note.third_party_information,
                source=note,
            )
        )
    items.extend(_document_items(client, cases=by_id))
    for assessment in of_cases(Assessment.objects.order_by("assessed_at", "pk"), "assessed_by"):
        items.append(
            SarItem(
                "assessment",
                assessment.pk,
                f"{assessment.get_kind_display()} of {assessment.case.reference}",
                facts=[
                    ("When", human_datetime(assessment.assessed_at)),
                    ("By", _who(assessment.assessed_by)),
                    ("Score", str(assessment.score)),
                    ("Level", assessment.get_level_display()),
                ],
                text=_text(assessment, "rationale"),
                source=assessment,
            )
        )
    for action in of_cases(Action.objects.order_by("due_on", "pk")):
        items.append(
            SarItem(
                "action",
                action.pk,
                f"Action on {action.case.reference}",
                facts=[
                    ("Who does it", action.get_owner_display()),
                    ("Due on", human_date(action.due_on)),
                    ("Status", action.get_status_display()),
                ],
                text=_text(action, "description", "owner_detail", "cancel_reason"),
                source=action,
            )
        )
    outcomes = list(of_cases(Outcome.objects.order_by("target_date", "pk")))
    for outcome in outcomes:
        items.append(
            SarItem(
                "outcome",
                outcome.pk,
                f"Outcome on {outcome.case.reference}",
                facts=[
                    ("Target date", human_date(outcome.target_date)),
                    ("Status", outcome.get_status_display()),
                    ("Progress", f"{outcome.progress_percent}%"),
                ],
                text=_text(outcome, "description", "measure"),
                source=outcome,
            )
        )
    outcome_by_id = {outcome.pk: outcome for outcome in outcomes}
    for progress in OutcomeProgress.objects.filter(outcome_id__in=outcome_by_id).order_by(
        "recorded_at", "pk"
    ):
        progress.outcome = outcome_by_id[progress.outcome_id]
        items.append(
            SarItem(
                "progress",
                progress.pk,
                f"Progress on an outcome of {progress.outcome.case.reference}",
                facts=[
                    ("When", human_datetime(progress.recorded_at)),
                    ("Status", progress.get_status_display()),
                    ("Progress", f"{progress.progress_percent}%"),
                ],
                text=_text(progress, "note"),
                source=progress,
            )
        )
    for obstacle in of_cases(Obstacle.objects.order_by("raised_at", "pk")):
        items.append(
            SarItem(
                "obstacle",
                obstacle.pk,
                f"Obstacle on {obstacle.case.reference}",
                facts=[
                    ("Kind", obstacle.get_kind_display()),
                    ("Status", obstacle.get_status_display()),
                    ("Raised on", human_datetime(obstacle.raised_at)),
                ],
                text=_text(obstacle, "description", "resolution"),
                source=obstacle,
            )
        )
    for referral in of_cases(Referral.objects.order_by("created_at", "pk")):
        items.append(
            SarItem(
                "referral",
                referral.pk,
                f"Referral ({referral.get_direction_display().lower()}) on "
                f"{referral.case.reference}",
                facts=[
                    ("Status", referral.get_status_display()),
                    ("Made on", human_datetime(referral.created_at)),
                    ("Follow up on", human_date(referral.follow_up_on)),
                ],
                text=_text(referral, "agency", "contact", "reason"),
                source=referral,
            )
        )
    for share in of_cases(CaseShare.objects.order_by("created_at", "pk"), "shared_with"):
        items.append(
            SarItem(
                "share",
                share.pk,
                f"Share of {share.case.reference}",
                facts=[
                    ("Shared with", _who(share.shared_with)),
                    ("Level", share.get_level_display()),
                    ("Until", human_datetime(share.expires_at)),
                    ("Revoked on", human_datetime(share.revoked_at) if share.revoked_at else ""),
                ],
                text=_text(share, "reason"),
                source=share,
            )
        )
    for deadline in of_cases(CaseDeadline.objects.order_by("due_on", "pk")):
        items.append(
            SarItem(
                "deadline",
                deadline.pk,
                f"Deadline on {deadline.case.reference}",
                facts=[
                    ("Due on", human_date(deadline.due_on)),
                    ("Status", deadline.get_status_display()),
                ],
                text=_text(deadline, "description"),
                source=deadline,
            )
        )
    for flag in of_cases(DeadlineFlag.objects.order_by("raised_at", "pk")):
        items.append(
            SarItem(
                "flag",
                flag.pk,
                f"{flag.get_deadline_display()} {flag.get_stage_display().lower()} on "
                f"{flag.case.reference}",
                facts=[
                    ("Due on", human_date(flag.due_on)),
                    ("Raised", human_datetime(flag.raised_at)),
                    ("Cleared", human_datetime(flag.cleared_at) if flag.cleared_at else ""),
                ],
                source=flag,
            )
        )
    for access in of_cases(BreakGlassAccess.objects.order_by("granted_at", "pk"), "user"):
        items.append(
            SarItem(
                "break_glass",
                access.pk,
                f"Emergency access to {access.case.reference}",
                facts=[
                    ("By", _who(access.user)),
                    ("From", human_datetime(access.granted_at)),
                    ("Until", human_datetime(access.expires_at)),
                ],
                text=_text(access, "reason"),
                source=access,
            )
        )
    for notification in (
        Notification.objects.filter(case_id__in=by_id)
        .select_related("recipient")
        .order_by("created_at", "pk")
    ):
        items.append(
            SarItem(
                "notification",
                notification.pk,
                f"Notification about {by_id[notification.case_id].reference}",  # type: ignore[index]
                facts=[
                    ("To", _who(notification.recipient)),
                    ("When", human_datetime(notification.created_at)),
                    ("Kind", notification.get_kind_display()),
                ],
                text=[("", notification.message)],
                source=notification,
            )
        )
    trail = client_trail(client=client)
    items.append(
        SarItem(
            "access_log",
            client.pk,
            "The log of who accessed your record",
            facts=[("Entries", str(len(trail)))],
            text=[
                (
                    "",
                    f"{human_datetime(event.at)}: {event.actor_name} {event.kind} "
                    f"{event.what}" + (f" ({event.via})" if event.via else ""),
                )
                for event in trail
            ],
            source=None,
        )
    )
    # Empty facts (a date never set) say nothing: leave them out.
    for item in items:
        item.facts = [(label, value) for label, value in item.facts if value]
    decisions = {
        (d.kind, d.object_id): d
        for d in SubjectAccessItem.objects.filter(request=request).select_related("decided_by")
    }
    for item in items:
        decision = decisions.get((item.kind, item.object_id))
        if decision is not None:
            decision.request = request
            item.decision = decision
    return items


def sar_item(*, request: SubjectAccessRequest, kind: str, object_id: int) -> SarItem | None:
    """One item of the request's client, or None if the client has no such item."""
    for item in sar_items(request=request):
        if item.kind == kind and item.object_id == object_id:
            return item
    return None


def sar_sources(items: Iterable[SarItem]) -> list[models.Model]:
    """The records the items show, for the audit trail."""
    return [item.source for item in items if item.source is not None]


def sar_client_matches(
    *, reference: str = "", family_name: str = "", date_of_birth: date | None = None
) -> list[Client]:
    """The clients a subject access request could be about: by reference, or by family
    name and date of birth through their blind indexes (exact matches only)."""
    if reference.strip():
        matches = clients_matching(reference=reference)
    elif family_name.strip() and date_of_birth is not None:
        matches = clients_matching(family_name=family_name, date_of_birth=date_of_birth)
    else:
        return []
    return list(matches.select_related("data_key").order_by("reference")[:20])
