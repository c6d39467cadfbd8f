from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from caseload.append_only import AppendOnlyModel, AppendOnlyQuerySet
from caseload.fields import EncryptedModel, EncryptedTextField
from caseload.formats import human_date
from caseload.models import DataKey
from cases.models import Case
from priorities.calendar import WorkingCalendar


class Level(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class TimescaleLevel(models.TextChoices):
    """The rows of the timescales: one per level, and one for cases not assessed yet."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    UNASSESSED = "unassessed", "Not yet assessed"


# Sort order: red first, cases never assessed last.
LEVEL_RANK = {Level.RED: 0, Level.AMBER: 1, Level.GREEN: 2, "": 3}


# How long a process may go on using the organisation's settings before reading them again.
SETTINGS_TTL_SECONDS = 30
_cached: tuple[float, Organisation] | None = None


class Organisation(models.Model):
    """Organisation-wide settings: one row."""

    class Nation(models.TextChoices):
        ENG = "ENG", "England and Wales"
        SCT = "SCT", "Scotland"
        NIR = "NIR", "Northern Ireland"

    nation = models.CharField(
        max_length=3,
        choices=Nation.choices,
        default=Nation.ENG,
        help_text="Whose bank holidays count as non-working days.",
    )
    approaching_days = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1)],
        help_text="Flag a due date as approaching this many working days before it.",
    )
    stalled_after_days = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(1)],
        help_text="A case with no contact for this many working days counts as stalled.",
    )
    break_glass_daily_limit = models.PositiveSmallIntegerField(
        default=3,
        help_text="How many times a day one person may break the glass on their own; "
        "further requests that day wait for their supervisor's approval.",
    )
    plan_ahead_years = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="How many years ahead an action, deadline, outcome or follow-up may be "
        "dated; a later date is taken for a typing mistake.",
    )
    advisers_need_two_factor = models.BooleanField(
        "advisers need two-step sign-in",
        default=True,
        help_text="Advisers must give a code from an authenticator app after their password. "
        "Supervisors and admins always must.",
    )
    # Empty: the deployment's default (CASELOAD_LATE_ENTRY_HOURS, CASELOAD_SESSION_IDLE_MINUTES).
    late_entry_hours = models.PositiveSmallIntegerField(
        "a note is late after (hours)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text="A note written longer than this after the contact is marked as a late entry.",
    )
    session_idle_minutes = models.PositiveSmallIntegerField(
        "sign out after (minutes without use)",
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
        help_text="Someone who has not used Caseload for this long is signed out.",
    )

    class Meta:
        verbose_name = "organisation settings"
        verbose_name_plural = "organisation settings"

    def __str__(self) -> str:
        return "Organisation settings"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        Organisation.forget()

    @classmethod
    def current(cls) -> Organisation:
        return cls.objects.get_or_create(pk=1)[0]

    @classmethod
    def cached(cls) -> Organisation:
        """The settings for code that reads them on every request or row (the idle
        timeout, a note's lateness): read again at most every ``SETTINGS_TTL_SECONDS``
        in each process, and at once in the process that saved them."""
        global _cached
        now = time.monotonic()
        if _cached is None or now - _cached[0] > SETTINGS_TTL_SECONDS:
            _cached = (now, cls.current())
        return _cached[1]

    @staticmethod
    def forget() -> None:
        """Drop this process's copy of the settings (after a save, or between tests)."""
        global _cached
        _cached = None

    @property
    def late_entry_after_hours(self) -> int:
        return self.late_entry_hours or settings.CASELOAD_LATE_ENTRY_HOURS

    @property
    def idle_minutes(self) -> int:
        return self.session_idle_minutes or settings.CASELOAD_SESSION_IDLE_MINUTES

    def plannable_until(self, today: date) -> date:
        """The furthest date a plan may be set for: ``plan_ahead_years`` after ``today``."""
        try:
            return today.replace(year=today.year + self.plan_ahead_years)
        except ValueError:  # 29 February, in a year that has none
            return today.replace(year=today.year + self.plan_ahead_years, day=28)


class ClosureDay(models.Model):
    """A day the organisation is closed, on top of weekends and bank holidays."""

    day = models.DateField(unique=True)
    description = models.CharField(max_length=100)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{human_date(self.day)} {self.description}"


class BadgeColour(models.TextChoices):
    """Colours for level badges, each with text that meets WCAG AA contrast on it."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue"
    PURPLE = "purple", "Purple"
    GREY = "grey", "Grey"


class CriteriaVersion(models.Model):
    """A set of priority criteria with its RAG thresholds. Published versions never change."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    number = models.PositiveIntegerField(unique=True, editable=False)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    red_threshold = models.PositiveIntegerField(
        help_text="A weighted score at or above this is red."
    )
    amber_threshold = models.PositiveIntegerField(
        help_text="A weighted score at or above this (and below red) is amber."
    )
    red_if_deadline_within = models.PositiveSmallIntegerField(
        "Red if a statutory deadline is within (working days)",
        null=True,
        blank=True,
        help_text="Leave empty for no such rule.",
    )
    red_label = models.CharField(max_length=30, default="Red")
    amber_label = models.CharField(max_length=30, default="Amber")
    green_label = models.CharField(max_length=30, default="Green")
    red_colour = models.CharField(
        max_length=10, choices=BadgeColour.choices, default=BadgeColour.RED
    )
    amber_colour = models.CharField(
        max_length=10, choices=BadgeColour.choices, default=BadgeColour.AMBER
    )
    green_colour = models.CharField(
        max_length=10, choices=BadgeColour.choices, default=BadgeColour.GREEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
    )
    change_reason = models.TextField(
        "Why this version",
        blank=True,
        editable=False,
        help_text="Given when it is published: what changed and why, for those who read "
        "the history.",
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(red_threshold__gt=models.F("amber_threshold"))
                & models.Q(amber_threshold__gt=0),
                name="criteria_thresholds_in_order",
            ),
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="published"),
                name="one_published_criteria_version",
            ),
            # One draft at a time: a second would be published over the first's changes.
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="draft"),
                name="one_draft_criteria_version",
            ),
        ]

    def __str__(self) -> str:
        return f"Criteria version {self.number} ({self.get_status_display().lower()})"

    def label_for(self, level: str) -> str:
        """The organisation's name for a level under this version."""
        labels: dict[str, str] = {
            Level.RED: self.red_label,
            Level.AMBER: self.amber_label,
            Level.GREEN: self.green_label,
        }
        return labels.get(level, "Not assessed")

    def colour_for(self, level: str) -> str:
        """The badge colour the organisation chose for a level under this version."""
        colours: dict[str, str] = {
            Level.RED: self.red_colour,
            Level.AMBER: self.amber_colour,
            Level.GREEN: self.green_colour,
        }
        return colours.get(level, BadgeColour.GREY)

    @classmethod
    def published(cls) -> CriteriaVersion | None:
        return cls.objects.filter(status=cls.Status.PUBLISHED).first()


