"""A client with one of everything Caseload holds, and another client sharing their
family name, for the subject access tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from caseload.roles import Role
from cases import services as case_services
from cases.models import Case, Client, Obstacle, User
from dataprotection import sar_services
from dataprotection.models import SubjectAccessRequest
from notes import services as note_services
from notes.models import Action, CaseNote
from priorities import services as priority_services
from tests.factories import (
    CaseFactory,
    ClientFactory,
    ConsentFactory,
    UserFactory,
    published_criteria,
)

FAMILY = "Quorndonvale"
# Text seeded for the client, each of which the release must hold.
SEEDED = {
    "given_name": "Ysolde",
    "presenting_issue": "Arrears on the flat in Tintagel Row",
    "facts": "Ysolde rang about the bailiffs' letter",
    "third_party": "Her brother Peregrine has been ill and cannot help",
    "rationale": "Eviction date within the month",
    "action": "Send the rent statement to Ysolde",
    "outcome": "Keep the tenancy at Tintagel Row",
    "progress": "Repayment plan drafted",
    "obstacle": "Housing benefit suspended",
    "deadline": "Possession hearing",
    "consent": "The housing team at Wexcombe council",
}
# Text seeded for the other client, none of which may appear.
OTHER = {
    "given_name": "Bartholomew",
    "presenting_issue": "Debt with the catalogue company Zanzibarco",
    "facts": "Bartholomew brought in his payslips",
    "email": "bart.elsewhere@example.org",
}


@dataclass
class SarWorld:
    client: Client
    case: Case
    note: CaseNote
    third_party_note: CaseNote
    other: Client
    other_case: Case
    other_note: CaseNote
    dpo: User
    request: SubjectAccessRequest | None


def dpo_user(username: str = "dina") -> User:
    return UserFactory(
        username=username, first_name="Dina", last_name="Okoro", roles=[Role.DATA_PROTECTION]
    )


def sar_world(
    alice: User, *, received_on: date | None = None, open_request: bool = True
) -> SarWorld:
    published_criteria()
    opened = timezone.now() - timedelta(days=10)
    client = ClientFactory(
        created_by=alice,
        given_name=SEEDED["given_name"],
        family_name=FAMILY,
        date_of_birth=date(1990, 4, 12),
    )
    other = ClientFactory(
        created_by=alice,
        given_name=OTHER["given_name"],
        family_name=FAMILY,
        date_of_birth=date(1985, 1, 2),
        email=OTHER["email"],
    )
    case = CaseFactory(
        assigned_to=alice, client=client, presenting_issue=SEEDED["presenting_issue"], now=opened
    )
    other_case = CaseFactory(
        assigned_to=alice, client=other, presenting_issue=OTHER["presenting_issue"], now=opened
    )
    consent = ConsentFactory(
        client=client, recorded_by=alice, scope="all", shared_with=SEEDED["consent"]
    )
    now = timezone.now()
    note = note_services.note_append(
        case=case,
        author=alice,
        contact_at=now - timedelta(days=2),
        channel=CaseNote.Channel.PHONE,
        # Mentions the other client by name: still only this client's note.
        facts=f"{SEEDED['facts']}; her neighbour {OTHER['given_name']} {FAMILY} was there",
        next_steps="Write to the landlord",
    )
    third_party_note = note_services.note_append(
        case=case,
        author=alice,
        contact_at=now - timedelta(days=1),
        channel=CaseNote.Channel.PHONE,
        facts=SEEDED["third_party"],
        next_steps="Ask about a carer's assessment",
        third_party_information=True,
    )
    other_note = note_services.note_append(
        case=other_case,
        author=alice,
        contact_at=now - timedelta(days=1),
        channel=CaseNote.Channel.FACE_TO_FACE,
        facts=OTHER["facts"],
        next_steps="Draft a budget",
    )
    note_services.action_create(
        case=case,
        description=SEEDED["action"],
        owner=Action.Owner.ADVISER,
        due_on=timezone.localdate() + timedelta(days=7),
        created_by=alice,
    )
    outcome = case_services.outcome_add(
        case=case,
        description=SEEDED["outcome"],
        measure="No possession order",
        target_date=timezone.localdate() + timedelta(days=60),
        added_by=alice,
    )
    case_services.outcome_progress_record(
        outcome=outcome,
        note=SEEDED["progress"],
        status="in_progress",
        progress_percent=40,
        recorded_by=alice,
    )
    case_services.obstacle_record(
        case=case,
        kind=Obstacle.Kind.FINANCIAL,
        description=SEEDED["obstacle"],
        raised_by=alice,
    )
    case_services.deadline_add(
        case=case,
        due_on=timezone.localdate() + timedelta(days=20),
        description=SEEDED["deadline"],
        added_by=alice,
    )
    priority_services.assessment_record(
        case=case,
        answers={"safeguarding": 0, "complexity": 2},
        rationale=SEEDED["rationale"],
        assessed_by=alice,
    )
    assert consent.pk
    dpo = dpo_user()
    request = (
        sar_services.sar_open(
            client=client,
            received_on=received_on or timezone.localdate() - timedelta(days=3),
            opened_by=dpo,
        )
        if open_request
        else None
    )
    return SarWorld(
        client=client,
        case=case,
        note=note,
        third_party_note=third_party_note,
        other=other,
        other_case=other_case,
        other_note=other_note,
        dpo=dpo,
        request=request,
    )
