from typing import Any

from django.core.management.base import BaseCommand

from notifications.services import notifications_email_digest, outbox_send


class Command(BaseCommand):
    help = (
        "Queue for each person one digest email of their notifications not emailed yet (the "
        "worker does this daily at 08:00), then send what the outbox holds. Nothing is "
        "emailed twice, so it is safe to run any time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = notifications_email_digest()
        sent = outbox_send()
        self.stdout.write(
            self.style.SUCCESS(f"{queued} digest email(s) queued; {sent} email(s) sent.")
        )
