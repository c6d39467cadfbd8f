"""Clients whose cases closed long ago, for the retention, erasure and restriction tests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseType, User
from notes import services as note_services
from notes.models import CaseNote
from tests.factories import CaseFactory, CaseTypeFactory

FACTS = "Client Quorndon called about the possession claim"


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def note(case: Case, author: User, *, facts: str = FACTS) -> CaseNote:
    return note_services.note_append(
        case=case,
        author=author,
        contact_at=timezone.now() - timedelta(minutes=5),
        channel=CaseNote.Channel.PHONE,
        facts=facts,
        next_steps="Write to the landlord",
    )


def close(case: Case, by: User, *, on: date) -> Case:
    return case_services.case_status_change(
        case=case,
        status=Case.Status.CLOSED,
        changed_by=by,
        closure_reason=Case.ClosureReason.NO_CONTACT,
        closure_outcome="No reply to three letters",
        now=at(on),
    )


def closed_case(
    adviser: User,
    *,
    closed_on: date,
    case_type: CaseType | None = None,
    client: object = None,
) -> Case:
    """A case of the adviser's with one note, closed on ``closed_on``."""
    kwargs = {"client": client} if client is not None else {}
    case = CaseFactory(
        assigned_to=adviser,
        case_type=case_type or CaseTypeFactory(name="Housing"),
        opened_yesterday=True,
        **kwargs,
    )
    note(case, adviser)
    return close(case, adviser, on=closed_on)


def reopen(case: Case, by: User) -> Case:
    return case_services.case_status_change(case=case, status=Case.Status.OPEN, changed_by=by)


def years_ago(years: int, *, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)
