"""The demo's priorities: two criteria versions, timescales, and the assessments each open
case's story in demo.timeline gives, one of them overridden by a supervisor today."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from cases.models import Case, CaseType, User
from demo import known
from demo.timeline import (
    CRITERIA_CHANGED,
    PERCENT_APPROACHING,
    TIMESCALES,
    CasePlan,
    DemoDays,
    planned_cases,
)
from priorities import services as priority_services
from priorities.models import ClosureDay, CriteriaVersion, Criterion, Timescale

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
# Working days a case may wait in a team's unallocated queue, per level.
ALLOCATE_WITHIN = {"red": 1, "amber": 2, "green": 3, "unassessed": 2}


def priorities_load(*, now: datetime) -> None:
    """Two criteria versions, timescales, and assessments on most open demo cases, once."""
    # A closure day the calendar shows: a staff training day on the first working
    # Wednesday of next March (before the due dates below are computed).
    # Once: loaded again, that Wednesday is a closure day and no longer a working one.
    if not ClosureDay.objects.filter(description="Staff training day").exists():
        calendar = priority_services.organisation_calendar()
        training = date(now.year + 1, 3, 1)
        while training.weekday() != 2 or not calendar.is_working_day(training):
            training += timedelta(days=1)
        ClosureDay.objects.create(day=training, description="Staff training day")
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
                        {
                            "approaching_mode": "percent",
                            "approaching_percent": PERCENT_APPROACHING[level],
                        }
                        if level in PERCENT_APPROACHING
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
    days = DemoDays(now)
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
        now=days.at(300, 9),
    )
    # Every assessment in each open case's story, in the order they were made: those
    # before the criteria changed under version 1, the rest under version 2.
    rng = random.Random(7)  # noqa: S311 - the same demo every time, not security
    assessments: list[tuple[datetime, Case, CasePlan, bool]] = []
    for case, plan in planned_cases():
        if not plan.is_open:
            continue
        for i, ago in enumerate(plan.assessed):
            assessments.append((days.at(ago, 11, 30 + plan.n % 25), case, plan, i == 0))
    assessments.sort(key=lambda row: (row[0], row[1].pk))
    changed_at = days.at(CRITERIA_CHANGED, 9)
    second = None
    for at, case, plan, first_one in assessments:
        if second is None and at >= changed_at:
            # Version 2 gives income more weight; no demo case changes level by it.
            second = priority_services.version_draft_from(source=first)
            second.criteria.filter(key="income").update(weight=3)
            priority_services.version_publish(
                draft=second,
                published_by=erin,
                reason="Income weighs more: benefit sanctions were leaving urgent cases green.",
                now=changed_at,
            )
        case.refresh_from_db()
        priority_services.assessment_record(
            case=case,
            answers=_answers("amber" if plan.override else plan.level, plan.type_name, rng),
            rationale=RATIONALES[first_one],
            assessed_by=known(case.assigned_to, "an assigned case's adviser"),
            now=at,
        )
    if second is None:
        raise LookupError("The demo expected assessments after its criteria changed.")
    for case, plan in planned_cases():
        if plan.override:
            priority_services.assessment_override(
                case=case,
                level="red",
                rationale="The partner agency reports a risk the criteria do not capture.",
                overridden_by=known(
                    known(case.team, "the case's team").supervisors.order_by("username").first(),
                    "the team's supervisor",
                ),
                now=now - timedelta(hours=2),
            )


RATIONALES = {
    True: "Assessed at the first interview from what the client told us and the letters seen.",
    False: "Reassessed at the review: the situation is as the last note records.",
}


def _answers(level: str, type_name: str, rng: random.Random) -> dict[str, int]:
    """Answers that give ``level`` under both versions of the criteria."""
    answers = {"safeguarding": 0, "homelessness": 0, "income": 0, "complexity": 0}
    if level == "red":
        if type_name in ("Housing", "Debt") or rng.random() < 0.5:
            # At risk of losing their home, with serious loss of income: 12 or more.
            income = rng.choice([2, 3])
            answers |= {"homelessness": 1, "income": income, "complexity": 3 if income == 2 else 1}
        else:
            answers |= {"safeguarding": 1, "income": rng.randrange(0, 4)}
    elif level == "amber":
        if type_name == "Housing":
            answers |= {"homelessness": 1, "income": rng.randrange(0, 2)}
            answers["complexity"] = rng.randrange(0, 3)
        else:
            answers |= {"income": 2, "complexity": rng.choice([2, 3])}
    else:
        answers |= {"income": rng.randrange(0, 2), "complexity": rng.randrange(0, 3)}
    return answers
