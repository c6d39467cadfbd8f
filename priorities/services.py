"""Writes for priorities: assessments, overrides, publishing criteria, and due dates."""

from __future__ import annotations

import json
from calendar import day_name
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone

from caseload.audit import audit_actor
from caseload.formats import human_date
from caseload.models import row_lock
from cases.models import Case, CaseDeadline, CaseEvent, CaseQuerySet, CaseType, User
from cases.selectors import case_is_supervised_by, team_supervisors
from cases.services import case_due_dates_save, case_event_record, case_priority_set
from notes.models import Action
from notifications.models import Kind as NotificationKind
from notifications.services import notifications_resolve, notify
from priorities.calendar import WorkingCalendar
from priorities.models import (
    ApproachingMode,
    Assessment,
    ClosureDay,
    CriteriaVersion,
    Criterion,
    DeadlineFlag,
    DeadlineWatch,
    Level,
    Organisation,
    Timescale,
    TimescaleLevel,
    level_rank,
)
from priorities.scoring import score_answers

# --- the working-day calendar ----------------------------------------------------------


def organisation_calendar(*, organisation: Organisation | None = None) -> WorkingCalendar:
    """The organisation's calendar: its nation's bank holidays and its closure days.
    A caller that has read the ``organisation``'s settings already passes them."""
    return WorkingCalendar(
        nation=(organisation or Organisation.current()).nation,
        closures=ClosureDay.objects.values_list("day", flat=True),
    )


# --- due dates ---------------------------------------------------------------------------


# The columns of a case its due dates are computed from.
_DUE_DATE_INPUTS = (
    "status",
    "opened_on",
    "created_at",
    "case_type_id",
    "level",
    "assessed_at",
    "last_contact_at",
)

# The case's due-date columns, of which case_refresh_due_dates is the one writer.
_DUE_DATE_FIELDS = (
    "next_deadline_on",
    "allocation_due_on",
    "first_contact_due_on",
    "next_contact_due_on",
    "next_review_due_on",
    "target_close_on",
    "next_due_on",
)


def _due_date_inputs(case_id: int) -> dict[str, Any]:
    """Everything the due dates of a case are computed from, read under the case's row
    lock: its columns, its first open deadline and action, the calendar (nation and
    closure days), the approaching days, the timescales of its type, and what is stored
    now (due dates, watches, whether any flag is open), so that only what moved is written.

    Every note, action, assessment and status change recomputes the due dates, so this is
    on the path of every write; it used to be eight queries, and on PostgreSQL it is one
    statement (the lists as ARRAY subqueries; elsewhere three more queries). Nothing is
    cached: a closure day or a timescale changed a moment ago counts in the next write.
    FOR NO KEY UPDATE OF the case only, as ``caseload.models.row_lock``: rows pointing at
    the case are not held up.
    """
    organisation = Organisation.objects.filter(pk=1)
    timescale_columns = {f.attname: f.attname for f in Timescale._meta.concrete_fields}
    timescales = Timescale.objects.order_by().values(row=JSONObject(**timescale_columns))
    watches = DeadlineWatch.objects.order_by().values(
        row=JSONObject(deadline="deadline", due_on="due_on", approaching_on="approaching_on")
    )
    closures = ClosureDay.objects.order_by().values_list("day", flat=True)
    lists: dict[str, Any] = {}
    if connection.vendor == "postgresql":
        lists = {
            "closures": ArraySubquery(closures),
            "timescales": ArraySubquery(timescales.filter(case_type_id=OuterRef("case_type_id"))),
            "watches": ArraySubquery(watches.filter(case_id=OuterRef("pk"))),
        }
    inputs: dict[str, Any] = (
        Case.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk=case_id)
        .annotate(
            open_deadline_on=Subquery(
                CaseDeadline.objects.filter(case=OuterRef("pk"), status=CaseDeadline.Status.OPEN)
                .order_by("due_on")
                .values("due_on")[:1]
            ),
            first_action_on=Subquery(
                Action.objects.open()
                .filter(case=OuterRef("pk"))
                .order_by("due_on")
                .values("due_on")[:1]
            ),
            nation=Subquery(organisation.values("nation")),
            default_approaching_days=Subquery(organisation.values("approaching_days")),
            has_open_flags=Exists(
                DeadlineFlag.objects.filter(case_id=OuterRef("pk"), cleared_at__isnull=True)
            ),
            **lists,
        )
        .values(
            *_DUE_DATE_INPUTS,
            *_DUE_DATE_FIELDS,
            "open_deadline_on",
            "first_action_on",
            "nation",
            "default_approaching_days",
            "has_open_flags",
            *lists,
        )
        .get()
    )
    if not lists:
        inputs["closures"] = list(closures)
        inputs["timescales"] = [
            item["row"] for item in timescales.filter(case_type_id=inputs["case_type_id"])
        ]
        inputs["watches"] = [item["row"] for item in watches.filter(case_id=case_id)]
    return inputs


