"""The demo's case notes: note templates, notes with a correction and late entries, and
actions, some overdue."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from cases.models import Case, CaseType
from demo import known
from demo.people import PEOPLE
from notes import services as note_services
from notes.models import CaseNote, NoteTemplate

NOTE_TEMPLATES = {
    "Housing": (
        "First housing interview",
        "Situation:\nLandlord and tenancy:\nArrears and income:\n",
        "By the client:\nBy the adviser:\n",
    ),
    "Debt": ("Debt review", "Creditors and amounts:\nPriority debts:\nIncome and outgoings:\n", ""),
}

CONTACTS = [
    (
        "face_to_face",
        "Client came to the drop-in with the letters received so far.",
        "Client worried about losing their home.",
        "Read the letters with the client and explained the timeline.",
        "Client to bring bank statements; adviser to call the landlord.",
    ),
    (
        "phone",
        "Called the client: they have not heard back from the council.",
        "",
        "Chased the council's housing team by email.",
        "Adviser to chase again if no reply by Friday.",
    ),
    (
        "email",
        "Client emailed copies of the tenancy agreement and rent statement.",
        "Arrears figure looks wrong by one month.",
        "",
        "Adviser to check the rent statement against the payments.",
    ),
    (
        "third_party",
        "Spoke to the landlord's agent about a payment plan.",
        "Agent open to a plan if the first payment is made this month.",
        "Proposed £25 a week towards the arrears.",
        "Confirm the plan in writing with the client's agreement.",
    ),
    (
        "file_note",
        "Checked benefit entitlement with the calculator.",
        "Client appears to be missing the housing element.",
        "",
        "Discuss a new claim with the client at the next contact.",
    ),
]


def notes_load(*, now: datetime) -> None:
    """Notes, a correction, late entries and actions (some overdue) on the demo cases, once."""
    for type_name, (name, facts, next_steps) in NOTE_TEMPLATES.items():
        case_type = CaseType.objects.filter(name=type_name).first()
        if case_type is not None:
            NoteTemplate.objects.get_or_create(
                case_type=case_type, name=name, defaults={"facts": facts, "next_steps": next_steps}
            )
    cases = list(
        Case.objects.filter(assigned_to__username__in=[p.username for p in PEOPLE])
        .select_related("client__data_key", "assigned_to")
        .order_by("pk")
    )
    if not cases or CaseNote.objects.filter(case__in=cases).exists():
        return
    rng = random.Random(41)  # noqa: S311 - the same demo every time, not security
    today = timezone.localdate(now)
    for n, case in enumerate(cases):
        adviser = known(case.assigned_to, "the case's adviser")
        opened = timezone.make_aware(
            datetime.combine(known(case.opened_on, "the day it opened"), datetime.min.time())
        ) + timedelta(hours=10)
        span = max(1, (now - opened).days)
        count = 0 if n % 11 == 0 else rng.randrange(1, 5)
        days = sorted(rng.sample(range(span), min(count, span)))
        last_note = None
        for i, day in enumerate(days):
            channel, facts, opinion, taken, steps = CONTACTS[(n + i) % len(CONTACTS)]
            contact_at = opened + timedelta(days=day, minutes=rng.randrange(0, 420))
            late = (n + i) % 9 == 0
            recorded = contact_at + (
                timedelta(hours=rng.randrange(30, 80))
                if late
                else timedelta(minutes=rng.randrange(5, 90))
            )
            recorded = min(recorded, now)
            last_note = note_services.note_append(
                case=case,
                author=adviser,
                contact_at=contact_at,
                channel=channel,
                facts=facts,
                opinion=opinion,
                actions_taken=taken,
                next_steps=steps,
                now=recorded,
            )
        if last_note is not None and n % 4 == 1:
            due = today + timedelta(days=rng.randrange(-10, 15))
            note_services.action_create(
                case=case,
                note=last_note,
                description="Send the client the payment plan letter",
                owner="adviser",
                due_on=due,
                created_by=adviser,
                today=min(due, today),
            )
        if last_note is not None and n % 13 == 2:
            note_services.note_append(
                case=case,
                author=adviser,
                contact_at=last_note.contact_at,
                channel=last_note.channel,
                facts=facts.replace("the", "the correct", 1),
                next_steps=steps,
                corrects=last_note,
                correction_reason="The first version named the wrong document.",
                now=now,
            )
    _unsaved_draft(cases, now=now)


def _unsaved_draft(cases: list[Case], *, now: datetime) -> None:
    """A note alice began two hours ago and never saved (her session timed out): her case
    page puts it back into the form."""
    case = next((c for c in cases if c.assigned_to and c.assigned_to.username == "alice"), None)
    if case is None:
        return
    began = timezone.localtime(now - timedelta(hours=2))
    note_services.note_draft_save(
        case=case,
        author=known(case.assigned_to, "the case's adviser"),
        values={
            "contact_date": f"{began:%d/%m/%Y}",
            "contact_time": f"{began:%H:%M}",
            "channel": "phone",
            "facts": "Client rang back about the payment plan: the agent now wants",
        },
        now=began,
    )
