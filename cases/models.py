from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from caseload.append_only import AppendOnlyModel, AppendOnlyQuerySet
from caseload.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedEmailField,
    EncryptedFieldMixin,
    EncryptedModel,
    EncryptedTextField,
)
from caseload.formats import human_date
from caseload.models import DataKey
from caseload.params import parse_id
from caseload.roles import Role

if TYPE_CHECKING:
    from priorities.models import CriteriaVersion, DeadlineFlag


class User(AbstractUser):
    """A member of staff. Clients are never users."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def display_name(self) -> str:
        """The name to show for this person: their full name, else their user name."""
        return self.get_full_name() or self.username


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="supervised_teams", blank=True
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AdviserProfile(models.Model):
    """How much work an adviser can carry: capacity in caseload points, scaled by FTE."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="adviser_profile"
    )
    capacity_points = models.PositiveIntegerField(
        default=40,
        help_text="Caseload points a full-time adviser in this post can carry.",
    )
    fte = models.DecimalField(
        "FTE",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text="Full-time equivalent, from 0.01 to 1.00.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fte__gt=0) & models.Q(fte__lte=1),
                name="adviser_profile_fte_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"Adviser profile {self.pk}"

    @property
    def capacity(self) -> Decimal:
        """Capacity in caseload points after scaling by FTE."""
        return (Decimal(self.capacity_points) * self.fte).quantize(Decimal("0.1"))


class AccessChange(AppendOnlyModel):
    """One grant or revocation of access: a role, or a place in a team. Never edited.

    Written by ``cases.services.access_grant`` and ``access_revoke`` only, so that
    every change of who may reach client data says who made it, for whom and why.
    """

    class Action(models.TextChoices):
        GRANT = "grant", "Granted"
        REVOKE = "revoke", "Revoked"

    class Place(models.TextChoices):
        MEMBER = "member", "Member"
        SUPERVISOR = "supervisor", "Supervisor place"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    role = models.CharField(max_length=30, choices=Role.choices, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="access_changes"
    )
    place = models.CharField(max_length=20, choices=Place.choices, blank=True)
    reason = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["-at"], name="access_change_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (~models.Q(role="") & models.Q(team__isnull=True) & models.Q(place=""))
                    | (models.Q(role="") & models.Q(team__isnull=False) & ~models.Q(place=""))
                ),
                name="access_change_is_a_role_or_a_team_place",
            ),
        ]

    def __str__(self) -> str:
        return f"Access change {self.pk}"

    @property
    def what(self) -> str:
        """The role or team place changed, in words (staff and team names, no client data)."""
        if self.role:
            return f"{self.role} role"
        place = "supervisor" if self.place == self.Place.SUPERVISOR else "member"
        return f"{place} of {self.team}"


class CaseType(models.Model):
    """A kind of case, configured by admins (for example housing, debt, careers guidance)."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    # How long a client's record is kept after their last case closes (the longest
    # among their case types counts); then it is listed for disposal.
    retention_months = models.PositiveSmallIntegerField(
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(1200)],
        help_text="Months a client's record is kept after their last case closes.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_months__gte=1), name="case_type_retention_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VulnerabilityIndicator(models.TextChoices):
    SAFEGUARDING_CHILD = "safeguarding_child", "Child safeguarding concern"
    SAFEGUARDING_ADULT = "safeguarding_adult", "Adult safeguarding concern"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PHYSICAL_HEALTH = "physical_health", "Physical health or disability"
    CARE_LEAVER = "care_leaver", "Care leaver"
    HOMELESSNESS = "homelessness", "Homeless or at risk"
    LANGUAGE = "language", "Needs an interpreter"
    LEARNING_DIFFICULTY = "learning_difficulty", "Learning difficulty"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"


class ClientQuerySet(models.QuerySet["Client"]):
    def visible_to(self, user: User) -> ClientQuerySet:
        """Clients the user may see: those with a case they may see. Having created the
        client gives nothing once the person holds no case, share or duty for them."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(self._seen_by(user))

    def hidden_from(self, user: User) -> ClientQuerySet:
        """The clients ``visible_to`` leaves out, as NOT EXISTS: checked for each client
        already matched, rather than listing every client the user may see first."""
        if not user.is_authenticated:
            return self.all()
        return self.exclude(self._seen_by(user))

    @staticmethod
    def _seen_by(user: User) -> models.Exists:
        from cases.selectors import visible_cases

        return models.Exists(visible_cases(user).filter(client_id=models.OuterRef("pk")))