@transaction.atomic
def case_refresh_due_dates(
    case: Case,
    *,
    calendar: WorkingCalendar | None = None,
    today: date | None = None,
    lock_held: bool = False,
) -> Case:
    """Recompute the case's due dates from its timescale and deadlines, and save them.

    The one writer of the case's due-date columns (``*_due_on``, ``next_deadline_on``,
    ``target_close_on``, ``next_due_on``) and of its ``DeadlineWatch`` rows.

    Called by every service that changes something they depend on: a note, an
    assessment, a status change, a deadline, an action, a timescale. A case
    never assessed follows the green timescale until it is. The day each due
    date starts approaching is stored with it (``DeadlineWatch``) for the sweep,
    and flags the new dates contradict are cleared at once (``flags_clear_met``).

    The inputs are one statement (``_due_date_inputs``); what did not change is not
    written, so a second note on the same day costs that statement only. ``lock_held``:
    the caller took the case's row lock earlier in this transaction (``note_append``).
    """
    # The inputs are read under the case's row lock, never taken from the caller's
    # copy: a note or an assessment committed since that copy was read would
    # otherwise be undone by due dates computed from older values. The lock is taken
    # by a statement of its own: one that waits for it would read the other tables
    # (deadlines, actions) as they were before the wait.
    if not lock_held:
        Case.objects.select_for_update(no_key=True).filter(pk=case.pk).values_list("pk").get()
    current = _due_date_inputs(case.pk)
    for name in _DUE_DATE_INPUTS:
        setattr(case, name, current[name])
    stored = {name: current[name] for name in _DUE_DATE_FIELDS}
    watched = {
        row["deadline"]: (
            date.fromisoformat(row["due_on"]),
            date.fromisoformat(row["approaching_on"]),
        )
        for row in current["watches"]
    }
    if current["nation"] is None:  # no settings saved yet: the defaults, stored once
        organisation = Organisation.current()
        current["nation"] = organisation.nation
        current["default_approaching_days"] = organisation.approaching_days

    if not case.is_open:
        for name in _DUE_DATE_FIELDS:
            setattr(case, name, None)
        watches: dict[str, tuple[date, date]] = {}
    else:
        calendar = calendar or WorkingCalendar(
            nation=current["nation"], closures=current["closures"]
        )
        timescale = _timescale_for(case, [Timescale(**row) for row in current["timescales"]])
        watches = _compute_due_dates(
            case,
            timescale=timescale,
            calendar=calendar,
            next_deadline_on=current["open_deadline_on"],
            first_action_on=current["first_action_on"],
            default_days=current["default_approaching_days"],
        )

    moved = [name for name in _DUE_DATE_FIELDS if getattr(case, name) != stored[name]]
    if moved:
        case_due_dates_save(case=case, fields=moved)
    gone = [deadline for deadline in watched if deadline not in watches]
    if gone:
        DeadlineWatch.objects.filter(case=case, deadline__in=gone).delete()
    changed = [
        DeadlineWatch(case=case, deadline=deadline, due_on=due_on, approaching_on=approaching_on)
        for deadline, (due_on, approaching_on) in watches.items()
        if watched.get(deadline) != (due_on, approaching_on)
    ]
    if changed:
        DeadlineWatch.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["case", "deadline"],
            update_fields=["due_on", "approaching_on"],
        )
    # A flag can only have been met if a due date moved or the case is closed; the sweep
    # clears every case's met flags as well, whatever raced with this.
    if current["has_open_flags"] and (moved or not case.is_open):
        flags_clear_met(now=timezone.now(), case_id=case.pk)
    return case


def _compute_due_dates(
    case: Case,
    *,
    timescale: Timescale | None,
    calendar: WorkingCalendar,
    next_deadline_on: date | None,
    first_action_on: date | None,
    default_days: int,
) -> dict[str, tuple[date, date]]:
    """Set the open case's due-date columns from its inputs; return each due date with
    the day it starts approaching, by deadline, as its ``DeadlineWatch`` rows hold them."""
    case.next_deadline_on = next_deadline_on
    opened = case.opened_on or timezone.localdate(case.created_at)

    def due(start: date | None, days: int | None) -> date | None:
        if timescale is None or start is None or not days:
            return None
        return calendar.add_working_days(start, days)

    last_contact = timezone.localdate(case.last_contact_at) if case.last_contact_at else None
    reviewed = timezone.localdate(case.assessed_at) if case.assessed_at else opened
    # Waiting in the team's queue: allocating it is due, counted from its arrival.
    case.allocation_due_on = (
        due(opened, timescale.allocate_days) if timescale and case.assigned_to_id is None else None
    )
    case.first_contact_due_on = (
        due(opened, timescale.first_contact_days) if timescale and last_contact is None else None
    )
    case.next_contact_due_on = due(
        last_contact, timescale.contact_interval_days if timescale else None
    )
    case.next_review_due_on = due(reviewed, timescale.review_days if timescale else None)
    case.target_close_on = due(opened, timescale.close_days if timescale else None)

    candidates = [
        case.allocation_due_on,
        case.first_contact_due_on,
        case.next_contact_due_on,
        case.next_review_due_on,
        case.target_close_on,
        case.next_deadline_on,
        first_action_on,
    ]
    case.next_due_on = min((d for d in candidates if d is not None), default=None)
    starts: dict[Case.DueDate, date | None] = {
        DeadlineFlag.Deadline.ALLOCATION: opened,
        DeadlineFlag.Deadline.FIRST_CONTACT: opened,
        DeadlineFlag.Deadline.NEXT_CONTACT: last_contact,
        DeadlineFlag.Deadline.REVIEW: reviewed,
        DeadlineFlag.Deadline.TARGET_CLOSE: opened,
        DeadlineFlag.Deadline.STATUTORY: None,  # no timescale: the organisation's default
    }
    watches: dict[str, tuple[date, date]] = {}
    for deadline, start in starts.items():
        due_on = getattr(case, deadline.value)
        if due_on is None:
            continue
        if timescale is not None and deadline != DeadlineFlag.Deadline.STATUTORY:
            approaching_on = timescale.approaching_on(
                start=start, due_on=due_on, calendar=calendar, default_days=default_days
            )
        else:
            approaching_on = calendar.approaching_from(due_on, days=default_days)
        watches[deadline.value] = (due_on, approaching_on)
    return watches


def _timescale_for(case: Case, timescales: Iterable[Timescale]) -> Timescale | None:
    """The timescale a case follows, of its type's ``timescales``: its level's; before any
    assessment, the "not yet assessed" row, or the green one where the organisation has
    set none."""
    levels: list[str] = (
        [case.level] if case.level else [TimescaleLevel.UNASSESSED, TimescaleLevel.GREEN]
    )
    rows = {row.level: row for row in timescales}
    return next((rows[level] for level in levels if level in rows), None)


