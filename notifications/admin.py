"""The outbox in the configuration pages: read-only, so admins can see what failed."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import OutboxEmail

if TYPE_CHECKING:
    OutboxEmailAdminBase = admin.ModelAdmin[OutboxEmail]
else:  # ModelAdmin takes no type argument at run time
    OutboxEmailAdminBase = admin.ModelAdmin


@admin.register(OutboxEmail)
class OutboxEmailAdmin(OutboxEmailAdminBase):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "kind"]
    # The body is left out of the list: open an email to read it.
    readonly_fields = [
        "recipient",
        "kind",
        "object_id",
        "idempotency_key",
        "subject",
        "body",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
    ]
    list_select_related = ["recipient"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