class Client(EncryptedModel):
    """A person the organisation advises. Every personal field is encrypted with their key."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    data_key = models.OneToOneField(
        "caseload.DataKey", on_delete=models.PROTECT, related_name="client", editable=False
    )
    given_name = EncryptedCharField(max_length=100)
    family_name = EncryptedCharField(max_length=100)
    preferred_name = EncryptedCharField(max_length=100, blank=True)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    email = EncryptedEmailField(blank=True)
    phone = EncryptedCharField(max_length=40, blank=True)
    address = EncryptedTextField(blank=True)
    postcode = EncryptedCharField(max_length=10, blank=True)
    communication_needs = EncryptedTextField(
        blank=True, help_text="How the client needs to be contacted and spoken with."
    )
    reasonable_adjustments = EncryptedTextField(blank=True)
    # Codes from VulnerabilityIndicator, comma-separated: health and safeguarding
    # facts are special category data, so they are encrypted like the rest.
    vulnerabilities = EncryptedTextField(blank=True)
    vulnerability_notes = EncryptedTextField(blank=True)

    # Keyed hashes for exact search (see caseload.crypto.blind_index).
    family_name_index = models.CharField(max_length=32, db_index=True, editable=False)
    date_of_birth_index = models.CharField(max_length=32, db_index=True, editable=False)
    postcode_index = models.CharField(max_length=32, db_index=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["family_name_index", "date_of_birth_index"], name="client_name_dob_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def encryption_key(self) -> DataKey:
        return self.data_key

    @property
    def display_name(self) -> str:
        """The name to call the client by: preferred name if given, with the family name."""
        first = self.preferred_name or self.given_name
        return f"{first} {self.family_name}"

    @property
    def vulnerability_labels(self) -> list[str]:
        """Readable labels of the client's vulnerability indicators."""
        codes = [c for c in (self.vulnerabilities or "").split(",") if c]
        labels = dict(VulnerabilityIndicator.choices)
        return [labels.get(code, code) for code in codes]


# What a person tells us about themselves, in the order forms show it: the one list the
# client form, the services and anything that copies a client's details go by.
CLIENT_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "email",
    "phone",
    "address",
    "postcode",
    "communication_needs",
    "reasonable_adjustments",
    "vulnerabilities",
    "vulnerability_notes",
)


class ConsentQuerySet(models.QuerySet["ConsentRecord"]):
    """The one rule of which consents hold: every page, form, service and sweep uses it."""

    def current(self, *, today: date | None = None) -> ConsentQuerySet:
        """Not withdrawn, and not past its expiry date on ``today``."""
        today = today or timezone.localdate()
        return self.filter(withdrawn_on__isnull=True).filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=today)
        )

    def expired(self, *, today: date | None = None) -> ConsentQuerySet:
        """Not withdrawn, but past its expiry date on ``today``."""
        today = today or timezone.localdate()
        return self.filter(withdrawn_on__isnull=True, expires_on__lt=today)