def _through_case(condition: Q) -> Q:
    """A condition on a case (``CaseQuerySet``'s named conditions) as one on the rows that
    point at it: every lookup prefixed with ``case__``, so each rule keeps one owner."""
    children: list[Any] = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(_through_case(child))
        else:
            lookup, value = cast(tuple[str, Any], child)
            children.append((f"case__{lookup}", value))
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def flags_clear_met(*, now: datetime, case_id: int | None = None) -> int:
    """Clear open flags whose case is closed or whose due date is no longer the flagged
    one (a contact logged, an assessment made, a deadline met); returns how many.

    The sweep runs it for every case; the due-date service runs it for the case
    it has just recomputed, so a flag goes in the request that met it. One
    query finds them (on a note's request, usually none), one clears them.
    """
    flags = DeadlineFlag.objects.filter(cleared_at__isnull=True).order_by()
    if case_id is not None:
        flags = flags.filter(case_id=case_id)
    # "Not open" on the case row the due dates are joined from anyway: a NOT IN over the
    # open cases was rebuilt by every parallel worker, most of the sweep's routine run.
    moved = ~_through_case(CaseQuerySet.open_condition())
    for due_date in DeadlineFlag.Deadline:
        moved |= Q(deadline=due_date) & (
            Q(**{f"case__{due_date.value}__isnull": True})
            | ~Q(**{f"case__{due_date.value}": F("due_on")})
        )
    rows = list(flags.filter(moved).values_list("pk", "case_id", "deadline", "due_on"))
    if not rows:
        return 0
    DeadlineFlag.objects.filter(pk__in=[pk for pk, *_ in rows]).update(
        cleared_at=now, cleared_reason="Met or no longer due"
    )
    # What those flags' notifications told of no longer holds.
    cases_by_subject: dict[str, set[int]] = {}
    for _pk, flagged_case_id, deadline, due_on in rows:
        subject = DeadlineFlag.subject_for(deadline, due_on)
        cases_by_subject.setdefault(subject, set()).add(flagged_case_id)
    for subject, case_ids in cases_by_subject.items():
        notifications_resolve(
            kind=NotificationKind.DEADLINE, case_ids=case_ids, subjects=[subject], now=now
        )
    return len(rows)


def timescales_mark_stale(timescales: QuerySet[Timescale]) -> list[int]:
    """Record that these timescales' cases need their due dates recomputed; their ids."""
    ids = list(timescales.values_list("pk", flat=True))
    Timescale.objects.filter(pk__in=ids).update(due_dates_stale=True)
    return ids


def timescale_refresh_if_stale(timescale_id: int) -> int | None:
    """Recompute a stale timescale's cases; None if it was not stale (done already).

    Clearing the mark and recomputing happen in one transaction, so a
    duplicate delivery finds nothing to do and a failure leaves the mark for
    the next try; a change made meanwhile marks it stale again.
    """
    with transaction.atomic():
        claimed = Timescale.objects.filter(pk=timescale_id, due_dates_stale=True).update(
            due_dates_stale=False
        )
        if not claimed:
            return None
        return timescale_refresh_cases(Timescale.objects.get(pk=timescale_id))


def timescales_refresh_stale() -> int:
    """Recompute every stale timescale's cases (the sweep's catch-up); cases refreshed."""
    ids = Timescale.objects.filter(due_dates_stale=True).values_list("pk", flat=True)
    return sum(timescale_refresh_if_stale(pk) or 0 for pk in list(ids))


def timescale_refresh_cases(timescale: Timescale) -> int:
    """After a timescale changes, recompute the due dates of the open cases it governs."""
    calendar = organisation_calendar()
    cases = _cases_following([timescale])
    count = 0
    for case in cases.iterator(chunk_size=500):
        case_refresh_due_dates(case, calendar=calendar)
        count += 1
    return count


# --- assessments -----------------------------------------------------------------------


def working_days_to_deadline(case: Case, *, calendar: WorkingCalendar, today: date) -> int | None:
    first = (
        CaseDeadline.objects.filter(case=case, status=CaseDeadline.Status.OPEN)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    return None if first is None else calendar.working_days_between(today, first)


def _apply_level(case: Case, assessment: Assessment, *, actor: User) -> None:
    # Whether it was red is read under the lock: two assessments at once tell once.
    row_lock(case)
    was_red = case.level == Level.RED
    case_priority_set(
        case=case,
        level=assessment.level,
        level_rank=level_rank(assessment.level),
        assessed_at=assessment.assessed_at,
        version=assessment.version,
    )
    label = assessment.version.label_for(assessment.level)
    kind = (
        "Priority overridden"
        if assessment.kind == Assessment.Kind.OVERRIDE
        else "Priority assessed"
    )
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.STATUS,
        summary=f"{kind}: {label}",
        actor=actor,
        at=assessment.assessed_at,
    )
    case_refresh_due_dates(case)
    if assessment.level == Level.RED and not was_red:
        _notify_red(case, actor=actor)
    elif was_red and assessment.level != Level.RED:
        notifications_resolve(kind=NotificationKind.PRIORITY, case_ids=[case.pk])


def _notify_red(case: Case, *, actor: User) -> None:
    """Tell the case's supervisors (and its adviser, if someone else set it) that it is red."""
    recipients: set[User] = set(team_supervisors(case.team_id))
    if case.assigned_to_id != actor.pk and (adviser := case.assigned_to) is not None:
        recipients.add(adviser)
    recipients.discard(actor)
    notify(
        recipients=recipients,
        kind=NotificationKind.PRIORITY,
        case=case,
        message=f"{case.reference} is now high priority (red), set by {actor.display_name}.",
    )


