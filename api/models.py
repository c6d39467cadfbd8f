"""API tokens (personal and integration) and the record of each referral sent through intake.

A token's secret is shown once, when it is made, and stored only as its SHA-256 (the
secret is 256 random bits, so a plain hash is as good as a slow one and costs nothing
per call); the short ``prefix`` in the token finds the row without a scan.
"""

from __future__ import annotations

from datetime import datetime

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils import timezone

from cases.models import CaseType, Referral, Team


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self, *, now: datetime | None = None) -> ApiTokenQuerySet:
        """Tokens that still work: not revoked and not expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A bearer token for the API: a person's own (acting with their rights), or a partner
    organisation's (an integration, which may only send referrals to one team)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal"
        INTEGRATION = "integration", "Integration"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=100, help_text="What the token is for, to recognise it.")
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    # Personal tokens: the person whose rights the token carries.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    # Integration tokens: who sends, where their referrals go, and the (inactive, roleless)
    # account their referrals are recorded as received by.
    partner = models.CharField("Partner organisation", max_length=200, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case_type = models.ForeignKey(
        CaseType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="integration_token",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="personal", user__isnull=False, team__isnull=True)
                | models.Q(
                    kind="integration",
                    user__isnull=True,
                    team__isnull=False,
                    case_type__isnull=False,
                    service_user__isnull=False,
                ),
                name="api_token_kind_fields",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"API token {self.prefix} ({self.get_kind_display().lower()})"

    def is_live(self, *, now: datetime | None = None) -> bool:
        """Whether the token still works: not revoked, not expired."""
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def state(self) -> str:
        """Live, expired or revoked, in words."""
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at <= timezone.now():
            return "Expired"
        return "Live"


class IntakeSubmission(models.Model):
    """A referral an integration token sent, under its ``Idempotency-Key``: the same key
    again returns this referral and creates nothing. ``body_digest`` is a keyed hash of
    the request body (never the body: it holds a client's details), to tell a repeat
    from a different request under a reused key."""

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="submissions")
    idempotency_key = models.CharField(max_length=200)
    body_digest = models.CharField(max_length=64)
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, related_name="intake_submission"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["token", "idempotency_key"], name="intake_submission_key_once_per_token"
            ),
        ]

    def __str__(self) -> str:
        return f"Intake submission {self.pk}"


# The trail records a token's life (made, revoked), never its hash; the time of last use
# changes on every minute of use and says nothing worth auditing.
auditlog.register(ApiToken, exclude_fields=["secret_hash", "last_used_at"])
auditlog.register(IntakeSubmission, exclude_fields=["body_digest"])