class ConsentRecord(EncryptedModel):
    """What the client agreed to, for which purpose, with whom, until when, and how it was
    recorded.

    The purposes: sharing within the organisation ("colleagues"), referring to a named
    agency ("referral", "partners": ``shared_with`` names them), any agency involved
    ("all"), and contacting the client by one channel ("contact", with ``channel``).
    """

    class Scope(models.TextChoices):
        COLLEAGUES = "colleagues", "Colleagues in this organisation"
        PARTNERS = "partners", "Named partner organisations"
        REFERRAL = "referral", "A referral to another agency"
        ALL = "all", "Any agency involved in their support"
        CONTACT = "contact", "Contacting the client"

    class Method(models.TextChoices):
        VERBAL = "verbal", "Verbally, recorded by the adviser"
        WRITTEN = "written", "Signed form"
        ELECTRONIC = "electronic", "Electronically (email or online form)"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        TEXT = "text", "Text message"
        LETTER = "letter", "Letter"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    shared_with = EncryptedCharField(
        "With whom",
        max_length=200,
        blank=True,
        help_text="The people or organisations the client agreed to share with "
        "(not needed for contacting the client).",
    )
    channel = models.CharField(
        "Contact by",
        max_length=10,
        choices=Channel.choices,
        blank=True,
        default="",
        help_text="For contacting the client: how they agreed to be contacted.",
    )
    details = EncryptedTextField("What may be shared", blank=True)
    given_on = models.DateField("Consent given on")
    expires_on = models.DateField(
        "Consent ends on",
        null=True,
        blank=True,
        help_text="The last day the consent holds, if the client gave it for a time only.",
    )
    method = models.CharField("How it was recorded", max_length=20, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdrawal_reason = EncryptedTextField("Reason for withdrawing", blank=True, null=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(scope="contact") & ~models.Q(channel=""))
                | (~models.Q(scope="contact") & models.Q(channel="")),
                name="consent_channel_only_for_contact",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("given_on")),
                name="consent_expires_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.client.data_key

    def is_current_on(self, today: date) -> bool:
        """Whether the consent holds on ``today``: not withdrawn, not past its expiry."""
        return self.withdrawn_on is None and (self.expires_on is None or self.expires_on >= today)

    @property
    def is_current(self) -> bool:
        """Whether the consent holds today (``ConsentQuerySet.current`` is the same rule)."""
        return self.is_current_on(timezone.localdate())

    @property
    def is_expired(self) -> bool:
        """Not withdrawn, but past its expiry date."""
        return self.withdrawn_on is None and not self.is_current

    @property
    def purpose(self) -> str:
        """What the consent is for, in a few words, naming the agency or channel."""
        if self.scope == self.Scope.CONTACT:
            return f"Contact by {self.get_channel_display().lower()}"
        if self.scope == self.Scope.COLLEAGUES:
            return "Sharing within the organisation"
        if self.scope == self.Scope.ALL:
            return "Sharing with any agency involved"
        if self.scope == self.Scope.PARTNERS:
            return f"Sharing with named partners: {self.shared_with}"
        return f"Referral to {self.shared_with}"

    @property
    def covers_colleagues(self) -> bool:
        """Whether it lets the case be shared with colleagues in the organisation."""
        return self.scope in (self.Scope.COLLEAGUES, self.Scope.ALL)

    @property
    def could_cover_an_agency(self) -> bool:
        """Whether a referral out could rest on it: scope "all", "referral" or "partners"."""
        return self.scope in (self.Scope.ALL, self.Scope.REFERRAL, self.Scope.PARTNERS)

    def covers_agency(self, agency: str) -> bool:
        """Whether it lets the case be referred to ``agency``: any agency for scope "all";
        for "referral" and "partners", an agency that ``shared_with`` names.

        Naming is matched on whole words, ignoring case, punctuation and spacing:
        "Shelter" is named by "Shelter, Citizens Advice" and by "shelter (Leeds)",
        not by "Sheltered Housing Trust"; an agency of several words must appear
        in that order ("Citizens Advice" in "Citizens Advice Leeds").
        """
        if self.scope == self.Scope.ALL:
            return True
        if self.scope not in (self.Scope.REFERRAL, self.Scope.PARTNERS):
            return False
        wanted = _words(agency)
        return bool(wanted) and f" {wanted} " in f" {_words(self.shared_with)} "


