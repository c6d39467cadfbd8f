"""The demo's priorities: two criteria versions, timescales, and assessments on most open
cases, one of them overridden by a supervisor."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from cases.models import Case, CaseType, User
from demo import known
from priorities import services as priority_services
from priorities.models import CriteriaVersion, Criterion, Timescale

CRITERIA = [
    # key, name, guidance, answer type, weight, forces red at, scale labels
    (
        "safeguarding",
        "Is there a safeguarding concern?",
        "Any risk of harm to the client, a child or an adult at risk.",
        "yes_no",
        10,
        1,
        (),
    ),
    (
        "homelessness",
        "Is the client homeless or at risk within 56 days?",
        "Notice received, eviction date, or sleeping rough.",
        "yes_no",
        6,
        None,
        (),
    ),
    (
        "income",
        "How severe is the loss of income?",
        "Consider benefits stopped, sanctions and priority debts.",
        "scale",
        2,
        None,
        ("None", "Some", "Serious", "No income"),
    ),
    (
        "complexity",
        "How complex is the case?",
        "Number of issues and agencies involved.",
        "scale",
        1,
        None,
        ("Simple", "Some", "Complex", "Very complex"),
    ),
]
TIMESCALES = {
    "red": (1, 5, 10, 40),
    "amber": (3, 10, 20, 60),
    "green": (5, 20, 40, 90),
    # Before the first assessment: first contact soon, whatever the case turns out to be.
    "unassessed": (2, 10, 10, 90),
}
# Working days a case may wait in a team's unallocated queue, per level.
ALLOCATE_WITHIN = {"red": 1, "amber": 2, "green": 3, "unassessed": 2}


def priorities_load(*, now: datetime) -> None:
    """Two criteria versions, timescales, and assessments on most open demo cases, once."""
    for case_type in CaseType.objects.all():
        for level, (first_contact, interval, review, close) in TIMESCALES.items():
            Timescale.objects.get_or_create(
                case_type=case_type,
                level=level,
                defaults={
                    "first_contact_days": first_contact,
                    "contact_interval_days": interval,
                    "review_days": review,
                    "close_days": close,
                    "allocate_days": ALLOCATE_WITHIN[level],
                    # Green cases of each type show the other way to flag "approaching".
                    **(
                        {"approaching_mode": "percent", "approaching_percent": 75}
                        if level == "green"
                        else {}
                    ),
                },
            )
    if CriteriaVersion.objects.exists():
        return
    # Cases made before the timescales existed get their due dates now, as the worker
    # would after an admin saved them.
    for timescale in Timescale.objects.all():
        priority_services.timescale_refresh_cases(timescale)
    first = CriteriaVersion.objects.create(
        number=1, red_threshold=12, amber_threshold=6, red_if_deadline_within=5
    )
    for position, (key, name, guidance, kind, weight, forces, labels) in enumerate(CRITERIA):
        Criterion.objects.create(
            version=first,
            key=key,
            position=position,
            name=name,
            guidance=guidance,
            answer_type=kind,
            weight=weight,
            forces_red_at=forces,
            **{f"label_{n}": label for n, label in enumerate(labels)},
        )
    erin = User.objects.get(username="erin")
    priority_services.version_publish(
        draft=first,
        published_by=erin,
        reason="Our first criteria: safeguarding and homelessness first, then income and "
        "complexity.",
    )
    cases = list(
        Case.objects.open()
        .filter(assigned_to__isnull=False)
        .select_related("client__data_key", "assigned_to", "team")
        .order_by("pk")
    )
    rng = random.Random(7)  # noqa: S311 - the same demo every time, not security
    for n, case in enumerate(cases):
        if n % 8 == 7:
            continue  # left unassessed: shows as "assessment due"
        answers = {
            "safeguarding": 1 if n % 10 == 3 else 0,
            "homelessness": 1 if n % 4 == 0 else 0,
            "income": rng.randrange(0, 4),
            "complexity": rng.randrange(0, 4),
        }
        priority_services.assessment_record(
            case=case,
            answers=answers,
            rationale="Assessed at the first interview from what the client told us and the letters seen.",
            assessed_by=known(case.assigned_to, "an assigned case's adviser"),
            now=now - timedelta(days=rng.randrange(1, 60)),
        )
    # Version 2 gives income more weight: cases assessed under version 1 now show as due.
    second = priority_services.version_draft_from(source=first)
    second.criteria.filter(key="income").update(weight=3)
    priority_services.version_publish(
        draft=second,
        published_by=erin,
        reason="Income weighs more: benefit sanctions were leaving urgent cases green.",
    )
    for case in cases[:6]:
        if case.level:
            priority_services.assessment_record(
                case=case,
                answers={"safeguarding": 0, "homelessness": 1, "income": 2, "complexity": 1},
                rationale="Reassessed under the new criteria after the client's benefits stopped.",
                assessed_by=known(case.assigned_to, "an assigned case's adviser"),
                now=now - timedelta(hours=3),
            )
    supervised = next((c for c in cases if c.team and c.level != "red" and c.level), None)
    if supervised is not None:
        priority_services.assessment_override(
            case=supervised,
            level="red",
            rationale="The partner agency reports a risk the criteria do not capture.",
            overridden_by=known(
                known(supervised.team, "the case's team").supervisors.first(),
                "the team's supervisor",
            ),
        )
