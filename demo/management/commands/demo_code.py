from typing import Any

from django.core.management.base import BaseCommand

from demo.people import DEMO_TOTP_SECRET, demo_code


class Command(BaseCommand):
    help = (
        "Print the sign-in code the demo users' authenticator app shows now (the demo's "
        "published key only; it knows no real account's key)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(demo_code())
        self.stdout.write(
            f"(demo key {DEMO_TOTP_SECRET}; a code works once per person and changes every 30 s)"
        )