def _words(text: str) -> str:
    """``text`` case-folded, with every run of anything but letters and digits one space."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


class CaseQuerySet(models.QuerySet["Case"]):
    """Every named condition on cases, defined here once.

    Each condition is a ``*_condition`` (a ``Q``, so that one aggregate query can
    count several of them) and a filter of the same name that applies it. The
    dashboard, its lists, the weekly report, the attention lists, the review
    pack, the caseload page and the sweep all compose these; none restates one.
    Every condition but ``open`` itself holds for open cases only.
    """

    def visible_to(self, user: User, *, now: datetime | None = None) -> CaseQuerySet:
        """The cases ``user`` may see; one query, whatever the number of cases or shares."""
        from cases.selectors import case_visibility_filter

        return self.filter(case_visibility_filter(user, now=now))

    # --- conditions -----------------------------------------------------------------

    @staticmethod
    def open_condition() -> models.Q:
        """Work on the case is still going on: referred, open or on hold."""
        return ~models.Q(status=Case.Status.CLOSED)

    @staticmethod
    def level_condition(level: str) -> models.Q:
        """Open, at this priority level ("" for not assessed)."""
        return CaseQuerySet.open_condition() & models.Q(level=level)

    @staticmethod
    def overdue_actions_condition(*, today: date) -> models.Q:
        """Open, with at least one open action past its due date."""
        from notes.models import Action

        overdue = Action.objects.overdue(today=today).filter(case=models.OuterRef("pk"))
        return CaseQuerySet.open_condition() & models.Q(models.Exists(overdue))

    @staticmethod
    def red_without_action_condition() -> models.Q:
        """Open, red, and with no open action at all."""
        from notes.models import Action
        from priorities.models import Level

        open_action = Action.objects.open().filter(case=models.OuterRef("pk"))
        return CaseQuerySet.level_condition(Level.RED) & ~models.Q(models.Exists(open_action))

    @staticmethod
    def stalled_condition(*, cutoff: date) -> models.Q:
        """Open, and no contact since before ``cutoff`` (nor opened since, if never contacted)."""
        cutoff_at = timezone.make_aware(datetime.combine(cutoff, datetime.min.time()))
        return CaseQuerySet.open_condition() & (
            models.Q(last_contact_at__lt=cutoff_at)
            | models.Q(last_contact_at__isnull=True, opened_on__lt=cutoff)
        )

    @staticmethod
    def assessment_due_condition(*, version: CriteriaVersion | None, today: date) -> models.Q:
        """Open, and never assessed, due for reassessment by ``today``, or assessed under
        criteria other than ``version`` (the published one; None if none is)."""
        due = models.Q(assessed_at__isnull=True) | models.Q(next_review_due_on__lte=today)
        if version is not None:
            due |= ~models.Q(assessment_version=version)
        return CaseQuerySet.open_condition() & due

    @staticmethod
    def _open_flags() -> models.QuerySet[DeadlineFlag]:
        from priorities.models import DeadlineFlag

        return DeadlineFlag.objects.filter(case=models.OuterRef("pk"), cleared_at__isnull=True)

    @staticmethod
    def breached_condition() -> models.Q:
        """Open, with a deadline flag at the breached stage that the sweep has not cleared."""
        from priorities.models import DeadlineFlag

        breached = CaseQuerySet._open_flags().filter(stage=DeadlineFlag.Stage.BREACHED)
        return CaseQuerySet.open_condition() & models.Q(models.Exists(breached))

    @staticmethod
    def approaching_condition() -> models.Q:
        """Open, with an uncleared flag approaching or due, and none breached: a breached
        case counts as breached only, never as approaching too."""
        from priorities.models import DeadlineFlag

        before_breach = CaseQuerySet._open_flags().exclude(stage=DeadlineFlag.Stage.BREACHED)
        return (
            CaseQuerySet.open_condition()
            & models.Exists(before_breach)
            & ~CaseQuerySet.breached_condition()
        )

    # --- the same conditions as filters ---------------------------------------------

    def open(self) -> CaseQuerySet:
        return self.filter(self.open_condition())

    def at_level(self, level: str) -> CaseQuerySet:
        return self.filter(self.level_condition(level))

    def with_overdue_actions(self, *, today: date) -> CaseQuerySet:
        return self.filter(self.overdue_actions_condition(today=today))

    def red_without_action(self) -> CaseQuerySet:
        return self.filter(self.red_without_action_condition())

    def stalled(self, *, cutoff: date) -> CaseQuerySet:
        return self.filter(self.stalled_condition(cutoff=cutoff))

    def assessment_due(self, *, version: CriteriaVersion | None, today: date) -> CaseQuerySet:
        return self.filter(self.assessment_due_condition(version=version, today=today))

    def breached(self) -> CaseQuerySet:
        return self.filter(self.breached_condition())

    def approaching(self) -> CaseQuerySet:
        return self.filter(self.approaching_condition())

    def count_overdue_actions(self, *, today: date) -> CaseQuerySet:
        """Annotate each case with ``overdue_actions``: how many of its actions are overdue."""
        from django.db.models.functions import Coalesce

        from notes.models import Action

        overdue = (
            Action.objects.overdue(today=today)
            .filter(case=models.OuterRef("pk"))
            .order_by()
            .values("case")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(overdue_actions=Coalesce(models.Subquery(overdue), 0))


class Case(EncryptedModel):
    class Status(models.TextChoices):
        REFERRED = "referred", "Referred"
        OPEN = "open", "Open"
        ON_HOLD = "on_hold", "On hold"
        CLOSED = "closed", "Closed"

    class ReferralSource(models.TextChoices):
        SELF = "self", "Self-referral"
        PARTNER = "partner", "Partner organisation"
        INTERNAL = "internal", "Another service in this organisation"
        STATUTORY = "statutory", "Statutory service"
        OTHER = "other", "Other"

    class DueDate(models.TextChoices):
        """The case's due-date columns, named once: the deadline sweep flags them
        (``DeadlineFlag.Deadline`` is this) and badges say which one is due."""

        ALLOCATION = "allocation_due_on", "Allocation"
        FIRST_CONTACT = "first_contact_due_on", "First contact"
        NEXT_CONTACT = "next_contact_due_on", "Next contact"
        REVIEW = "next_review_due_on", "Reassessment"
        TARGET_CLOSE = "target_close_on", "Target to close"
        STATUTORY = "next_deadline_on", "Statutory or external deadline"

    class ClosureReason(models.TextChoices):
        OUTCOMES_MET = "outcomes_met", "Outcomes met"
        CLIENT_WITHDREW = "client_withdrew", "Client withdrew"
        NO_CONTACT = "no_contact", "No contact from client"
        REFERRED_ON = "referred_on", "Referred to another agency"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        OTHER = "other", "Other"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases")
    presenting_issue = EncryptedTextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=30, choices=ClosureReason.choices, blank=True)
    closure_outcome = EncryptedTextField(blank=True)
    referral_source = models.CharField(
        max_length=20, choices=ReferralSource.choices, default=ReferralSource.SELF
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        null=True,
        blank=True,
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="cases", null=True, blank=True
    )
    restricted = models.BooleanField(
        default=False,
        help_text="Sensitive: only the assigned adviser and their supervisor can see it; "
        "anyone else must break the glass and give a reason.",
    )
    # Kept current by the services that change them, for the caseload list.
    next_deadline_on = models.DateField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    # The current priority, copied from the latest assessment (priorities app).
    level = models.CharField(max_length=10, blank=True, default="")
    level_rank = models.PositiveSmallIntegerField(default=3, help_text="0 red … 3 not assessed")
    assessed_at = models.DateTimeField(null=True, blank=True)
    assessment_version = models.ForeignKey(
        "priorities.CriteriaVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Due dates in working days from the organisation's timescales, kept current by
    # priorities.services.case_refresh_due_dates, their one writer (next_deadline_on
    # too); next_due_on is the earliest of all.
    allocation_due_on = models.DateField(null=True, blank=True)
    first_contact_due_on = models.DateField(null=True, blank=True)
    next_contact_due_on = models.DateField(null=True, blank=True)
    next_review_due_on = models.DateField(null=True, blank=True)
    target_close_on = models.DateField(null=True, blank=True)
    next_due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        permissions = [("contribute_case", "Can add to a case shared with them")]
        indexes = [
            models.Index(fields=["assigned_to", "status"], name="case_assignee_status_idx"),
            models.Index(fields=["team", "status"], name="case_team_status_idx"),
            models.Index(
                fields=["assigned_to", "level_rank", "next_due_on"], name="case_caseload_order_idx"
            ),
            models.Index(
                fields=["next_due_on"],
                condition=~models.Q(status="closed"),
                name="case_open_next_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed")
                | (models.Q(closed_on__isnull=False) & ~models.Q(closure_reason="")),
                name="case_closed_has_date_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def encryption_key(self) -> DataKey:
        return self.client.data_key

    @property
    def reference(self) -> str:
        """The case's human-friendly reference."""
        return self.reference_for(self.pk)

    @staticmethod
    def reference_for(pk: int) -> str:
        """The human-friendly reference of the case with this id: ``CASE-000123``."""
        return f"CASE-{pk:06d}"

    @staticmethod
    def pk_from_reference(text: str) -> int | None:
        """The id a typed case reference names (``CASE-000123``, any case, spaces around
        ignored), or None if it is not one: only ASCII digits count, so ``CASE-²`` is None."""
        text = text.strip().upper()
        if not text.startswith("CASE-"):
            return None
        return parse_id(text.removeprefix("CASE-"))

    @property
    def level_label(self) -> str:
        """The organisation's name for the case's level, as its criteria version calls it."""
        if not self.level:
            return "Not assessed"
        version = self.assessment_version
        if version is not None:
            return version.label_for(self.level)
        if self.assessed_at is None:
            # Set from the referrer's urgency until the first assessment.
            return f"{self.level.title()} (referrer's urgency, not assessed)"
        return self.level.title()

    @property
    def level_colour(self) -> str:
        """The badge colour for the case's level, as its criteria version sets it."""
        version = self.assessment_version
        if version is not None:
            return version.colour_for(self.level)
        return self.level or "grey"

    def next_due_what(self) -> str:
        """What falls due on ``next_due_on``: a due date's name, or "An action"."""
        for due_date in Case.DueDate:
            if getattr(self, due_date.value) == self.next_due_on:
                return due_date.label
        return "An action"

    @property
    def next_due_label(self) -> str:
        """What is due next and when, for a badge: "Next contact overdue since 2 Dec 2026",
        "Reassessment due today", "First contact due 4 Dec 2026"; "" when nothing is due."""
        if self.next_due_on is None or not self.is_open:
            return ""
        today = timezone.localdate()
        what = self.next_due_what()
        day = human_date(self.next_due_on)
        if self.next_due_on < today:
            return f"{what} overdue since {day}"
        if self.next_due_on == today:
            return f"{what} due today"
        return f"{what} due {day}"

    def is_past_due(self, *, today: date | None = None) -> bool:
        """Open, and the earliest of its due dates has passed."""
        today = today or timezone.localdate()
        return self.is_open and self.next_due_on is not None and self.next_due_on < today

    @property
    def is_open(self) -> bool:
        """Whether work on the case is still going on."""
        return self.status != self.Status.CLOSED

    @property
    def started_on(self) -> date:
        """The day the case began: the day it was opened, or its referral received if earlier."""
        received = timezone.localdate(self.created_at)
        return min(self.opened_on, received) if self.opened_on else received

    def days_since_contact(self, *, now: datetime | None = None) -> int | None:
        """Whole days since the last contact, or None if there has been none."""
        if self.last_contact_at is None:
            return None
        now = now or timezone.now()
        return (timezone.localdate(now) - timezone.localdate(self.last_contact_at)).days