@transaction.atomic
def assessment_record(
    *,
    case: Case,
    answers: dict[str, int],
    rationale: str,
    assessed_by: User,
    now: datetime | None = None,
) -> Assessment:
    """Assess a case against the published criteria; the rationale is required."""
    now = now or timezone.now()
    version = CriteriaVersion.published()
    if version is None:
        raise ValidationError("No priority criteria have been published yet; ask an admin.")
    criteria = list(version.criteria.all())
    errors: dict[str, str] = {}
    for criterion in criteria:
        value = answers.get(criterion.key)
        if value is None:
            errors[f"answer_{criterion.key}"] = "Answer this question."
        elif not 0 <= value <= criterion.max_answer:
            errors[f"answer_{criterion.key}"] = "Choose one of the answers."
    if not rationale.strip():
        errors["rationale"] = "Explain why this is the right priority (the rationale is required)."
    if errors:
        raise ValidationError(errors)
    calendar = organisation_calendar()
    result = score_answers(
        version=version,
        criteria=criteria,
        answers=answers,
        working_days_to_deadline=working_days_to_deadline(
            case, calendar=calendar, today=timezone.localdate(now)
        ),
    )
    assessment = Assessment(
        case=case,
        version=version,
        kind=Assessment.Kind.ASSESSMENT,
        answers_json=json.dumps({c.key: answers[c.key] for c in criteria}, sort_keys=True),
        score=result.score,
        forced_red=result.forced_red,
        level=result.level,
        rationale=rationale,
        assessed_by=assessed_by,
        assessed_at=now,
    )
    assessment.save()
    _apply_level(case, assessment, actor=assessed_by)
    return assessment


@transaction.atomic
def assessment_override(
    *, case: Case, level: str, rationale: str, overridden_by: User, now: datetime | None = None
) -> Assessment:
    """A supervisor sets the level directly, with a rationale; recorded as an override."""
    if not case_is_supervised_by(case, overridden_by):
        raise ValidationError("Only a supervisor of the case's team can override its priority.")
    errors = {}
    if level not in Level.values:
        errors["level"] = "Choose a level."
    if not rationale.strip():
        errors["rationale"] = "Explain why you are overriding the priority."
    if errors:
        raise ValidationError(errors)
    version = CriteriaVersion.published() or case.assessment_version
    if version is None:
        raise ValidationError("No priority criteria have been published yet; ask an admin.")
    assessment = Assessment(
        case=case,
        version=version,
        kind=Assessment.Kind.OVERRIDE,
        level=level,
        rationale=rationale,
        assessed_by=overridden_by,
        assessed_at=now or timezone.now(),
    )
    assessment.save()
    _apply_level(case, assessment, actor=overridden_by)
    return assessment


def assessment_is_due(
    case: Case, *, today: date | None = None, published: CriteriaVersion | None = None
) -> bool:
    """Whether ``case`` is due an assessment: ``CaseQuerySet.assessment_due``, for one case.

    ``published`` is the published criteria version (None if none is).
    """
    today = today or timezone.localdate()
    return Case.objects.filter(pk=case.pk).assessment_due(version=published, today=today).exists()


# --- criteria versions -----------------------------------------------------------------------


@transaction.atomic
def version_draft_from(*, source: CriteriaVersion | None) -> CriteriaVersion:
    """A new draft, copying the criteria and thresholds of ``source`` if given."""
    number = (
        CriteriaVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    if source is None:
        return CriteriaVersion.objects.create(number=number, red_threshold=10, amber_threshold=5)
    draft = CriteriaVersion.objects.create(
        number=number,
        red_threshold=source.red_threshold,
        amber_threshold=source.amber_threshold,
        red_if_deadline_within=source.red_if_deadline_within,
        red_label=source.red_label,
        amber_label=source.amber_label,
        green_label=source.green_label,
        red_colour=source.red_colour,
        amber_colour=source.amber_colour,
        green_colour=source.green_colour,
    )
    Criterion.objects.bulk_create(
        [
            Criterion(
                version=draft,
                key=c.key,
                position=c.position,
                name=c.name,
                guidance=c.guidance,
                answer_type=c.answer_type,
                label_0=c.label_0,
                label_1=c.label_1,
                label_2=c.label_2,
                label_3=c.label_3,
                weight=c.weight,
                forces_red_at=c.forces_red_at,
            )
            for c in source.criteria.all()
        ]
    )
    return draft


# What an admin edits in a draft: its thresholds, and each criterion. The edit tokens of
# the configuration pages cover these fields, and the diff between versions compares them.
THRESHOLD_FIELDS = [
    "red_threshold",
    "amber_threshold",
    "red_if_deadline_within",
    "red_label",
    "amber_label",
    "green_label",
    "red_colour",
    "amber_colour",
    "green_colour",
]
CRITERION_FIELDS = [
    "position",
    "key",
    "name",
    "guidance",
    "answer_type",
    "label_0",
    "label_1",
    "label_2",
    "label_3",
    "weight",
    "forces_red_at",
]
SCALE_LABELS = ["label_0", "label_1", "label_2", "label_3"]


def _locked_draft(version: CriteriaVersion) -> CriteriaVersion:
    """Lock the version's row and refuse unless it is (still) a draft."""
    row_lock(version)
    if version.status != CriteriaVersion.Status.DRAFT:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}, so it can "
            "no longer change: start a new draft to change the criteria."
        )
    return version


def version_draft_start(*, started_by: User) -> CriteriaVersion:
    """A new draft, copied from the published version (empty if none is).

    One draft at a time: two drafts would each be published over the other's
    changes, so a second is refused (the database refuses it too, should two
    admins press the button at once).
    """
    existing = CriteriaVersion.objects.filter(status=CriteriaVersion.Status.DRAFT).first()
    if existing is not None:
        raise ValidationError(
            f"Draft version {existing.number} is already being prepared: carry on with that "
            "one, or discard it first."
        )
    try:
        with transaction.atomic(), audit_actor(started_by):
            return version_draft_from(source=CriteriaVersion.published())
    except IntegrityError:
        raise ValidationError(
            "Another admin has just started a draft: carry on with that one."
        ) from None


