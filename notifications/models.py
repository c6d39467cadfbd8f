"""In-app notifications. This app is the one writer of its table: others call
``notifications.services.notify`` (or ``notify_rows`` for the sweep's batches)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    """What a notification is about: what people group, filter and choose delivery by."""

    DEADLINE = "deadline", "Deadlines"
    PRIORITY = "priority", "High priority cases"
    REVIEW = "review", "Caseload reviews"
    CAPACITY = "capacity", "Capacity concerns"
    REPORT = "report", "Weekly reports"
    BREAK_GLASS = "break_glass", "Break the glass"
    ACCESS = "access", "Changes of access"
    OTHER = "other", "Other"


class Delivery(models.TextChoices):
    """How a person hears of a kind of notification, beyond the list in the app."""

    IN_APP = "in_app", "In Caseload only"
    DIGEST = "digest", "In the daily digest email"
    IMMEDIATE = "immediate", "By email straight away"


# Each kind's delivery until the person chooses. Security alerts are always emailed
# at once and cannot be turned down: someone's access to client data changed.
DEFAULT_DELIVERY = {
    Kind.DEADLINE: Delivery.DIGEST,
    Kind.PRIORITY: Delivery.IMMEDIATE,
    Kind.REVIEW: Delivery.DIGEST,
    Kind.CAPACITY: Delivery.DIGEST,
    Kind.REPORT: Delivery.DIGEST,
    Kind.BREAK_GLASS: Delivery.IMMEDIATE,
    Kind.ACCESS: Delivery.IMMEDIATE,
    Kind.OTHER: Delivery.DIGEST,
}
FIXED_DELIVERY = frozenset({Kind.BREAK_GLASS, Kind.ACCESS, Kind.OTHER})
CHOOSABLE_KINDS = [kind for kind in Kind if kind not in FIXED_DELIVERY]


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user_id: int) -> NotificationQuerySet:
        return self.filter(recipient_id=user_id)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def unemailed(self) -> NotificationQuerySet:
        return self.filter(emailed_at__isnull=True)

    def shown(self) -> NotificationQuerySet:
        """Not dismissed: what the person's list shows."""
        return self.filter(dismissed_at__isnull=True)


class Notification(models.Model):
    """A message in a person's in-app notifications. Ids and staff names only, no client data."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    # Set when the notification went out by email (alone, or in the daily digest),
    # claimed with a conditional UPDATE so that nothing is emailed twice.
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        # Moved here from the priorities app (issue 12); the table keeps its name.
        db_table = "priorities_notification"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_unemailed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification {self.pk}"


class NotificationPreference(models.Model):
    """How one person wants to hear of one kind of notification (absent: the default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.delivery}"