class CaseEvent(EncryptedModel, AppendOnlyModel):
    """The history of a case: status changes, assignments, deadlines, shares. Never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", "Case opened"
        STATUS = "status", "Status changed"
        ASSIGNED = "assigned", "Assigned"
        DEADLINE_ADDED = "deadline_added", "Deadline added"
        DEADLINE_CHANGED = "deadline_changed", "Deadline changed"
        SHARED = "shared", "Shared"
        SHARE_REVOKED = "share_revoked", "Share revoked"
        BREAK_GLASS = "break_glass", "Opened by break the glass"
        OUTCOME = "outcome", "Outcome"
        OBSTACLE = "obstacle", "Obstacle"
        REFERRAL = "referral", "Referral"
        ACTION = "action", "Action"
        ESCALATED = "escalated", "Escalated to the supervisor"
        CONSENT_ENDED = "consent_ended", "Consent withdrawn or expired"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    summary = models.CharField(max_length=200, help_text="What happened, without personal data.")
    detail = EncryptedTextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["case", "-at"], name="case_event_case_at_idx")]

    def __str__(self) -> str:
        return f"Case event {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key


class CaseDeadline(EncryptedModel):
    """A statutory or external deadline the adviser entered, such as an appeal date."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        CANCELLED = "cancelled", "No longer applies"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deadlines")
    due_on = models.DateField()
    description = EncryptedCharField(
        max_length=200, help_text='What it is, for example "benefit appeal deadline".'
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["case", "status", "due_on"], name="deadline_case_idx")]

    def __str__(self) -> str:
        return f"Deadline {self.pk}"

    def is_overdue(self, *, today: date | None = None) -> bool:
        """Still open and past its date."""
        today = today or timezone.localdate()
        return self.status == self.Status.OPEN and self.due_on < today

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key