@transaction.atomic
def version_discard(*, draft: CriteriaVersion, discarded_by: User) -> None:
    """Throw a draft away, with its criteria."""
    _locked_draft(draft)
    with audit_actor(discarded_by):
        draft.delete()


def thresholds_problems(
    *,
    red_threshold: int,
    amber_threshold: int,
    red_label: str,
    amber_label: str,
    green_label: str,
) -> dict[str, str]:
    """What is wrong with a version's thresholds and level names, by field, in plain words."""
    errors: dict[str, str] = {}
    if amber_threshold < 1:
        errors["amber_threshold"] = (
            "The amber threshold must be at least 1: every case scores at least 0."
        )
    if red_threshold <= amber_threshold:
        errors["red_threshold"] = (
            f"The red threshold must be above the amber threshold ({amber_threshold}), "
            "or no case could ever be amber."
        )
    names: dict[str, str] = {}
    for field, label in (
        ("red_label", red_label),
        ("amber_label", amber_label),
        ("green_label", green_label),
    ):
        label = label.strip()
        if not label:
            errors[field] = "Give this level a name."
        elif label.casefold() in names:
            errors[field] = (
                f"Each level needs a name of its own: '{label}' is already the "
                f"{names[label.casefold()]} level's name."
            )
        else:
            names[label.casefold()] = field.removesuffix("_label")
    return errors


@transaction.atomic
def version_thresholds_save(
    *,
    draft: CriteriaVersion,
    changed_by: User,
    red_threshold: int,
    amber_threshold: int,
    red_if_deadline_within: int | None,
    red_label: str,
    amber_label: str,
    green_label: str,
    red_colour: str,
    amber_colour: str,
    green_colour: str,
) -> CriteriaVersion:
    """Change a draft's thresholds, the deadline rule and the levels' names and colours."""
    _locked_draft(draft)
    errors = thresholds_problems(
        red_threshold=red_threshold,
        amber_threshold=amber_threshold,
        red_label=red_label,
        amber_label=amber_label,
        green_label=green_label,
    )
    if errors:
        raise ValidationError(errors)
    draft.red_threshold = red_threshold
    draft.amber_threshold = amber_threshold
    draft.red_if_deadline_within = red_if_deadline_within
    draft.red_label = red_label.strip()
    draft.amber_label = amber_label.strip()
    draft.green_label = green_label.strip()
    draft.red_colour = red_colour
    draft.amber_colour = amber_colour
    draft.green_colour = green_colour
    with audit_actor(changed_by):
        draft.save(update_fields=THRESHOLD_FIELDS)
    return draft


def criterion_problems(
    *,
    draft: CriteriaVersion,
    criterion_id: int | None,
    key: str,
    answer_type: str,
    labels: list[str],
    weight: int,
    forces_red_at: int | None,
) -> dict[str, str]:
    """What is wrong with a criterion of ``draft``, by field, in plain words."""
    errors: dict[str, str] = {}
    taken = Criterion.objects.filter(version=draft, key=key)
    if criterion_id is not None:
        taken = taken.exclude(pk=criterion_id)
    if taken.exists():
        errors["key"] = (
            f"Another question in this version already has the key '{key}': each needs its own."
        )
    given = [label.strip() for label in labels]
    if answer_type == Criterion.AnswerType.YES_NO:
        for field, label in zip(SCALE_LABELS, given, strict=True):
            if label:
                errors[field] = (
                    "A yes-or-no question has no scale labels: clear this, or make the "
                    "question a scale."
                )
        highest = 1
    else:
        if any(given) and not all(given):
            for field, label in zip(SCALE_LABELS, given, strict=True):
                if not label:
                    errors[field] = (
                        "Name every point of the scale, or leave all four empty to show "
                        "the numbers 0 to 3."
                    )
        seen: set[str] = set()
        for field, label in zip(SCALE_LABELS, given, strict=True):
            if label and label.casefold() in seen:
                errors[field] = f"Two points of the scale are both called '{label}'."
            seen.add(label.casefold())
        highest = 3
    if not 1 <= weight <= 100:
        errors["weight"] = "The weight must be a whole number from 1 to 100."
    if forces_red_at is not None and not 1 <= forces_red_at <= highest:
        errors["forces_red_at"] = (
            "A yes-or-no question can only make a case red on 'yes' (1)."
            if highest == 1
            else "Choose a point of the scale from 1 to 3, or leave this empty."
        )
    return errors


@transaction.atomic
def criterion_save(
    *,
    draft: CriteriaVersion,
    criterion: Criterion | None,
    changed_by: User,
    position: int,
    key: str,
    name: str,
    guidance: str,
    answer_type: str,
    label_0: str,
    label_1: str,
    label_2: str,
    label_3: str,
    weight: int,
    forces_red_at: int | None,
) -> Criterion:
    """Add a criterion to a draft (no ``criterion``) or change one of its criteria."""
    _locked_draft(draft)
    if criterion is not None and criterion.version_id != draft.pk:
        raise ValidationError("That question belongs to another version.")
    labels = [label_0, label_1, label_2, label_3]
    errors = criterion_problems(
        draft=draft,
        criterion_id=criterion.pk if criterion else None,
        key=key,
        answer_type=answer_type,
        labels=labels,
        weight=weight,
        forces_red_at=forces_red_at,
    )
    if errors:
        raise ValidationError(errors)
    row = criterion or Criterion(version=draft)
    row.position = position
    row.key = key
    row.name = name.strip()
    row.guidance = guidance.strip()
    row.answer_type = answer_type
    row.label_0, row.label_1, row.label_2, row.label_3 = (label.strip() for label in labels)
    row.weight = weight
    row.forces_red_at = forces_red_at
    with audit_actor(changed_by):
        row.save()
    return row


