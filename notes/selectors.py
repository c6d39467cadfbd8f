"""The case timeline: notes and history merged, newest first, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from cases.models import Case, CaseEvent, User
from notes.models import Action, CaseNote, NoteDraft, NoteTemplate

PAGE_SIZE = 25

# Filter key: (label, show notes?, note filter, event kinds or None for all).
TIMELINE_FILTERS: dict[str, tuple[str, bool, str, list[str] | None]] = {
    "": ("Everything", True, "all", None),
    "notes": ("Notes", True, "all", []),
    "corrections": ("Corrections", True, "corrections", []),
    "actions": ("Actions", False, "", [CaseEvent.Kind.ACTION]),
    "status": (
        "Status and assignment",
        False,
        "",
        [CaseEvent.Kind.STATUS, CaseEvent.Kind.ASSIGNED, CaseEvent.Kind.CREATED],
    ),
    "deadlines": (
        "Deadlines",
        False,
        "",
        [CaseEvent.Kind.DEADLINE_ADDED, CaseEvent.Kind.DEADLINE_CHANGED],
    ),
    "outcomes": ("Outcomes", False, "", [CaseEvent.Kind.OUTCOME]),
    "obstacles": ("Obstacles", False, "", [CaseEvent.Kind.OBSTACLE]),
    "sharing": (
        "Sharing and access",
        False,
        "",
        [CaseEvent.Kind.SHARED, CaseEvent.Kind.SHARE_REVOKED, CaseEvent.Kind.BREAK_GLASS],
    ),
    "referrals": ("Referrals", False, "", [CaseEvent.Kind.REFERRAL]),
}


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # "note" or "event"
    at: datetime
    item: CaseNote | CaseEvent


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineItem]
    next_before: datetime | None

    @property
    def notes(self) -> list[CaseNote]:
        return [entry.item for entry in self.items if isinstance(entry.item, CaseNote)]


def timeline(
    case: Case, *, kind: str = "", before: datetime | None = None, size: int = PAGE_SIZE
) -> TimelinePage:
    """One page of the case's timeline, newest first, older than ``before``.

    A fixed number of queries whatever the number of notes, and only the
    notes on the page are loaded (and so decrypted).
    """
    _, show_notes, note_filter, event_kinds = TIMELINE_FILTERS.get(kind, TIMELINE_FILTERS[""])
    entries: list[TimelineItem] = []
    if show_notes:
        notes = (
            CaseNote.objects.filter(case=case)
            .select_related("author", "corrects")
            .prefetch_related(
                Prefetch(
                    "corrections",
                    queryset=CaseNote.objects.only("pk", "sequence", "corrects_id", "case_id"),
                ),
                Prefetch("actions", queryset=Action.objects.select_related("completed_by")),
            )
            .order_by("-contact_at", "-sequence")
        )
        if note_filter == "corrections":
            notes = notes.filter(corrects__isnull=False)
        if before is not None:
            notes = notes.filter(contact_at__lt=before)
        for note in notes[: size + 1]:
            note.case = case
            if note.corrects is not None:
                note.corrects.case = case
            for action in note.actions.all():
                action.case = case
            entries.append(TimelineItem("note", note.contact_at, note))
    if event_kinds is None or event_kinds:
        events = case.events.select_related("actor").order_by("-at", "-pk")
        if event_kinds:
            events = events.filter(kind__in=event_kinds)
        if before is not None:
            events = events.filter(at__lt=before)
        for event in events[: size + 1]:
            event.case = case
            entries.append(TimelineItem("event", event.at, event))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    page = entries[:size]
    more = len(entries) > size
    return TimelinePage(items=page, next_before=page[-1].at if more and page else None)


def open_actions(case: Case) -> list[Action]:
    actions = list(case.actions.open().order_by("due_on", "pk"))
    for action in actions:
        action.case = case
    return actions


def templates_for(case: Case) -> list[NoteTemplate]:
    return list(NoteTemplate.objects.filter(case_type_id=case.case_type_id))


def note_draft_for(*, user: User, case: Case, now: datetime) -> NoteDraft | None:
    """``user``'s own unexpired draft note on ``case``; the caller has checked they may
    still add notes to it. Nobody else's draft is ever returned."""
    draft = NoteDraft.objects.current(now=now).filter(author=user, case=case).first()
    if draft is not None:
        draft.case = case
    return draft