class Outcome(EncryptedModel):
    """A SMART goal for the case: what, how it is measured, by when, and how it is going."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        PARTLY_ACHIEVED = "partly_achieved", "Partly achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="outcomes")
    description = EncryptedTextField("What the client wants to achieve")
    measure = EncryptedTextField("How we will know it is achieved")
    target_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    progress_percent = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="outcome_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"Outcome {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key

    def is_overdue(self, *, today: date | None = None) -> bool:
        """Past its target date and not finished."""
        today = today or timezone.localdate()
        finished = {self.Status.ACHIEVED, self.Status.NOT_ACHIEVED, self.Status.WITHDRAWN}
        return self.status not in finished and self.target_date < today

    @property
    def falls_short(self) -> bool:
        """Below 100% and not withdrawn: closing the case as "outcomes met" needs a reason."""
        return self.status != self.Status.WITHDRAWN and self.progress_percent < 100


class OutcomeProgress(EncryptedModel):
    """A dated entry recording progress towards an outcome."""

    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="progress")
    note = EncryptedTextField()
    status = models.CharField(max_length=20, choices=Outcome.Status.choices)
    progress_percent = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"Outcome progress {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.outcome.case.client.data_key


class Obstacle(EncryptedModel):
    """Something standing in the way of the case's outcomes, and how it was resolved."""

    class Kind(models.TextChoices):
        CLIENT_DISENGAGED = "client_disengaged", "Client disengaged"
        AWAITING_THIRD_PARTY = "awaiting_third_party", "Awaiting a third party"
        RESOURCES = "resources", "Lack of resources"
        HEALTH = "health", "Client's health"
        HOUSING = "housing", "Housing situation"
        FINANCIAL = "financial", "Financial"
        ELIGIBILITY = "eligibility", "Eligibility"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="obstacles")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    description = EncryptedTextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    resolution = EncryptedTextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-raised_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="resolved") | models.Q(resolved_at__isnull=False),
                name="obstacle_resolved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Obstacle {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key