@transaction.atomic
def criterion_remove(*, criterion: Criterion, removed_by: User) -> None:
    """Take a question out of a draft."""
    _locked_draft(criterion.version)
    with audit_actor(removed_by):
        criterion.delete()


def _latest_assessments(cases: Iterable[Case]) -> dict[int, Assessment]:
    ids = [c.pk for c in cases]
    latest = (
        Assessment.objects.filter(case_id__in=ids, kind=Assessment.Kind.ASSESSMENT)
        .filter(
            pk=Subquery(
                Assessment.objects.filter(
                    case_id=OuterRef("case_id"), kind=Assessment.Kind.ASSESSMENT
                )
                .order_by("-assessed_at", "-pk")
                .values("pk")[:1]
            )
        )
        .select_related("case__client__data_key")
    )
    return {a.case_id: a for a in latest}


def what_if(draft: CriteriaVersion) -> Counter[tuple[str, str]]:
    """How many open, assessed cases would move from each level to each level under ``draft``.

    Each case is rescored from the answers of its latest assessment (answers to
    new criteria count as 0); a supervisor's override stands. Counts only.
    """
    criteria = list(draft.criteria.all())
    moves: Counter[tuple[str, str]] = Counter()
    cases = Case.objects.open().exclude(level="").only("pk", "level")
    batch: list[Case] = []

    def flush() -> None:
        latest = _latest_assessments(batch)
        for case in batch:
            assessment = latest.get(case.pk)
            if assessment is None or case.level != assessment.level:
                moves[(case.level, case.level)] += 1  # an override, or no answers to rescore
                continue
            new = score_answers(version=draft, criteria=criteria, answers=assessment.answers).level
            moves[(case.level, new)] += 1
        batch.clear()

    for case in cases.iterator(chunk_size=500):
        batch.append(case)
        if len(batch) == 500:
            flush()
    if batch:
        flush()
    return moves


@transaction.atomic
def version_publish(
    *, draft: CriteriaVersion, published_by: User, reason: str, now: datetime | None = None
) -> CriteriaVersion:
    """Publish a draft with the reason for it; the version published until now retires.

    Every open case assessed under another version becomes "assessment due"
    (``CaseQuerySet.assessment_due``); ``publish_workload`` counts them first.
    """
    row_lock(draft)
    if draft.status != CriteriaVersion.Status.DRAFT:
        raise ValidationError("Only a draft can be published.")
    if not draft.criteria.exists():
        raise ValidationError("Add at least one criterion before publishing.")
    if draft.red_threshold <= draft.amber_threshold:
        raise ValidationError("The red threshold must be above the amber threshold.")
    if not reason.strip():
        raise ValidationError(
            {
                "change_reason": "Say why this version is needed: it is kept with the "
                "version for whoever reads the history."
            }
        )
    with audit_actor(published_by):
        # One by one (there is at most one), so that the retirement is in the audit trail.
        for current in CriteriaVersion.objects.select_for_update().filter(
            status=CriteriaVersion.Status.PUBLISHED
        ):
            current.status = CriteriaVersion.Status.RETIRED
            current.save(update_fields=["status"])
        draft.status = CriteriaVersion.Status.PUBLISHED
        draft.published_at = now or timezone.now()
        draft.published_by = published_by
        draft.change_reason = reason.strip()
        draft.save(update_fields=["status", "published_at", "published_by", "change_reason"])
    return draft


# --- configuration: timescales, the nation, closure days ------------------------------------

# The working-day columns of a timescale, with how a sentence names each.
TIMESCALE_DAY_FIELDS: dict[str, str] = {
    "allocate_days": "Allocation",
    "first_contact_days": "First contact",
    "contact_interval_days": "The gap between contacts",
    "review_days": "Reassessment",
    "close_days": "The target to close",
}
TIMESCALE_FIELDS = (
    *TIMESCALE_DAY_FIELDS,
    "approaching_mode",
    "approaching_days",
    "approaching_percent",
)
# Longer than any timescale an advice service sets (about four years of working days):
# more is taken for a typing mistake.
TIMESCALE_MAX_DAYS = 1000


def _days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n:,} working days"


def timescale_problems(values: dict[str, Any]) -> dict[str, str]:
    """What is wrong with one timescale row's values (keyed by field), in plain English.

    The one statement of the rules, for the configuration pages and the emergency
    admin alike: whole working days from 1, an approaching rule that has its number
    and no other, never at or after the due date, and no contradictions between
    the row's own columns.
    """
    problems: dict[str, str] = {}
    for name, label in TIMESCALE_DAY_FIELDS.items():
        value = values.get(name)
        if value is None:
            continue
        if value < 1:
            problems[name] = f"{label} must be at least 1 working day, or left empty for none."
        elif value > TIMESCALE_MAX_DAYS:
            problems[name] = f"{label} must be at most {_days(TIMESCALE_MAX_DAYS)}."
    allocate, first = values.get("allocate_days"), values.get("first_contact_days")
    close = values.get("close_days")
    if "allocate_days" not in problems and allocate and first and allocate > first:
        problems["allocate_days"] = (
            f"Allocation within {_days(allocate)} would come after first contact is due "
            f"({_days(first)}): a case is allocated before anyone contacts the client."
        )
    if "close_days" not in problems and close and first and close < first:
        problems["close_days"] = (
            f"The target to close ({_days(close)}) would come before first contact is due "
            f"({_days(first)}): make it at least {first}."
        )

    mode = values.get("approaching_mode")
    days, percent = values.get("approaching_days"), values.get("approaching_percent")
    if mode not in ApproachingMode.values:
        problems["approaching_mode"] = "Choose when a due date counts as approaching."
        return problems
    if mode != ApproachingMode.DAYS and days is not None:
        problems["approaching_days"] = (
            "Leave this empty, or choose 'a number of working days before' above."
        )
    if mode != ApproachingMode.PERCENT and percent is not None:
        problems["approaching_percent"] = (
            "Leave this empty, or choose 'a percentage of the window' above."
        )
    if mode == ApproachingMode.DAYS:
        windows = {
            TIMESCALE_DAY_FIELDS[name]: values[name]
            for name in TIMESCALE_DAY_FIELDS
            if values.get(name) and name not in problems
        }
        if days is None:
            problems["approaching_days"] = "Give the number of working days before the due date."
        elif days < 0:
            problems["approaching_days"] = (
                "Give 0 or more working days: a due date cannot start approaching after it is due."
            )
        elif windows and days > min(windows.values()):
            label, shortest = min(windows.items(), key=lambda item: item[1])
            problems["approaching_days"] = (
                f"{_days(days)} before is longer than this row's shortest timescale "
                f"({label.lower()} within {_days(shortest)}), so it would be approaching "
                f"before the case even started: give at most {shortest}."
            )
    if mode == ApproachingMode.PERCENT:
        if percent is None:
            problems["approaching_percent"] = "Give the percentage of the window, from 1 to 99."
        elif not 1 <= percent <= 99:
            problems["approaching_percent"] = (
                "Give a percentage from 1 to 99: at 100% the date is due, so it would "
                "count as approaching only once it is due or later."
            )
    return problems