class Criterion(models.Model):
    class AnswerType(models.TextChoices):
        YES_NO = "yes_no", "Yes or no"
        SCALE = "scale", "Scale from 0 to 3"

    version = models.ForeignKey(CriteriaVersion, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(
        max_length=50, help_text="Stays the same across versions, so answers can be compared."
    )
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    guidance = models.TextField(help_text="What the adviser should consider.")
    answer_type = models.CharField(max_length=10, choices=AnswerType.choices)
    label_0 = models.CharField(
        max_length=60, blank=True, help_text="Scale point 0, for example 'None'."
    )
    label_1 = models.CharField(max_length=60, blank=True)
    label_2 = models.CharField(max_length=60, blank=True)
    label_3 = models.CharField(max_length=60, blank=True)
    weight = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    forces_red_at = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="An answer at or above this makes the case red whatever the score "
        "(1 means 'yes' for a yes/no question). Leave empty for no such rule.",
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="criterion_key_per_version"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def choices(self) -> list[tuple[int, str]]:
        """The answers an assessor can give, as (value, label)."""
        if self.answer_type == self.AnswerType.YES_NO:
            return [(0, "No"), (1, "Yes")]
        labels = [self.label_0, self.label_1, self.label_2, self.label_3]
        return [(n, label or str(n)) for n, label in enumerate(labels)]

    @property
    def max_answer(self) -> int:
        return 1 if self.answer_type == self.AnswerType.YES_NO else 3


class Assessment(EncryptedModel, AppendOnlyModel):
    """A case's priority as assessed (or overridden by a supervisor), with its rationale."""

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", "Assessment"
        OVERRIDE = "override", "Supervisor override"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessments")
    version = models.ForeignKey(
        CriteriaVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ASSESSMENT)
    # Answers by criterion key, as JSON; health and safeguarding answers are personal data.
    answers_json = EncryptedTextField(blank=True)
    score = models.PositiveIntegerField(default=0)
    forced_red = models.BooleanField(default=False)
    level = models.CharField(max_length=10, choices=Level.choices)
    rationale = EncryptedTextField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        indexes = [models.Index(fields=["case", "-assessed_at"], name="assessment_case_idx")]

    def __str__(self) -> str:
        return f"Assessment {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key

    @property
    def answers(self) -> dict[str, int]:
        """The answers given, by criterion key."""
        return json.loads(self.answers_json) if self.answers_json else {}

    @property
    def level_label(self) -> str:
        return self.version.label_for(self.level)

    @property
    def level_colour(self) -> str:
        return self.version.colour_for(self.level)


class ApproachingMode(models.TextChoices):
    """How a timescale decides that one of its due dates is approaching."""

    DEFAULT = "default", "The organisation's setting (working days before)"
    DAYS = "days", "A number of working days before it is due"
    PERCENT = "percent", "Once a percentage of the window has elapsed"


class Timescale(models.Model):
    """How quickly the organisation acts on a case of a type and level, in working days."""

    case_type = models.ForeignKey(
        "cases.CaseType", on_delete=models.CASCADE, related_name="timescales"
    )
    level = models.CharField(max_length=10, choices=TimescaleLevel.choices)
    allocate_days = models.PositiveSmallIntegerField(
        "Allocate to an adviser within",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="For a new case or a referral waiting in the team's queue, counted from "
        "when it arrived.",
    )
    first_contact_days = models.PositiveSmallIntegerField(
        "First contact within", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    contact_interval_days = models.PositiveSmallIntegerField(
        "Most days between contacts", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    review_days = models.PositiveSmallIntegerField(
        "Reassess every", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    close_days = models.PositiveSmallIntegerField(
        "Target to close within", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    due_dates_stale = models.BooleanField(
        default=False,
        editable=False,
        help_text="Set when the timescale changes, cleared once its cases' due dates are "
        "recomputed (by the worker, or by the next sweep if the worker was not reachable).",
    )
    approaching_mode = models.CharField(
        "A due date counts as approaching",
        max_length=10,
        choices=ApproachingMode.choices,
        default=ApproachingMode.DEFAULT,
    )
    approaching_days = models.PositiveSmallIntegerField(
        "Working days before the due date",
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="With 'working days before': 0 means only when it is due.",
    )
    approaching_percent = models.PositiveSmallIntegerField(
        "Percentage of the window elapsed",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="With 'a percentage of the window': from 1 to 99. The window runs from the "
        "case opening (first contact, target to close), the last contact (next contact) or "
        "the last assessment (reassessment) to the due date.",
    )

    class Meta:
        ordering = ["case_type__name", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "level"], name="timescale_per_type_and_level"
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__isnull": True})
                    | models.Q(**{f"{name}__gte": 1}),
                    name=f"timescale_{name}_positive",
                )
                for name in (
                    "allocate_days",
                    "first_contact_days",
                    "contact_interval_days",
                    "review_days",
                    "close_days",
                )
            ],
            models.CheckConstraint(
                condition=models.Q(approaching_percent__isnull=True)
                | models.Q(approaching_percent__gte=1, approaching_percent__lte=99),
                name="timescale_approaching_percent_1_to_99",
            ),
            models.CheckConstraint(
                condition=models.Q(approaching_days__isnull=True)
                | models.Q(approaching_days__gte=0),
                name="timescale_approaching_days_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(approaching_mode="default")
                | models.Q(approaching_mode="days", approaching_days__isnull=False)
                | models.Q(approaching_mode="percent", approaching_percent__isnull=False),
                name="timescale_approaching_mode_has_its_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_type} / {self.get_level_display()}"

    def clean(self) -> None:
        """The chosen way of deciding 'approaching' needs its number."""
        if self.approaching_mode == ApproachingMode.DAYS and self.approaching_days is None:
            raise ValidationError(
                {"approaching_days": "Give the number of working days before the due date."}
            )
        if self.approaching_mode == ApproachingMode.PERCENT and self.approaching_percent is None:
            raise ValidationError(
                {"approaching_percent": "Give the percentage of the window, from 1 to 99."}
            )

    def approaching_on(
        self, *, start: date | None, due_on: date, calendar: WorkingCalendar, default_days: int
    ) -> date:
        """The day the due date ``due_on`` of a window opened on ``start`` starts approaching."""
        if self.approaching_mode == ApproachingMode.PERCENT and start is not None:
            return calendar.share_elapsed_on(start, due_on, percent=self.approaching_percent or 0)
        if self.approaching_mode == ApproachingMode.DAYS:
            return calendar.approaching_from(due_on, days=self.approaching_days or 0)
        return calendar.approaching_from(due_on, days=default_days)


def level_rank(level: str) -> int:
    return LEVEL_RANK.get(level, 3)


auditlog.register(Organisation)
auditlog.register(ClosureDay)
auditlog.register(CriteriaVersion)
auditlog.register(Criterion)
auditlog.register(Timescale)
auditlog.register(
    Assessment, mask_fields=["answers_json", "rationale"], mask_callable="caseload.audit.redact"
)


class DeadlineFlag(models.Model):
    """A case that has reached a stage on one of its due dates. Raised once, ever.

    The unique constraint on (case, deadline, due date, stage) is what makes
    the sweep idempotent: running it twice, or two workers at once, raises and
    notifies one flag only.
    """

    # The case's due-date columns, named once, on the case.
    Deadline = Case.DueDate

    class Stage(models.TextChoices):
        APPROACHING = "approaching", "Approaching"
        DUE = "due", "Due today"
        BREACHED = "breached", "Breached"

    # No index of its own: the unique constraint's index leads with the case, and serves
    # every lookup by case (an extra index only slows the sweep's bulk insert of flags).
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="flags", db_index=False
    )
    deadline = models.CharField(max_length=30, choices=Deadline.choices)
    due_on = models.DateField()
    stage = models.CharField(max_length=20, choices=Stage.choices)
    raised_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "deadline", "due_on", "stage"],
                name="one_flag_per_case_deadline_stage",
            ),
        ]
        indexes = [
            models.Index(
                fields=["case"], condition=models.Q(cleared_at__isnull=True), name="flag_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Flag {self.pk}"

    @staticmethod
    def subject_for(deadline: str, due_on: date) -> str:
        """What a notification of this flag is about: resolved when the flag clears."""
        return f"{deadline}:{due_on.isoformat()}"


auditlog.register(DeadlineFlag)


class DeadlineWatch(models.Model):
    """One due date of an open case, with the day it starts to count as approaching.

    Why a table: "approaching" depends on the case's timescale (N working
    days before, or a percentage of the window elapsed, counted in working
    days with bank holidays), which SQL cannot compute. So the day is computed
    in Python whenever the due dates are (``case_refresh_due_dates``) and
    stored here, indexed, and the sweep is one set-based query:
    ``approaching_on <= today``. Rows exist only for open cases' due dates.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    deadline = models.CharField(max_length=30, choices=DeadlineFlag.Deadline.choices)
    due_on = models.DateField()
    approaching_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "deadline"], name="one_watch_per_case_deadline"
            ),
            models.CheckConstraint(
                condition=models.Q(approaching_on__lte=models.F("due_on")),
                name="watch_approaches_before_due",
            ),
        ]
        indexes = [models.Index(fields=["approaching_on"], name="watch_approaching_idx")]

    def __str__(self) -> str:
        return f"Watch {self.pk}"