class CaseShare(EncryptedModel):
    """A case shared with a colleague: scoped, time-limited, and resting on recorded consent."""

    class Level(models.TextChoices):
        VIEW = "view", "View only"
        CONTRIBUTE = "contribute", "View and contribute"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="shares")
    shared_with = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_shares"
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.VIEW)
    reason = EncryptedTextField()
    consent = models.ForeignKey(ConsentRecord, on_delete=models.PROTECT, related_name="shares")
    expires_at = models.DateTimeField()
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Case share {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key

    @property
    def ends_on(self) -> date:
        """The last day of access: the share expires at the start of the next day."""
        return timezone.localdate(self.expires_at - timedelta(microseconds=1))

    def is_active(self, *, now: datetime | None = None) -> bool:
        """Not revoked and not yet expired."""
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class CaseUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-user case permissions, with a real foreign key to the case.

    ``expires_at`` comes from the share that granted the permission: guardian
    knows nothing of time, so every visibility query also checks it.
    """

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
    share = models.ForeignKey(
        CaseShare, on_delete=models.CASCADE, null=True, related_name="permissions"
    )
    expires_at = models.DateTimeField(null=True)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            models.Index(
                fields=["user", "content_object", "expires_at"], name="case_perm_user_case_idx"
            ),
        ]


class BreakGlassAccess(EncryptedModel):
    """Time-limited access to a restricted case, taken with a stated reason."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="break_glass")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass"
    )
    reason = EncryptedTextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    supervisors_emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the case's supervisors were emailed; the worker retries until then.",
    )

    class Meta:
        ordering = ["-granted_at"]
        indexes = [
            models.Index(fields=["user", "case", "expires_at"], name="break_glass_user_case_idx"),
        ]

    def __str__(self) -> str:
        return f"Break-glass access {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key