def timescale_validate(timescale: Timescale) -> None:
    """Raise ValidationError (by field) for a timescale that breaks a rule, or that
    repeats another's case type and level."""
    problems = timescale_problems({name: getattr(timescale, name) for name in TIMESCALE_FIELDS})
    duplicate = (
        Timescale.objects.filter(case_type_id=timescale.case_type_id, level=timescale.level)
        .exclude(pk=timescale.pk)
        .exists()
    )
    if duplicate:
        problems["level"] = (
            f"There is already a timescale for {timescale.case_type}, "
            f"{TimescaleLevel(timescale.level).label} — edit that one."
        )
    if problems:
        raise ValidationError(problems)


def _cases_following(timescales: Iterable[Timescale]) -> QuerySet[Case]:
    """The open cases whose due dates these timescales set (as ``timescale_refresh_cases``
    chooses them), each once."""
    condition = Q(pk__in=[])
    for timescale in timescales:
        if timescale.level == TimescaleLevel.UNASSESSED:
            levels = [""]
        elif timescale.level == Level.GREEN:
            levels = [Level.GREEN, ""]
        else:
            levels = [timescale.level]
        condition |= Q(case_type_id=timescale.case_type_id, level__in=levels)
    return Case.objects.open().filter(condition)


def _recalculate_later(timescales: Iterable[Timescale]) -> int:
    """Mark the timescales' due dates stale and ask the worker to recompute them (the
    sweep catches up if it cannot); how many open cases that covers."""
    from caseload.queue import enqueue_later
    from priorities.tasks import timescale_refresh_task

    timescales = list(timescales)
    if not timescales:
        return 0
    for pk in timescales_mark_stale(Timescale.objects.filter(pk__in=[t.pk for t in timescales])):
        enqueue_later(timescale_refresh_task, pk)
    return _cases_following(timescales).count()


@dataclass(frozen=True)
class ConfigurationSaved:
    """What a configuration save changed, and how many open cases' due dates it moves
    (recomputed by the worker)."""

    changed: bool
    cases: int


@transaction.atomic
def timescales_set(
    *,
    case_type: CaseType,
    rows: dict[str, dict[str, Any] | None],
    unchanged: Callable[[list[Timescale]], None],
) -> ConfigurationSaved:
    """Save a case type's timescales, one row per level, all or nothing.

    ``rows`` maps each level to its values (``TIMESCALE_FIELDS``); ``None`` for
    "not yet assessed" means such cases follow the green row (the row is deleted).
    Red, amber and green rows are always kept, empty where the organisation sets
    no timescale (which the sweep treats as no row). ``unchanged`` is called with
    the type's current rows, locked, and raises if another admin changed them
    since the form was drawn. Errors are keyed ``<level>-<field>``.
    """
    # Locking the case type serialises saves of its rows, including rows not there yet.
    CaseType.objects.select_for_update().get(pk=case_type.pk)
    current = {
        row.level: row for row in Timescale.objects.select_for_update().filter(case_type=case_type)
    }
    unchanged(list(current.values()))
    problems: dict[str, str] = {}
    for level, values in rows.items():
        if level not in TimescaleLevel.values:
            raise ValueError(f"unknown timescale level {level!r}")
        if values is None:
            if level != TimescaleLevel.UNASSESSED:
                raise ValueError("only the 'not yet assessed' row may follow another")
            continue
        for name, message in timescale_problems(values).items():
            problems[f"{level}-{name}"] = message
    if problems:
        raise ValidationError(problems)

    changed: list[Timescale] = []
    # The "not yet assessed" row last: following green may need the green row made.
    for level in sorted(rows, key=list(TimescaleLevel.values).index):
        values, row = rows[level], current.get(level)
        if values is None:
            if row is not None:
                row.delete()  # its cases now follow the green row, recomputed below
                changed.append(
                    Timescale.objects.get_or_create(
                        case_type=case_type, level=TimescaleLevel.GREEN
                    )[0]
                )
            continue
        if row is None:
            row = Timescale(case_type=case_type, level=level)
        elif all(getattr(row, name) == values.get(name) for name in TIMESCALE_FIELDS):
            continue
        for name in TIMESCALE_FIELDS:
            setattr(row, name, values.get(name))
        row.save()
        changed.append(row)
    return ConfigurationSaved(
        changed=bool(changed), cases=_recalculate_later({t.pk: t for t in changed}.values())
    )


