"""What the endpoint tests share: a case of alice's with one of everything on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseDeadline, User
from notes import services as note_services
from notes.models import Action, CaseNote
from priorities import services as priority_services
from priorities.models import Assessment
from tests.factories import CaseFactory, published_criteria


@dataclass
class Filled:
    case: Case
    note: CaseNote
    action: Action
    deadline: CaseDeadline
    assessment: Assessment


def note_on(case: Case, author: User, *, facts: str = "Client rang about the arrears") -> CaseNote:
    return note_services.note_append(
        case=case,
        author=author,
        contact_at=timezone.now() - timedelta(hours=1),
        channel=CaseNote.Channel.PHONE,
        facts=facts,
        next_steps="Write to the landlord",
    )


def filled_case(adviser: User, **kwargs: object) -> Filled:
    """An open case of ``adviser``'s, opened a week ago, with a note, an action, a
    deadline and an assessment."""
    if not published_criteria_exists():
        published_criteria()
    case = CaseFactory(assigned_to=adviser, now=timezone.now() - timedelta(days=7), **kwargs)
    today = timezone.localdate()
    return Filled(
        case=case,
        note=note_on(case, adviser),
        action=note_services.action_create(
            case=case,
            description="Send the rent statement",
            owner=Action.Owner.ADVISER,
            due_on=today + timedelta(days=14),
            created_by=adviser,
        ),
        deadline=case_services.deadline_add(
            case=case, due_on=today + timedelta(days=21), description="Hearing", added_by=adviser
        ),
        assessment=priority_services.assessment_record(
            case=case,
            answers={"safeguarding": 0, "complexity": 2},
            rationale="First look at the papers",
            assessed_by=adviser,
        ),
    )


def published_criteria_exists() -> bool:
    from priorities.models import CriteriaVersion

    return CriteriaVersion.published() is not None


def access_entries(*, via: str) -> list[tuple[str, str]]:
    """The access entries written with this ``via``, as (model, object id)."""
    from auditlog.models import LogEntry

    return [
        (entry.content_type.model, entry.object_pk)
        for entry in LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, additional_data__via=via
        ).select_related("content_type")
    ]