class BreakGlassRequest(EncryptedModel):
    """Every request to break the glass, granted or not, so that each counts towards the
    day's limit and none goes unseen.

    The reference is kept as typed (it is not personal data) and the case only if it
    named a restricted case, so that the person asking learns nothing about a
    reference before their request is made. Past the day's limit a request waits
    for a supervisor's approval.
    """

    class Status(models.TextChoices):
        GRANTED = "granted", "Granted"
        NO_MATCH = "no_match", "No restricted case with this reference"
        PENDING = "pending", "Waiting for a supervisor"
        APPROVED = "approved", "Approved by a supervisor"
        DECLINED = "declined", "Declined by a supervisor"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_requests"
    )
    reference = models.CharField(max_length=40)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Its own data key: a request may name no case, so there is no client key to use.
    data_key = models.OneToOneField(
        "caseload.DataKey", on_delete=models.PROTECT, related_name="+", editable=False
    )
    reason = EncryptedTextField()
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices)
    access = models.OneToOneField(
        BreakGlassAccess, on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "requested_at"], name="bg_request_user_idx"),
            models.Index(
                fields=["status"],
                condition=models.Q(status="pending"),
                name="bg_request_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Break-glass request {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.data_key


class BreakGlassReview(EncryptedModel, AppendOnlyModel):
    """A supervisor's look back at one break-the-glass access: fine, or a concern."""

    class Outcome(models.TextChoices):
        REVIEWED = "reviewed", "Reviewed: the access was justified"
        CONCERN = "concern", "Concern: raised with data protection"

    access = models.OneToOneField(BreakGlassAccess, on_delete=models.PROTECT, related_name="review")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    comment = EncryptedTextField(blank=True)
    reviewed_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"Break-glass review {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.access.case.client.data_key


class Referral(EncryptedModel):
    """A referral out to another agency, or in from a partner."""

    class Direction(models.TextChoices):
        OUT = "out", "Out to another agency"
        IN = "in", "In from a partner"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        RECEIVED = "received", "Received"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn: consent withdrawn"

    # Sent out and not yet answered: what withdrawing its consent ends.
    PENDING_OUT = (Status.SENT, Status.RECEIVED)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    agency = EncryptedCharField(max_length=200, help_text="The organisation referred to or from.")
    contact = EncryptedCharField("Contact at the agency", max_length=200, blank=True)
    reason = EncryptedTextField()
    consent = models.ForeignKey(
        ConsentRecord, on_delete=models.PROTECT, related_name="referrals", null=True, blank=True
    )
    follow_up_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(direction="out") | models.Q(consent__isnull=False),
                name="referral_out_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key


def _encrypted_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]


# The audit trail records which fields changed on these models but never a
# personal value: encrypted fields and their (guessable) blind indexes are
# written as "[encrypted]" on both sides of the change.
for _model in (
    Client,
    ConsentRecord,
    Case,
    CaseEvent,
    CaseDeadline,
    Outcome,
    OutcomeProgress,
    Obstacle,
    CaseShare,
    BreakGlassAccess,
    BreakGlassRequest,
    BreakGlassReview,
    Referral,
):
    _masked = _encrypted_fields(_model)
    if _model is Client:
        _masked += ["family_name_index", "date_of_birth_index", "postcode_index"]
    auditlog.register(_model, mask_fields=_masked, mask_callable="caseload.audit.redact")
auditlog.register(CaseType)

auditlog.register(
    User,
    exclude_fields=["password", "last_login"],
    m2m_fields={"groups", "user_permissions"},
)
auditlog.register(Team, m2m_fields={"supervisors", "members"})
auditlog.register(AdviserProfile)
auditlog.register(AccessChange)