@transaction.atomic
def organisation_nation_set(
    *, nation: str, unchanged: Callable[[Organisation], None]
) -> ConfigurationSaved:
    """Choose whose bank holidays count; every open case's due dates are recomputed."""
    Organisation.current()
    organisation = Organisation.objects.select_for_update().get(pk=1)
    unchanged(organisation)
    if nation not in Organisation.Nation.values:
        raise ValidationError({"nation": "Choose England and Wales, Scotland or Northern Ireland."})
    if organisation.nation == nation:
        return ConfigurationSaved(changed=False, cases=0)
    organisation.nation = nation
    organisation.save()
    return ConfigurationSaved(changed=True, cases=_recalculate_later(Timescale.objects.all()))


# How far ahead a closure day may be set: further is taken for a typing mistake.
CLOSURE_YEARS_AHEAD = 10


class ClosureDayWarning(Exception):
    """The day is not a working day anyway; the admin may add it all the same."""


@transaction.atomic
def closure_day_add(
    *, day: date, description: str, confirmed: bool = False, today: date | None = None
) -> tuple[ClosureDay, ConfigurationSaved]:
    """Close the organisation on ``day``; its open cases' due dates are recomputed.

    Refused: no reason, a day that is a closure day already, a year out of range.
    A weekend or bank holiday raises ``ClosureDayWarning`` unless ``confirmed``
    (it changes no due date, so nothing is recomputed for it).
    """
    today = today or timezone.localdate()
    description = description.strip()
    problems: dict[str, str] = {}
    if not description:
        problems["description"] = "Give the reason, for example 'Staff training day'."
    elif len(description) > 100:
        problems["description"] = "Keep the reason to 100 characters or fewer."
    existing = ClosureDay.objects.filter(day=day).first()
    if existing is not None:
        problems["day"] = (
            f"{human_date(day)} is already a closure day ({existing.description}); "
            "remove that one first to change its reason."
        )
    elif day.year < 2000 or day.year > today.year + CLOSURE_YEARS_AHEAD:
        problems["day"] = (
            f"Give a date from 2000 to {today.year + CLOSURE_YEARS_AHEAD}; "
            "check the year for a typing mistake."
        )
    if problems:
        raise ValidationError(problems)
    calendar = organisation_calendar()
    working = calendar.is_working_day(day)
    if not working and not confirmed:
        holiday = calendar.holidays_in(day.year).get(day)
        reason = (
            f"a bank holiday ({holiday})"
            if holiday
            else f"a {day_name[day.weekday()]}, a weekend day"
        )
        raise ClosureDayWarning(
            f"{human_date(day)} is already {reason}, so it is not a working day anyway and "
            "no due date would move. Add it as a closure day all the same?"
        )
    try:
        with transaction.atomic():
            closure = ClosureDay.objects.create(day=day, description=description)
    except IntegrityError:  # another admin added the same day a moment ago
        raise ValidationError(
            {"day": f"{human_date(day)} is already a closure day (added just now by someone else)."}
        ) from None
    cases = _recalculate_later(Timescale.objects.all()) if working else 0
    return closure, ConfigurationSaved(changed=True, cases=cases)


@transaction.atomic
def closure_day_remove(*, closure_id: int) -> tuple[ClosureDay, ConfigurationSaved]:
    """Open again on a closure day; raises ClosureDay.DoesNotExist if it is gone already."""
    closure = ClosureDay.objects.select_for_update().get(pk=closure_id)
    day, description = closure.day, closure.description
    closure.delete()
    working = organisation_calendar().is_working_day(day)
    cases = _recalculate_later(Timescale.objects.all()) if working else 0
    return ClosureDay(day=day, description=description), ConfigurationSaved(
        changed=True, cases=cases
    )


# The organisation-wide settings an admin changes on one page, with their bounds.
ORGANISATION_SETTINGS = [
    "approaching_days",
    "stalled_after_days",
    "late_entry_hours",
    "session_idle_minutes",
    "advisers_need_two_factor",
    "break_glass_daily_limit",
    "plan_ahead_years",
]
_BOUNDS: dict[str, tuple[int, int, str]] = {
    "approaching_days": (1, 20, "working days"),
    "stalled_after_days": (1, 120, "working days"),
    "late_entry_hours": (1, 168, "hours"),
    "session_idle_minutes": (5, 480, "minutes"),
    "break_glass_daily_limit": (0, 50, "uses a day"),
    "plan_ahead_years": (1, 50, "years"),
}


@transaction.atomic
def organisation_settings_set(
    *, values: dict[str, Any], unchanged: Callable[[Organisation], None], changed_by: User
) -> ConfigurationSaved:
    """Save the organisation-wide settings, all or nothing. An empty late-entry or idle
    limit means the deployment's default. A new approaching default moves the day each
    due date starts approaching, so open cases are recomputed by the worker."""
    Organisation.current()
    organisation = Organisation.objects.select_for_update().get(pk=1)
    unchanged(organisation)
    problems = {}
    for name, (low, high, unit) in _BOUNDS.items():
        value = values.get(name)
        if value is None and name in ("late_entry_hours", "session_idle_minutes"):
            continue
        if value is None or not low <= value <= high:
            problems[name] = f"Choose from {low} to {high} {unit}."
    if problems:
        raise ValidationError(problems)
    moved = {n for n in ORGANISATION_SETTINGS if getattr(organisation, n) != values.get(n)}
    if not moved:
        return ConfigurationSaved(changed=False, cases=0)
    with audit_actor(changed_by):
        for name in ORGANISATION_SETTINGS:
            setattr(organisation, name, values.get(name))
        organisation.save()
    cases = _recalculate_later(Timescale.objects.all()) if "approaching_days" in moved else 0
    return ConfigurationSaved(changed=True, cases=cases)
