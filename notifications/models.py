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

    def current(self) -> NotificationQuerySet:
        """Not resolved: what it told of still holds."""
        return self.filter(resolved_at__isnull=True)

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
    # What, within its kind and case, the notification is about (a deadline's name,
    # a request's id), so that it can be resolved once that is dealt with.
    subject = models.CharField(max_length=40, blank=True, default="")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    # Set when what it told of no longer holds (the deadline met, the request decided).
    resolved_at = models.DateTimeField(null=True, blank=True)
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


class OutboxEmail(models.Model):
    """One email to one member of staff, written in the transaction that causes it and
    sent by the worker (``notifications.services.outbox_send``).

    The address is looked up from the recipient when the email is sent, so it
    is never copied here; subject and body hold staff names and case references
    only, never client data. ``idempotency_key`` names the cause (for example
    ``break-glass.12.7``: access 12, person 7): the same cause cannot queue
    a second email, and the ``Message-ID`` is made from it, so a mail system
    can drop the one duplicate a crash can leave (see the README's "The worker").
    """

    class Kind(models.TextChoices):
        BREAK_GLASS = "break_glass", "Break-the-glass alert"
        ACCESS_CHANGE = "access_change", "Change of access"
        REPORT = "report", "Caseload review report"
        DIGEST = "digest", "Daily digest"
        PASSWORD_INVITE = "password_invite", "Invitation to set a password"
        PASSWORD_RESET = "password_reset", "Link to reset a password"
        NOTIFICATION = "notification", "A notification its recipient wants at once"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed: gave up"
        SKIPPED = "skipped", "Not sent: no email address or account inactive"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The id of what caused the email (an access, an access change, a report); none for a digest.
    object_id = models.BigIntegerField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=150, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The kind of error and the mail server's reply code, never an address or a message.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing email"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_email_due_idx",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(status="sending"),
                name="outbox_email_sending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(claimed_at__isnull=False),
                name="outbox_email_sending_is_claimed",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="outbox_email_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Email {self.pk} ({self.kind})"
