from typing import Any

from django.core.management.base import BaseCommand

from notifications.services import notifications_email_digest


class Command(BaseCommand):
    help = (
        "Email each person one digest of their notifications not emailed yet (the worker "
        "does this daily at 08:00). Nothing is emailed twice, so it is safe to run any time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = notifications_email_digest()
        self.stdout.write(self.style.SUCCESS(f"{sent} digest email(s) sent."))
