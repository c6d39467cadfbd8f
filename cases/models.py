from __future__ import annotations

from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


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


auditlog.register(
    User,
    exclude_fields=["password", "last_login"],
    m2m_fields={"groups", "user_permissions"},
)
auditlog.register(Team, m2m_fields={"supervisors", "members"})
auditlog.register(AdviserProfile)
